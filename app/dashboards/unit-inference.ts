/**
 * The unit a PromQL expression's result provably has, as a Grafana unit id, or null when it is
 * not provable. Explore and dashboard panels without a chosen unit both ask here, so a query is
 * labelled the same everywhere.
 *
 * A metric's unit comes from Prometheus' naming conventions (`_seconds`, `_bytes`, `_ratio`,
 * with `_total` / `_sum` keeping it and `_count` losing it). Then only operations that keep
 * the unit keep it: aggregations like sum/avg/max, `*_over_time` that are not counts, `increase`
 * and `delta`, comparisons that filter, ×1 and +0. A rate of seconds is seconds per second (no
 * unit); of bytes, bytes per second. Any other arithmetic — `100 - x * 100` — drops the unit.
 * `histogram_quantile` over `_seconds_bucket` gives seconds.
 */
import type { Expr } from '../promql/ast.js';
import { parseExpr } from '../promql/parser.js';

/** A unit id, or a histogram's buckets over a unit (only histogram_quantile reads the latter). */
type Inferred = { unit: string } | { bucketsOf: string } | null;

const baseUnits: Array<[RegExp, string]> = [
  [/_seconds$/, 's'],
  [/_milliseconds$/, 'ms'],
  [/_bytes$/, 'bytes'],
  [/_ratio$/, 'percentunit'],
  [/_celsius$/, 'celsius'],
  [/_volts$/, 'volt'],
  [/_watts$/, 'watt'],
];

/** Per-second units for a rate of a counter in a unit (absent: no unit). */
const perSecond: Record<string, string> = { bytes: 'Bps' };

function unitOfName(name: string): Inferred {
  const bucket = /_bucket$/.test(name);
  if (/_count$/.test(name)) return null;
  const base = name.replace(/_(total|sum|bucket)$/, '');
  for (const [re, unit] of baseUnits) if (re.test(base)) return bucket ? { bucketsOf: unit } : { unit };
  return null;
}

const keepFunctions = new Set([
  'abs', 'ceil', 'floor', 'round', 'clamp', 'clamp_min', 'clamp_max', 'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc',
  'label_replace', 'label_join', 'last_over_time', 'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time',
  'quantile_over_time', 'stddev_over_time', 'mad_over_time', 'increase', 'delta', 'idelta', 'predict_linear',
  'holt_winters', 'double_exponential_smoothing',
]);
const rateFunctions = new Set(['rate', 'irate', 'deriv']);
const keepAggregates = new Set(['sum', 'avg', 'min', 'max', 'topk', 'bottomk', 'quantile', 'stddev', 'limitk', 'limit_ratio']);

const same = (a: Inferred, b: Inferred): boolean => JSON.stringify(a) === JSON.stringify(b);

function infer(e: Expr): Inferred {
  switch (e.type) {
    case 'vector':
      return e.name !== null ? unitOfName(e.name) : null;
    case 'matrix':
      return infer(e.vector);
    case 'subquery':
    case 'paren':
      return infer(e.expr);
    case 'unary':
      return infer(e.expr);
    case 'number':
    case 'string':
      return null;
    case 'aggregate':
      return keepAggregates.has(e.op) ? infer(e.expr) : null;
    case 'call': {
      const arg = e.args[0];
      if (e.func === 'histogram_quantile') {
        const inner = e.args[1] ? infer(e.args[1]) : null;
        return inner !== null && 'bucketsOf' in inner ? { unit: inner.bucketsOf } : null;
      }
      if (arg === undefined) return null;
      const inner = infer(arg);
      if (rateFunctions.has(e.func)) {
        if (inner === null) return null;
        // The rate of buckets is still buckets for histogram_quantile.
        if ('bucketsOf' in inner) return inner;
        const ps = perSecond[inner.unit];
        return ps !== undefined ? { unit: ps } : null;
      }
      return keepFunctions.has(e.func) ? inner : null;
    }
    case 'binary': {
      const l = infer(e.lhs);
      const r = infer(e.rhs);
      const lit = (x: Expr): number | null => {
        let y = x;
        while (y.type === 'paren') y = y.expr;
        return y.type === 'number' ? y.value : null;
      };
      switch (e.op) {
        case '+':
        case '-':
          if (lit(e.rhs) === 0) return l;
          if (lit(e.lhs) === 0 && e.op === '+') return r;
          return l !== null && same(l, r) ? l : null;
        case '*':
          if (lit(e.rhs) === 1) return l;
          if (lit(e.lhs) === 1) return r;
          return null;
        case '/':
          return lit(e.rhs) === 1 ? l : null;
        case '==':
        case '!=':
        case '>':
        case '<':
        case '>=':
        case '<=':
          if (e.returnBool) return null;
          return e.lhs.type === 'number' ? r : l;
        case 'and':
        case 'unless':
          return l;
        case 'or':
          return same(l, r) ? l : null;
        default:
          return null;
      }
    }
  }
}

/** The Grafana unit id of `query`'s result, or null (unparseable, or no provable unit). */
export function inferUnit(query: string): string | null {
  if (query.trim() === '') return null;
  let e: Expr;
  try {
    e = parseExpr(query);
  } catch {
    return null;
  }
  const r = infer(e);
  return r !== null && 'unit' in r ? r.unit : null;
}

/** The unit shared by every query, else null (two panels in one chart share an axis). */
export function inferSharedUnit(queries: readonly string[]): string | null {
  const units = new Set(queries.filter((q) => q.trim() !== '').map(inferUnit));
  return units.size === 1 ? [...units][0]! : null;
}
