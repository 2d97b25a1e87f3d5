/**
 * AST → PromQL text. `printExpr` follows Prometheus' String() methods (printer.go) so output
 * parses back to the same AST; `formatExpr` follows the rules of format_query (prettier.go):
 * an expression that fits in 100 columns stays on one line, otherwise it is split at its
 * top-level structure and children are indented by two spaces.
 */
import type { AtModifier, DurationExpr, Expr, LabelMatcher, VectorMatching, VectorSelector } from './ast.js';
import { operand as durationOperand, printDuration } from './durations.js';
import { binaryOperators, unaryPrecedence } from './catalog.js';
import { formatDuration } from '../dialect/duration.js';
import { quoteString } from './strings.js';

const legacyName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const legacyLabel = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Words that lezer reads as keywords even where a metric name is expected. */
const reservedNames: ReadonlySet<string> = new Set(['bool', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'inf', 'nan']);

function labelName(name: string): string {
  return legacyLabel.test(name) ? name : quoteString(name);
}

function joinLabels(ls: readonly string[]): string {
  return ls.map(labelName).join(', ');
}

/** Go's strconv 'g' shortest form, as Prometheus prints numbers: `1e+06`, `1.5e-07`, `100000`. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const [mantissa = '', expText = '0'] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

function atString(at: AtModifier | null): string {
  if (at === null) return '';
  if (at.kind !== 'time') return ` @ ${at.kind}()`;
  return ` @ ${(at.ms / 1000).toFixed(3)}`;
}

/** ` anchored` / ` smoothed` after the selector's other modifiers, as Prometheus prints them. */
function extendedString(vs: VectorSelector): string {
  return vs.anchored ? ' anchored' : vs.smoothed ? ' smoothed' : '';
}

/** A range or step: the literal, or the query-dependent duration expression as written. */
function durationString(ms: number, expr: DurationExpr | undefined): string {
  return expr === undefined ? formatDuration(ms) : printDuration(expr);
}

function offsetString(ms: number, expr?: DurationExpr): string {
  if (expr !== undefined) return ` offset ${durationOperand(expr)}`;
  if (ms === 0) return '';
  return ms < 0 ? ` offset -${formatDuration(-ms)}` : ` offset ${formatDuration(ms)}`;
}

function matcherString(m: LabelMatcher): string {
  return `${labelName(m.name)}${m.op}${quoteString(m.value)}`;
}

/**
 * The selector without its modifiers. Only the `__name__` matcher derived from the name is
 * hidden. Prometheus sorts the matchers; `sorted` does the same for format_query output, while
 * printExpr keeps source order so the printed text parses back to the identical tree.
 */
function selectorString(vs: VectorSelector, sorted = false): string {
  const shown = [...vs.matchers];
  let name = '';
  if (vs.name !== null) {
    const last = shown[shown.length - 1];
    if (last !== undefined && last.name === '__name__' && last.op === '=' && last.value === vs.name) shown.pop();
    if (legacyName.test(vs.name) && !reservedNames.has(vs.name.toLowerCase())) name = vs.name;
    else shown.unshift({ op: '=', name: '__name__', value: vs.name });
  }
  if (shown.length === 0) return name === '' ? '{}' : name;
  const parts = shown.map(matcherString);
  if (sorted) parts.sort();
  return `${name}{${parts.join(',')}}`;
}

