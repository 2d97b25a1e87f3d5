/**
 * Everything of PromQL's vocabulary that is not a function: aggregations, binary operators,
 * keywords and duration units, each with a one-line doc for completion and hover. Precedence
 * and associativity follow promql/parser/lex.go (higher binds tighter).
 */
import type { AggregateOp, BinaryOp } from './ast.js';

export interface AggregationInfo {
  readonly name: AggregateOp;
  /** Whether the aggregation takes a parameter before the vector, e.g. topk(3, x). */
  readonly hasParam: boolean;
  /** Type of the parameter, when there is one. */
  readonly paramType: 'scalar' | 'string' | null;
  readonly experimental: boolean;
  readonly doc: string;
}

const agg = (name: AggregateOp, doc: string, paramType: 'scalar' | 'string' | null = null, experimental = false): AggregationInfo => ({
  name,
  hasParam: paramType !== null,
  paramType,
  experimental,
  doc,
});

export const aggregations = {
  sum: agg('sum', 'Sum over dimensions.'),
  min: agg('min', 'Minimum over dimensions.'),
  max: agg('max', 'Maximum over dimensions.'),
  avg: agg('avg', 'Average over dimensions.'),
  group: agg('group', 'All values in the resulting vector are 1.'),
  stddev: agg('stddev', 'Population standard deviation over dimensions.'),
  stdvar: agg('stdvar', 'Population standard variance over dimensions.'),
  count: agg('count', 'Count number of elements in the vector.'),
  count_values: agg('count_values', 'Count number of elements with the same value; the value goes into the named label.', 'string'),
  bottomk: agg('bottomk', 'Smallest k elements by sample value.', 'scalar'),
  topk: agg('topk', 'Largest k elements by sample value.', 'scalar'),
  quantile: agg('quantile', 'φ-quantile (0 ≤ φ ≤ 1) over dimensions.', 'scalar'),
  limitk: agg('limitk', 'Sample k elements (deterministic by series hash).', 'scalar', true),
  limit_ratio: agg('limit_ratio', 'Sample a pseudo-random ratio of elements (-1..1, by series hash).', 'scalar', true),
} as const satisfies Record<AggregateOp, AggregationInfo>;

type OperatorKind = 'arithmetic' | 'comparison' | 'set' | 'trim';

export interface OperatorInfo {
  readonly op: BinaryOp;
  readonly kind: OperatorKind;
  /** 1 (or) … 6 (^); higher binds tighter. Unary minus sits between * and ^. */
  readonly precedence: number;
  readonly rightAssociative: boolean;
  readonly doc: string;
}

const op = (o: BinaryOp, kind: OperatorKind, precedence: number, doc: string, rightAssociative = false): OperatorInfo => ({
  op: o,
  kind,
  precedence,
  rightAssociative,
  doc,
});

export const binaryOperators = {
  or: op('or', 'set', 1, 'Union: all elements of the left side plus right-side elements with no matching label set.'),
  and: op('and', 'set', 2, 'Intersection: left-side elements that have a match on the right side.'),
  unless: op('unless', 'set', 2, 'Complement: left-side elements that have no match on the right side.'),
  '==': op('==', 'comparison', 3, 'Equal; filters unless `bool` is given.'),
  '!=': op('!=', 'comparison', 3, 'Not equal; filters unless `bool` is given.'),
  '>': op('>', 'comparison', 3, 'Greater than; filters unless `bool` is given.'),
  '<': op('<', 'comparison', 3, 'Less than; filters unless `bool` is given.'),
  '>=': op('>=', 'comparison', 3, 'Greater or equal; filters unless `bool` is given.'),
  '<=': op('<=', 'comparison', 3, 'Less or equal; filters unless `bool` is given.'),
  '</': op('</', 'trim', 3, 'Native histogram trimmed to the observations below the right side (experimental).'),
  '>/': op('>/', 'trim', 3, 'Native histogram trimmed to the observations above the right side (experimental).'),
  '+': op('+', 'arithmetic', 4, 'Addition.'),
  '-': op('-', 'arithmetic', 4, 'Subtraction.'),
  '*': op('*', 'arithmetic', 5, 'Multiplication.'),
  '/': op('/', 'arithmetic', 5, 'Division.'),
  '%': op('%', 'arithmetic', 5, 'Modulo.'),
  atan2: op('atan2', 'arithmetic', 5, 'Arctangent of left / right, in radians, using the signs of both.'),
  '^': op('^', 'arithmetic', 6, 'Power; right-associative (2 ^ 3 ^ 2 = 2 ^ 9).', true),
} as const satisfies Record<BinaryOp, OperatorInfo>;

/** Unary minus/plus binds tighter than * and looser than ^, so -1^2 is -(1^2). */
export const unaryPrecedence = 5.5;

export const isComparisonOp = (o: BinaryOp): boolean => binaryOperators[o].kind === 'comparison';
export const isSetOp = (o: BinaryOp): boolean => binaryOperators[o].kind === 'set';
export const isTrimOp = (o: BinaryOp): boolean => binaryOperators[o].kind === 'trim';

export interface KeywordInfo {
  readonly name: string;
  readonly doc: string;
}

export const keywords: readonly KeywordInfo[] = [
  { name: 'by', doc: 'Aggregate keeping only the listed labels.' },
  { name: 'without', doc: 'Aggregate dropping the listed labels, keeping all others.' },
  { name: 'on', doc: 'Match vector elements only on the listed labels.' },
  { name: 'ignoring', doc: 'Match vector elements ignoring the listed labels.' },
  { name: 'group_left', doc: 'Many-to-one matching: each left element may match one right element; copies listed labels from the right.' },
  { name: 'group_right', doc: 'One-to-many matching: each right element may match one left element; copies listed labels from the left.' },
  { name: 'bool', doc: 'Comparison returns 0 or 1 instead of filtering.' },
  { name: 'offset', doc: 'Shift the evaluation time back by a duration (negative shifts forward).' },
  { name: '@', doc: 'Evaluate at a fixed Unix time (seconds), or at start() / end() of the query range.' },
  { name: 'start()', doc: 'After @: the start time of the query range.' },
  { name: 'end()', doc: 'After @: the end time of the query range.' },
];
