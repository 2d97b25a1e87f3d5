import { describe, expect, it } from 'vitest';
import { checkExpr, typeOf } from '../../../app/promql/checker.js';
import { parse, parseExpr } from '../../../app/promql/parser.js';
import { bad } from './bad-queries.js';


describe('checker messages and positions', () => {
  it.each(bad)('%s', (q, msg, covered) => {
    const { errors } = parse(q);
    const err = errors.find((e) => e.message === msg);
    expect(err, `got: ${errors.map((e) => e.message).join(' | ')}`).toBeDefined();
    expect(q.slice(err?.pos.start, err?.pos.end)).toBe(covered);
    expect(() => parseExpr(q)).toThrow();
  });

  it('experimental functions pass when enabled', () => {
    expect(parse('sort_by_label(x, "a", "b")', { enableExperimental: true }).errors).toEqual([]);
    expect(parse('limitk(1, x)', { enableExperimental: true }).errors).toEqual([]);
    expect(parse('double_exponential_smoothing(x[5m], 0.5, 0.5)', { enableExperimental: true }).errors).toEqual([]);
    expect(parse('integral(x[5m])', { enableExperimental: true }).errors).toEqual([]);
  });

  it('accepts what Prometheus accepts', () => {
    for (const q of ['{a!=""}', '{a=~".+"}', 'x == bool 1', '1 == bool 2', 'x and on(a) y', 'info(x, {})', 'label_join(x, "a", ",", "b", "c")', 'time()', 'vector(1) + on() group_left x']) {
      expect(parse(q, { enableExperimental: true }).errors.map((e) => e.message), q).toEqual([]);
    }
  });

  it('typeOf follows Prometheus Expr.Type()', () => {
    const t = (q: string): string => typeOf(parseExpr(q, { enableExperimental: true }));
    expect(t('1 + 2')).toBe('scalar');
    expect(t('x + 2')).toBe('vector');
    expect(t('x[5m]')).toBe('matrix');
    expect(t('x[5m:]')).toBe('matrix');
    expect(t('"s"')).toBe('string');
    expect(t('scalar(x)')).toBe('scalar');
    expect(t('-(time())')).toBe('scalar');
  });

  it('checkExpr works on trees built in code', () => {
    const errs = checkExpr({ type: 'call', func: 'rate', args: [{ type: 'number', value: 1, pos: { start: 5, end: 6 } }], pos: { start: 0, end: 7 } });
    expect(errs.map((e) => e.message)).toEqual(['expected type range vector in call to function "rate", got scalar']);
  });
});
