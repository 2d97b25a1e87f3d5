import { describe, expect, it } from 'vitest';
import type { ValueType } from '../../../app/promql/ast.js';
import { aggregations, binaryOperators, keywords, unaryPrecedence } from '../../../app/promql/catalog.js';
import { durationUnits } from '../../../app/dialect/duration.js';
import { typeOf } from '../../../app/promql/checker.js';
import { functionNames, functionSignatures, getFunction } from '../../../app/promql/functions.js';
import { parse } from '../../../app/promql/parser.js';

const sample: Record<ValueType, string> = { vector: 'x', matrix: 'x[5m]', scalar: '1', string: '"a"' };

describe('function catalog', () => {
  it('every function parses, type-checks with its own signature and returns its declared type', () => {
    for (const name of functionNames) {
      const sig = functionSignatures[name];
      const required = sig.variadic === 0 ? sig.argTypes : sig.argTypes.slice(0, -1);
      for (const args of [required, sig.argTypes]) {
        // info()'s second argument must be a bare label selector.
        const q = `${name}(${args.map((t, i) => (name === 'info' && i === 1 ? '{a="b"}' : sample[t])).join(', ')})`;
        const res = parse(q, { enableExperimental: true });
        expect(res.errors.map((e) => e.message), q).toEqual([]);
        expect(res.expr?.type, q).toBe('call');
        if (res.expr !== null) expect(typeOf(res.expr), q).toBe(sig.returnType);
      }
    }
  });

  it('experimental functions are flagged and refused by default', () => {
    const experimental = functionNames.filter((n) => functionSignatures[n].experimental);
    expect(experimental).toEqual(
      expect.arrayContaining(['sort_by_label', 'sort_by_label_desc', 'info', 'first_over_time', 'mad_over_time', 'double_exponential_smoothing', 'ts_of_max_over_time', 'ts_of_min_over_time', 'ts_of_last_over_time', 'ts_of_first_over_time']),
    );
    for (const n of ['histogram_count', 'histogram_sum', 'histogram_avg', 'histogram_fraction', 'histogram_stddev', 'histogram_stdvar', 'rate', 'last_over_time']) {
      expect(getFunction(n)?.experimental, n).toBe(false);
    }
    for (const n of experimental) {
      const sig = functionSignatures[n];
      const q = `${n}(${sig.argTypes.map((t, i) => (n === 'info' && i === 1 ? '{a="b"}' : sample[t])).join(', ')})`;
      expect(parse(q).errors.map((e) => e.message), q).toContain(`function "${n}" is not enabled`);
    }
  });

  it('has the real signatures', () => {
    expect(functionSignatures.rate.signature).toBe('rate(v range-vector) → instant-vector');
    expect(functionSignatures.histogram_fraction.argTypes).toEqual(['scalar', 'scalar', 'vector']);
    expect(functionSignatures.label_join.variadic).toBe(-1);
    expect(functionSignatures.round.signature).toBe('round(v instant-vector, [to_nearest scalar]) → instant-vector');
    expect(getFunction('holt_winters')).toBeUndefined();
    expect(getFunction('double_exponential_smoothing')?.argTypes).toEqual(['matrix', 'scalar', 'scalar']);
    for (const n of functionNames) expect(functionSignatures[n].doc.length, n).toBeGreaterThan(5);
  });
});

describe('catalog', () => {
  it('aggregations know which take a parameter', () => {
    const withParam = Object.values(aggregations).filter((a) => a.hasParam).map((a) => a.name).sort();
    expect(withParam).toEqual(['bottomk', 'count_values', 'limit_ratio', 'limitk', 'quantile', 'topk']);
    expect(aggregations.count_values.paramType).toBe('string');
  });

  it('operator precedence and associativity follow Prometheus', () => {
    const p = (o: keyof typeof binaryOperators): number => binaryOperators[o].precedence;
    expect(p('^')).toBeGreaterThan(unaryPrecedence);
    expect(unaryPrecedence).toBeGreaterThan(p('*'));
    expect(p('*')).toBe(p('atan2'));
    expect(p('*')).toBeGreaterThan(p('+'));
    expect(p('+')).toBeGreaterThan(p('=='));
    expect(p('==')).toBeGreaterThan(p('and'));
    expect(p('and')).toBe(p('unless'));
    expect(p('unless')).toBeGreaterThan(p('or'));
    expect(Object.values(binaryOperators).filter((o) => o.rightAssociative).map((o) => o.op)).toEqual(['^']);
  });

  it('keywords and duration units', () => {
    expect(keywords.map((k) => k.name)).toEqual(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', '@', 'start()', 'end()']);
    expect(durationUnits.map((u) => u.unit)).toEqual(['y', 'w', 'd', 'h', 'm', 's', 'ms']);
  });
});
