/**
 * The runner's `@` re-run (Prometheus' atModifierTestCases): pin every selector and subquery
 * without `@` to the evaluation time, then evaluate at other times; results must not change.
 * Selectors inside an already pinned subquery are left alone, as upstream does.
 */
import type { AtModifier, Expr } from '../../../app/promql/ast.js';

/** Functions whose result depends on the evaluation time even with pinned arguments. */
const atUnsafe = new Set(['days_in_month', 'day_of_month', 'day_of_week', 'day_of_year', 'hour', 'minute', 'month', 'year', 'predict_linear', 'time', 'timestamp', 'start', 'end', 'range', 'step']);

export interface PinResult {
  readonly expr: Expr;
  /** The query calls a time-dependent function outside pinned subqueries: skip the re-run. */
  readonly unsafe: boolean;
}

export function pinAt(expr: Expr, ms: number): PinResult {
  let unsafe = false;
  const at: AtModifier = { kind: 'time', ms };
  const visit = (e: Expr): Expr => {
    switch (e.type) {
      case 'vector':
        return e.at === null ? { ...e, at } : e;
      case 'matrix':
        return e.vector.at === null ? { ...e, vector: { ...e.vector, at } } : e;
      case 'subquery':
        // Children of a pinned subquery keep their own times.
        return e.at === null ? { ...e, at } : e;
      case 'call':
        if (atUnsafe.has(e.func)) unsafe = true;
        return { ...e, args: e.args.map(visit) };
      case 'aggregate':
        return { ...e, expr: visit(e.expr), param: e.param === null ? null : visit(e.param) };
      case 'binary':
        return { ...e, lhs: visit(e.lhs), rhs: visit(e.rhs) };
      case 'paren':
      case 'unary':
        return { ...e, expr: visit(e.expr) };
      case 'number':
      case 'string':
        return e;
    }
  };
  const out = visit(expr);
  return { expr: out, unsafe };
}

export function atTestTimes(t: number): number[] {
  return t === 0 ? [-1000, 0, 1000] : [-10 * t, 0, Math.trunc(t / 5), t, 10 * t];
}
