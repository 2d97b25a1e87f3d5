/**
 * Query-dependent duration expressions (`[step() + 1m]`, `offset min_of(range(), 5m)`; Prometheus'
 * experimental `promql-duration-expr`): what they are worth for one query, the AST with them
 * resolved to milliseconds (the engine calls this before evaluating), and how they print.
 * Constant duration expressions never get here: the parser folds them.
 */
import type { DurationExpr, Expr, MatrixSelector, PosRange, SubqueryExpr, VectorSelector } from './ast.js';
import { formatDuration } from '../dialect/duration.js';
import { PromQLParseError } from './errors.js';

/** What `step()` and `range()` stand for: the query's step and its end minus start, in ms (0 and 0 for an instant query). */
export interface DurationContext {
  readonly stepMs: number;
  readonly rangeMs: number;
}

/** The expression's value in seconds, computed in float64 as Prometheus does. */
function durationSeconds(d: DurationExpr, ctx: DurationContext, pos: PosRange): number {
  switch (d.kind) {
    case 'number':
      return d.seconds;
    case 'step':
      return ctx.stepMs / 1000;
    case 'range':
      return ctx.rangeMs / 1000;
    case 'unary': {
      const v = durationSeconds(d.expr, ctx, pos);
      return d.op === '-' ? -v : v;
    }
    case 'min_of':
    case 'max_of': {
      const a = durationSeconds(d.lhs, ctx, pos);
      const b = durationSeconds(d.rhs, ctx, pos);
      return d.kind === 'min_of' ? Math.min(a, b) : Math.max(a, b);
    }
    case 'binary': {
      const a = durationSeconds(d.lhs, ctx, pos);
      const b = durationSeconds(d.rhs, ctx, pos);
      switch (d.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          if (b === 0) throw new PromQLParseError('division by zero', pos, 'syntax');
          return a / b;
        case '%':
          if (b === 0) throw new PromQLParseError('modulo by zero', pos, 'syntax');
          return a % b;
        case '^':
          return a ** b;
      }
    }
  }
}

/** Whole milliseconds, as Prometheus turns the float seconds into a time.Duration. */
function durationMs(d: DurationExpr, ctx: DurationContext, pos: PosRange, positive: boolean): number {
  const ms = Math.trunc(durationSeconds(d, ctx, pos) * 1000);
  if (!Number.isFinite(ms)) throw new PromQLParseError('duration expression is not a finite duration', pos, 'syntax');
  if (positive && !(ms > 0)) throw new PromQLParseError('duration must be greater than 0', pos, 'syntax');
  return ms;
}

/** A duration expression without `step()` / `range()` in whole milliseconds (the parser folds these). */
export function constantDurationMs(d: DurationExpr, pos: PosRange): number {
  return durationMs(d, { stepMs: 0, rangeMs: 0 }, pos, false);
}

/** Whether the tree holds a selector or subquery whose durations depend on the query. */
function hasQueryDurations(e: Expr): boolean {
  switch (e.type) {
    case 'vector':
      return e.offsetExpr !== undefined;
    case 'matrix':
      return e.rangeExpr !== undefined || e.vector.offsetExpr !== undefined;
    case 'subquery':
      return e.rangeExpr !== undefined || e.stepExpr !== undefined || e.offsetExpr !== undefined || hasQueryDurations(e.expr);
    case 'paren':
    case 'unary':
      return hasQueryDurations(e.expr);
    case 'call':
      return e.args.some(hasQueryDurations);
    case 'aggregate':
      return hasQueryDurations(e.expr) || (e.param !== null && hasQueryDurations(e.param));
    case 'binary':
      return hasQueryDurations(e.lhs) || hasQueryDurations(e.rhs);
    default:
      return false;
  }
}

/** The AST with every query-dependent duration replaced by its value for this query. */
export function resolveDurations(e: Expr, ctx: DurationContext): Expr {
  if (!hasQueryDurations(e)) return e;
  switch (e.type) {
    case 'vector':
      return resolveVector(e, ctx);
    case 'matrix': {
      const { rangeExpr, ...rest } = e;
      const m: MatrixSelector = { ...rest, vector: resolveVector(e.vector, ctx) };
      return rangeExpr === undefined ? m : { ...m, range: durationMs(rangeExpr, ctx, e.pos, true) };
    }
    case 'subquery': {
      const { rangeExpr, stepExpr, offsetExpr, ...rest } = e;
      const out: SubqueryExpr = {
        ...rest,
        expr: resolveDurations(e.expr, ctx),
        range: rangeExpr === undefined ? e.range : durationMs(rangeExpr, ctx, e.pos, true),
        step: stepExpr === undefined ? e.step : durationMs(stepExpr, ctx, e.pos, true),
        offset: offsetExpr === undefined ? e.offset : durationMs(offsetExpr, ctx, e.pos, false),
      };
      return out;
    }
    case 'paren':
    case 'unary':
      return { ...e, expr: resolveDurations(e.expr, ctx) };
    case 'call':
      return { ...e, args: e.args.map((a) => resolveDurations(a, ctx)) };
    case 'aggregate':
      return { ...e, expr: resolveDurations(e.expr, ctx), param: e.param === null ? null : resolveDurations(e.param, ctx) };
    case 'binary':
      return { ...e, lhs: resolveDurations(e.lhs, ctx), rhs: resolveDurations(e.rhs, ctx) };
    default:
      return e;
  }
}

function resolveVector(vs: VectorSelector, ctx: DurationContext): VectorSelector {
  if (vs.offsetExpr === undefined) return vs;
  const { offsetExpr, ...rest } = vs;
  return { ...rest, offset: durationMs(offsetExpr, ctx, vs.pos, false) };
}

/** Prometheus-style text of a duration expression; it parses back to the same tree. */
export function printDuration(d: DurationExpr): string {
  switch (d.kind) {
    case 'number': {
      const ms = d.seconds * 1000;
      return Number.isInteger(ms) && ms > 0 ? formatDuration(ms) : String(d.seconds);
    }
    case 'step':
    case 'range':
      return `${d.kind}()`;
    case 'unary':
      return `${d.op}${operand(d.expr)}`;
    case 'min_of':
    case 'max_of':
      return `${d.kind}(${printDuration(d.lhs)}, ${printDuration(d.rhs)})`;
    case 'binary':
      return `${operand(d.lhs)} ${d.op} ${operand(d.rhs)}`;
  }
}

/** An operand in parentheses unless it is a literal or a call, so precedence never matters. */
export function operand(d: DurationExpr): string {
  return d.kind === 'binary' || d.kind === 'unary' ? `(${printDuration(d)})` : printDuration(d);
}