function matchingString(vm: VectorMatching | null): string {
  if (vm === null) return '';
  const grouped = vm.card === 'many-to-one' || vm.card === 'one-to-many';
  // Prometheus omits `ignoring()` when empty; keep it when a group modifier needs it to parse back.
  if (vm.matchingLabels.length === 0 && !vm.on && !grouped) return fillString(vm);
  let s = ` ${vm.on ? 'on' : 'ignoring'} (${joinLabels(vm.matchingLabels)})`;
  if (grouped) s += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${joinLabels(vm.include)})`;
  return s + fillString(vm);
}

function fillString(vm: VectorMatching): string {
  const num = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));
  const l = vm.fillLeft;
  const r = vm.fillRight;
  if (l !== undefined && r !== undefined && Object.is(l, r)) return ` fill(${num(l)})`;
  return (l !== undefined ? ` fill_left(${num(l)})` : '') + (r !== undefined ? ` fill_right(${num(r)})` : '');
}

function precedence(e: Expr): number {
  if (e.type === 'binary') return binaryOperators[e.op].precedence;
  if (e.type === 'unary') return unaryPrecedence;
  return Infinity;
}

interface PrintOptions {
  /** Sort matchers as Prometheus does (format_query); off for exact round trips. */
  readonly sorted: boolean;
}

const exact: PrintOptions = { sorted: false };
const prometheusStyle: PrintOptions = { sorted: true };

/**
 * Parenthesises a child that would otherwise re-associate. Parsed trees keep their parentheses
 * as paren nodes, so this only fires for trees built in code.
 */
function operand(child: Expr, parentPrec: number, rightSide: boolean, rightAssoc: boolean, o: PrintOptions): string {
  const s = print(child, o);
  // A prefix operator on the right cannot be split from its operand: `a ^ -b` is a ^ (-b).
  if (rightSide && child.type === 'unary') return s;
  const p = precedence(child);
  // A negative literal on the left of ^ would read back as -(x ^ y).
  const negativeBase = !rightSide && rightAssoc && child.type === 'number' && (child.value < 0 || Object.is(child.value, -0));
  const tight = negativeBase || (rightSide === rightAssoc ? p < parentPrec : p <= parentPrec);
  return tight ? `(${s})` : s;
}

/** One line, in the style of Prometheus' String(); parses back to the same tree. */
export function printExpr(e: Expr): string {
  return print(e, exact);
}

function print(e: Expr, o: PrintOptions): string {
  switch (e.type) {
    case 'number':
      return formatNumber(e.value);
    case 'string':
      return quoteString(e.value);
    case 'paren':
      return `(${print(e.expr, o)})`;
    case 'unary': {
      const inner = print(e.expr, o);
      // `-(a + b)` needs its parentheses back when the tree was built without a paren node.
      const needParens = e.expr.type === 'binary' && precedence(e.expr) < unaryPrecedence;
      return `${e.op}${needParens ? `(${inner})` : inner}`;
    }
    case 'vector':
      return selectorString(e, o.sorted) + atString(e.at) + offsetString(e.offset, e.offsetExpr) + extendedString(e);
    case 'matrix':
      return `${selectorString(e.vector, o.sorted)}[${durationString(e.range, e.rangeExpr)}]${atString(e.vector.at)}${offsetString(e.vector.offset, e.vector.offsetExpr)}${extendedString(e.vector)}`;
    case 'subquery':
      return `${operand(e.expr, Infinity, false, false, o)}${subquerySuffix(e)}`;
    case 'call':
      return `${e.func}(${e.args.map((a) => print(a, o)).join(', ')})`;
    case 'aggregate':
      return `${aggregateHead(e)}(${e.param === null ? '' : `${print(e.param, o)}, `}${print(e.expr, o)})`;
    case 'binary': {
      const info = binaryOperators[e.op];
      const lhs = operand(e.lhs, info.precedence, false, info.rightAssociative, o);
      const rhs = operand(e.rhs, info.precedence, true, info.rightAssociative, o);
      return `${lhs} ${binaryHead(e)} ${rhs}`;
    }
  }
}

function subquerySuffix(e: Extract<Expr, { type: 'subquery' }>): string {
  // A space keeps `:step()` from reading as one identifier (identifiers may hold colons).
  const step = e.stepExpr !== undefined ? ` ${printDuration(e.stepExpr)}` : e.step === 0 ? '' : formatDuration(e.step);
  return `[${durationString(e.range, e.rangeExpr)}:${step}]${atString(e.at)}${offsetString(e.offset, e.offsetExpr)}`;
}

function aggregateHead(e: Extract<Expr, { type: 'aggregate' }>): string {
  if (e.without) return `${e.op} without (${joinLabels(e.grouping)}) `;
  if (e.grouping.length > 0) return `${e.op} by (${joinLabels(e.grouping)}) `;
  return e.op;
}

function binaryHead(e: Extract<Expr, { type: 'binary' }>): string {
  return `${e.op}${e.returnBool ? ' bool' : ''}${matchingString(e.matching)}`;
}

// ---------------------------------------------------------------------------------------------
// format_query

const MAX_LINE = 100;

/** Multi-line formatting by the rules of Prometheus' prettier (format_query), matchers sorted as it does. */
export function formatExpr(e: Expr): string {
  return pretty(e, 0);
}

function pad(level: number): string {
  return '  '.repeat(level);
}

function pretty(e: Expr, level: number): string {
  const flat = print(e, prometheusStyle);
  // prettier.go returns a subquery that fits without its indent; keep byte-identical output.
  if (flat.length <= MAX_LINE) return e.type === 'subquery' ? flat : pad(level) + flat;
  const ind = pad(level);
  switch (e.type) {
    case 'aggregate': {
      const args = e.param === null ? [e.expr] : [e.param, e.expr];
      return `${ind}${aggregateHead(e)}(\n${args.map((a) => pretty(a, level + 1)).join(',\n')}\n${ind})`;
    }
    case 'call':
      if (e.args.length === 0) return ind + flat;
      return `${ind}${e.func}(\n${e.args.map((a) => pretty(a, level + 1)).join(',\n')}\n${ind})`;
    case 'paren':
      return `${ind}(\n${pretty(e.expr, level + 1)}\n${ind})`;
    case 'binary':
      return `${pretty(e.lhs, level + 1)}\n${ind}${binaryHead(e)}\n${pretty(e.rhs, level + 1)}`;
    case 'unary':
      return `${ind}${e.op}${pretty(e.expr, level).trimStart()}`;
    case 'subquery':
      return `${pretty(e.expr, level)}${subquerySuffix(e)}`;
    default:
      return ind + flat;
  }
}
