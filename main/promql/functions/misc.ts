/** absent*, scalar/vector conversions, time(), timestamp(), sort*, query-bound functions. */
import type { Expr } from '../../../app/promql/ast.js';
import type { Labels } from '../../tsdb/labels.js';
import { normalizeLabels } from '../../tsdb/labels.js';
import { unwrapParens } from '../evaluator.js';
import type { EvalValue, StepSeries } from '../value.js';
import { newStepSeries } from '../value.js';
import { mapSamples, matrixArg, scalarArg, vector, vectorArg } from './helpers.js';
import type { FnCall, FunctionImpl } from './types.js';

/** Labels `absent()` reports: equality matchers of the selector, minus repeated names. */
function absentLabels(expr: Expr | undefined): Labels {
  if (expr === undefined) return [];
  const sel = expr.type === 'matrix' ? expr.vector : expr.type === 'vector' ? expr : null;
  if (sel === null) return [];
  const map = new Map<string, string>();
  const dropped = new Set<string>();
  for (const m of sel.matchers) {
    if (m.name === '__name__') continue;
    if (m.op === '=' && !map.has(m.name) && !dropped.has(m.name)) map.set(m.name, m.value);
    else {
      map.delete(m.name);
      dropped.add(m.name);
    }
  }
  return normalizeLabels([...map].map(([name, value]) => ({ name, value })));
}

function scalarFill(c: FnCall, f: (i: number) => number): EvalValue {
  const v = new Float64Array(c.grid.length);
  for (let i = 0; i < v.length; i++) v[i] = f(i);
  return { kind: 'scalar', v };
}

function scalarPair(c: FnCall, f: (a: number, b: number) => number): EvalValue {
  const a = scalarArg(c, 0);
  const b = scalarArg(c, 1);
  return scalarFill(c, (i) => f(a[i]!, b[i]!));
}

function sortBy(c: FnCall, desc: boolean): EvalValue {
  if (c.env.isRangeQuery) {
    c.env.annotations.warn('sort is ineffective for range queries since results are always ordered by labels', c.call.pos);
  }
  const series = vectorArg(c, 0).series.slice();
  const at = (s: StepSeries): number => s.v[0]!;
  // NaN sorts last in both directions, as in Prometheus.
  series.sort((a, b) => {
    const x = at(a);
    const y = at(b);
    if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
    if (Number.isNaN(y)) return -1;
    return desc ? y - x : x - y;
  });
  return vector(series);
}

export const miscFunctions = {
  absent: (c: FnCall): EvalValue | Promise<EvalValue> => {
    const n = c.grid.length;
    const present = new Uint8Array(n);
    for (const s of vectorArg(c, 0).series) for (let i = 0; i < n; i++) if (s.has[i]) present[i] = 1;
    const r = newStepSeries(absentLabels(c.call.args[0]), n, false);
    for (let i = 0; i < n; i++) {
      if (present[i]) continue;
      r.v[i] = 1;
      r.has[i] = 1;
    }
    return vector(r.has.includes(1) ? [r] : []);
  },
  absent_over_time: (c: FnCall): EvalValue | Promise<EvalValue> => {
    const m = matrixArg(c, 0);
    const n = c.grid.length;
    const present = new Uint8Array(n);
    for (const s of m.series) {
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < n; i++) {
        const end = m.ends[i]!;
        while (hi < s.t.length && s.t[hi]! <= end) hi++;
        while (lo < s.t.length && s.t[lo]! <= end - m.range) lo++;
        if (lo < hi) present[i] = 1;
      }
    }
    const r = newStepSeries(absentLabels(c.call.args[0]), n, false);
    for (let i = 0; i < n; i++) {
      if (present[i]) continue;
      r.v[i] = 1;
      r.has[i] = 1;
    }
    return vector(r.has.includes(1) ? [r] : []);
  },
  scalar: (c: FnCall): EvalValue | Promise<EvalValue> => {
    const series = vectorArg(c, 0).series;
    return scalarFill(c, (i) => {
      let found = NaN;
      let count = 0;
      for (const s of series) {
        if (!s.has[i]) continue;
        if (++count > 1) return NaN;
        found = s.v[i]!;
      }
      return found;
    });
  },
  vector: (c: FnCall): EvalValue | Promise<EvalValue> => {
    const v = scalarArg(c, 0);
    const r = newStepSeries([], c.grid.length, false);
    r.v.set(v);
    r.has.fill(1);
    return vector([r]);
  },
  time: (c: FnCall): EvalValue => scalarFill(c, (i) => c.grid[i]! / 1000),
  pi: (c: FnCall): EvalValue => scalarFill(c, () => Math.PI),
  // Go's math.Min / math.Max: NaN if either argument is NaN.
  min_of: (c: FnCall): EvalValue => scalarPair(c, Math.min),
  max_of: (c: FnCall): EvalValue => scalarPair(c, Math.max),
  start: (c: FnCall): EvalValue => scalarFill(c, () => c.env.queryStart / 1000),
  end: (c: FnCall): EvalValue => scalarFill(c, () => c.env.queryEnd / 1000),
  range: (c: FnCall): EvalValue => scalarFill(c, () => (c.env.queryEnd - c.env.queryStart) / 1000),
  step: (c: FnCall): EvalValue => scalarFill(c, () => c.env.queryStep / 1000),
  timestamp: (c: FnCall): EvalValue | Promise<EvalValue> => {
    // The evaluator already replaced a selector argument's values with sample timestamps.
    const arg = c.call.args[0];
    const fromSelector = arg !== undefined && unwrapParens(arg).type === 'vector';
    return mapSamples(c, vectorArg(c, 0), (x, i) => (fromSelector ? x : c.grid[i]! / 1000));
  },
  sort: (c: FnCall): EvalValue => sortBy(c, false),
  sort_desc: (c: FnCall): EvalValue => sortBy(c, true),
} satisfies Record<string, FunctionImpl>;
