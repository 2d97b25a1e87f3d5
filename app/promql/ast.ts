/**
 * The typed PromQL syntax tree, shared by the engine (main/promql) and the editor (renderer).
 * A sealed discriminated union on `type`; every node carries the half-open character range
 * [start, end) of the query text it came from. Times and durations are milliseconds.
 * Mirrors Prometheus' promql/parser/ast.go so semantics map one to one.
 */

export interface PosRange {
  readonly start: number;
  readonly end: number;
}

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export type { LabelMatcher, MatchOp } from '../dialect/matcher.js';
import type { LabelMatcher } from '../dialect/matcher.js';

export type AggregateOp =
  | 'sum'
  | 'min'
  | 'max'
  | 'avg'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'count'
  | 'count_values'
  | 'bottomk'
  | 'topk'
  | 'quantile'
  | 'limitk'
  | 'limit_ratio';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
type SetOp = 'and' | 'or' | 'unless';
/** Experimental native histogram trim operators: `h </ x` keeps observations below x, `h >/ x` above. */
type TrimOp = '</' | '>/';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp | TrimOp;

type VectorMatchCardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  readonly card: VectorMatchCardinality;
  /** Labels listed in `on(...)` or `ignoring(...)`. */
  readonly matchingLabels: readonly string[];
  /** True for `on`, false for `ignoring` (and for no clause at all). */
  readonly on: boolean;
  /** Extra labels of `group_left(...)` / `group_right(...)`. */
  readonly include: readonly string[];
  /**
   * Experimental `fill(v)` / `fill_left(v)` / `fill_right(v)`: the value that stands in for a
   * missing left / right operand (relative to the operands after group_right's swap, as in
   * Prometheus); absent when not written.
   */
  readonly fillLeft?: number;
  readonly fillRight?: number;
}

/** `@ start()` / `@ end()` are resolved to the query's start or end time at evaluation. */
export type AtModifier = { readonly kind: 'time'; readonly ms: number } | { readonly kind: 'start' } | { readonly kind: 'end' };

export interface VectorSelector {
  readonly type: 'vector';
  /** Metric name written before the braces, or null (`{job="x"}`). */
  readonly name: string | null;
  /** All matchers, including a `__name__` equality matcher derived from `name`. */
  readonly matchers: readonly LabelMatcher[];
  /** `offset` in ms (negative allowed), 0 when absent. */
  readonly offset: number;
  readonly at: AtModifier | null;
  /**
   * Experimental extended range selectors (`promql-extended-range-selectors`): `anchored` takes
   * the last sample at or before a window's start as its left edge, `smoothed` interpolates both
   * edges (and, on an instant selector, the value at the step). Absent when not written.
   */
  readonly anchored?: boolean;
  readonly smoothed?: boolean;
  /** `offset step()`-style duration expression, resolved per query (durations.ts); `offset` is 0 until then. */
  readonly offsetExpr?: DurationExpr;
  readonly pos: PosRange;
}

/**
 * An experimental duration expression that needs the query (`step()`, `range()`): kept beside
 * the millisecond field it sets, which holds 0 until the engine resolves it for a query
 * (app/promql/durations.ts). Constant duration expressions are folded by the parser instead.
 * Numbers are seconds, as Prometheus computes them.
 */
export type DurationExpr =
  | { readonly kind: 'number'; readonly seconds: number }
  | { readonly kind: 'step' | 'range' }
  | { readonly kind: 'unary'; readonly op: '-' | '+'; readonly expr: DurationExpr }
  | { readonly kind: 'binary'; readonly op: '+' | '-' | '*' | '/' | '%' | '^'; readonly lhs: DurationExpr; readonly rhs: DurationExpr }
  | { readonly kind: 'min_of' | 'max_of'; readonly lhs: DurationExpr; readonly rhs: DurationExpr };

export interface MatrixSelector {
  readonly type: 'matrix';
  readonly vector: VectorSelector;
  /** Range in ms, e.g. 300000 for `[5m]`. */
  readonly range: number;
  readonly rangeExpr?: DurationExpr;
  readonly pos: PosRange;
}

export interface SubqueryExpr {
  readonly type: 'subquery';
  readonly expr: Expr;
  readonly range: number;
  /** Resolution in ms; 0 when omitted (`[1h:]`), meaning the engine's default evaluation interval. */
  readonly step: number;
  readonly offset: number;
  readonly at: AtModifier | null;
  /** Query-dependent duration expressions of the range, step and offset (see DurationExpr). */
  readonly rangeExpr?: DurationExpr;
  readonly stepExpr?: DurationExpr;
  readonly offsetExpr?: DurationExpr;
  readonly pos: PosRange;
}

export interface AggregateExpr {
  readonly type: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** The parameter of topk/bottomk/quantile/count_values/limitk/limit_ratio, else null. */
  readonly param: Expr | null;
  readonly grouping: readonly string[];
  /** True for `without (...)`; false for `by (...)` and for no clause. */
  readonly without: boolean;
  readonly pos: PosRange;
}

export interface BinaryExpr {
  readonly type: 'binary';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** Null when at least one side is a scalar. */
  readonly matching: VectorMatching | null;
  /** The `bool` modifier of comparison operators. */
  readonly returnBool: boolean;
  readonly pos: PosRange;
}

export interface Call {
  readonly type: 'call';
  /** Function name as written; the catalog says whether it exists. */
  readonly func: string;
  readonly args: readonly Expr[];
  readonly pos: PosRange;
}

interface NumberLiteral {
  readonly type: 'number';
  readonly value: number;
  readonly pos: PosRange;
}

interface StringLiteral {
  readonly type: 'string';
  readonly value: string;
  readonly pos: PosRange;
}

interface ParenExpr {
  readonly type: 'paren';
  readonly expr: Expr;
  readonly pos: PosRange;
}

export interface UnaryExpr {
  readonly type: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
  readonly pos: PosRange;
}

export type Expr =
  | AggregateExpr
  | BinaryExpr
  | Call
  | MatrixSelector
  | SubqueryExpr
  | NumberLiteral
  | StringLiteral
  | ParenExpr
  | UnaryExpr
  | VectorSelector;

