/**
 * PromQL text → typed AST (ast.ts). Lezer's PromQL grammar (the one the Prometheus UI uses)
 * builds the concrete tree; this file converts it node by node into our AST with a position
 * on every node, applying the rules Prometheus' own grammar actions apply (sign folding,
 * offset/@ placement, positive ranges, aggregation arguments). `parseExpr` then runs the
 * type checker, so a query that parses here is one Prometheus accepts.
 */
import { parser as lezer } from '@prometheus-io/lezer-promql';
import type { SyntaxNode, Tree } from '@lezer/common';
import type {
  AggregateExpr,
  AggregateOp,
  AtModifier,
  BinaryExpr,
  BinaryOp,
  Call,
  DurationExpr,
  Expr,
  LabelMatcher,
  MatchOp,
  MatrixSelector,
  PosRange,
  SubqueryExpr,
  VectorMatching,
  VectorSelector,
} from './ast.js';
import { aggregations, binaryOperators, isSetOp, unaryPrecedence } from './catalog.js';
import { checkExpr, type CheckOptions } from './checker.js';
import { constantDurationMs } from './durations.js';
import { compileMatcher } from '../dialect/matcher.js';
import { RegexSyntaxError } from '../dialect/regex.js';
import { PromQLParseError } from './errors.js';
import { MAX_DEPTH, prescan, type Prescan } from './parser-prescan.js';
import { numberValue, secondsToMs, signedNumberValue } from './parser-literals.js';
import { StringSyntaxError, unquoteString } from './strings.js';
import { typeOf } from './types.js';

export { PromQLParseError } from './errors.js';
export { MAX_DEPTH } from './parser-prescan.js';

/**
 * `enableExperimental`: accept functions behind Prometheus' promql-experimental-functions flag
 * (and the duration-expression syntax, binop fill modifiers);
 * `enableExtendedRangeSelectors`: accept `anchored` / `smoothed` (promql-extended-range-selectors).
 */
export type ParseOptions = Omit<CheckOptions, 'input'> & { readonly enableExtendedRangeSelectors?: boolean };

export interface ParseResult {
  /** Null when the text has syntax errors; present (possibly with type errors) otherwise. */
  readonly expr: Expr | null;
  readonly errors: readonly PromQLParseError[];
}

/** Parses and type-checks; throws the first PromQLParseError. */
export function parseExpr(input: string, opts: ParseOptions = {}): Expr {
  const { expr, errors } = parse(input, opts);
  const first = errors[0];
  if (first !== undefined) throw first;
  if (expr === null) throw new PromQLParseError('no expression found in input', { start: 0, end: input.length }, 'syntax');
  return expr;
}

/** For the editor: every error found, and the AST whenever the syntax is valid. */
export function parse(input: string, opts: ParseOptions = {}): ParseResult {
  try {
    return parseUnguarded(input, opts);
  } catch (e) {
    // The depth bounds above keep our own recursion shallow; this catches a stack overflow
    // inside lezer's tree building on pathological input (tens of thousands of chained
    // operators or subqueries), which depends on the stack size of the thread we run on.
    if (e instanceof RangeError) {
      return { expr: null, errors: [new PromQLParseError(`expression nests too deeply to parse; simplify the query`, { start: 0, end: input.length }, 'syntax')] };
    }
    throw e;
  }
}

function parseUnguarded(input: string, opts: ParseOptions): ParseResult {
  const syntax = (message: string, pos: PosRange): ParseResult => ({ expr: null, errors: [new PromQLParseError(message, pos, 'syntax')] });
  const pre = prescan(input);
  const lexErr = pre.errors[0];
  if (lexErr !== undefined) return syntax(lexErr.message, lexErr.pos);
  const tree = lezer.parse(pre.text);
  const treeErr = firstTreeError(tree, input, pre);
  if (treeErr !== null) return { expr: null, errors: [treeErr] };
  const conv = new Converter(input, pre, opts.enableExperimental ?? false, opts.enableExtendedRangeSelectors ?? false);
  let expr: Expr | null;
  try {
    expr = conv.top(tree.topNode);
  } catch (e) {
    if (e instanceof PromQLParseError) return { expr: null, errors: [e] };
    throw e;
  }
  if (conv.errors.length > 0 || expr === null) {
    return { expr: null, errors: conv.errors.length > 0 ? conv.errors : [new PromQLParseError('no expression found in input', { start: 0, end: input.length }, 'syntax')] };
  }
  return { expr, errors: checkExpr(expr, { ...opts, input }) };
}

// ---------------------------------------------------------------------------------------------
// Syntax errors from lezer's recovery

function firstTreeError(tree: Tree, input: string, pre: Prescan): PromQLParseError | null {
  let first: SyntaxNode | null = null;
  let depth = 0;
  let maxDepth = 0;
  let deepAt = 0;
  tree.iterate({
    enter(node) {
      depth++;
      if (depth > maxDepth) {
        maxDepth = depth;
        deepAt = node.from;
      }
      if (first === null && node.type.isError) first = node.node;
    },
    leave() {
      depth--;
    },
  });
  if (first === null) return null;
  // Lezer gives up on very long operator chains; say so instead of pointing at a random token.
  if (maxDepth > MAX_DEPTH) {
    return new PromQLParseError(`expression nests more than ${MAX_DEPTH} levels deep; simplify the query`, { start: deepAt, end: deepAt + 1 }, 'syntax');
  }
  const short = [...pre.unparsable.entries()][0];
  if (short !== undefined) {
    const [at, name] = short;
    return new PromQLParseError(`unknown function with name ${JSON.stringify(name)}`, { start: at, end: at + name.length }, 'syntax');
  }
  const err = first as SyntaxNode;
  let at = err.from;
  while (at < input.length && /\s/.test(input[at] as string)) at++;
  if (at >= input.trimEnd().length) {
    const context = endContexts.find(([re]) => re.test(input.trimEnd()))?.[1] ?? '';
    return new PromQLParseError(`unexpected end of input${context}`, { start: input.length, end: input.length }, 'syntax');
  }
  const before = input.slice(0, at).trimEnd();
  if (input[at] === ')' && before.endsWith(',')) {
    return new PromQLParseError('trailing commas not allowed in function call args', { start: before.length - 1, end: before.length }, 'syntax');
  }
  const rest = input.slice(at);
  const word = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(rest)?.[0];
  const num = /^[0-9.][0-9a-zA-Z_.]*/.exec(rest)?.[0];
  const str = /^["'`]/.test(rest);
  const ch = rest[0] as string;
  const [message, len] =
    word !== undefined
      ? [`unexpected identifier ${JSON.stringify(word)}`, word.length]
      : num !== undefined
        ? [`unexpected number ${JSON.stringify(num)}`, num.length]
        : str
          ? [`unexpected string ${JSON.stringify(/^("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)/.exec(rest)?.[0] ?? ch)}`, 1]
          : [punctuation.has(ch) ? `unexpected ${JSON.stringify(ch)}` : `unexpected character: '${ch}'`, 1];
  return new PromQLParseError(message, { start: at, end: at + len }, 'syntax');
}

/** What Prometheus' grammar expected when the input ends right after these tokens. */
const endContexts: readonly (readonly [RegExp, string])[] = [
  [/@$/, ' in @, expected timestamp'],
  [/\boffset$/i, ' in offset, expected duration'],
  [/\b(by|without)$/i, ' in grouping opts, expected "("'],
];

const punctuation: ReadonlySet<string> = new Set([...'(){}[],:=!~<>+-*/%^@']);

// ---------------------------------------------------------------------------------------------
// Lezer tree → AST

const binaryOps: Readonly<Record<string, BinaryOp>> = {
  Pow: '^', Mul: '*', Div: '/', Mod: '%', Atan2: 'atan2', Add: '+', Sub: '-',
  Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=', TrimUpper: '</', TrimLower: '>/',
  And: 'and', Or: 'or', Unless: 'unless',
};

const matchTypes: Readonly<Record<string, MatchOp>> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

/** Node names that are syntax we recognise but deliberately do not support. */
const unsupported: Readonly<Record<string, string>> = {
  AnchoredExpr: 'anchored modifier is experimental and not enabled',
  SmoothedExpr: 'smoothed modifier is experimental and not enabled',
};

/** Lezer nodes for constructs written after their operand. */
const postfixNodes: ReadonlySet<string> = new Set(['OffsetExpr', 'StepInvariantExpr', 'MatrixSelector', 'SubqueryExpr', 'AnchoredExpr', 'SmoothedExpr']);

function defaultMatching(op: BinaryOp): VectorMatching {
  return { card: isSetOp(op) ? 'many-to-many' : 'one-to-one', matchingLabels: [], on: false, include: [] };
}

const DURATION_EXPR_DISABLED = 'experimental duration expression is not enabled';

/** A parsed duration: milliseconds, or a query-dependent expression (ms 0 until resolved). */
interface Dur {
  readonly ms: number;
  readonly expr?: DurationExpr;
}

const durationOps: Readonly<Record<string, '+' | '-' | '*' | '/' | '%' | '^'>> = { Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^' };

/** Children that carry meaning (comments are skipped tokens and may appear anywhere). */
function kids(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) if (c.name !== 'LineComment') out.push(c);
  return out;
}

class Converter {
  readonly errors: PromQLParseError[] = [];

  constructor(
    private readonly input: string,
    private readonly pre: Prescan,
    /** Experimental syntax: duration expressions (`[5m+1m]`, `offset (2*1m)`; constant ones only) and binop fill modifiers. */
    private readonly durationExprs: boolean = false,
    /** `anchored` / `smoothed` after a selector. */
    private readonly extendedSelectors: boolean = false,
  ) {}

  top(root: SyntaxNode): Expr | null {
    const body = kids(root)[0];
    return body === undefined ? null : this.expr(body, 0);
  }

  private fail(message: string, pos: PosRange): never {
    throw new PromQLParseError(message, pos, 'syntax');
  }

  private text(n: SyntaxNode): string {
    return this.input.slice(n.from, n.to);
  }

  private pos(n: SyntaxNode): PosRange {
    // `2.` reached lezer as `2 `; give the literal its dot back.
    return { start: n.from, end: this.pre.trailingDots.has(n.to) ? n.to + 1 : n.to };
  }

  private expr(n: SyntaxNode, depth: number): Expr {
    if (depth > MAX_DEPTH) this.fail(`expression nests more than ${MAX_DEPTH} levels deep; simplify the query`, this.pos(n));
    const d = depth + 1;
    if (this.extendedSelectors && (n.name === 'AnchoredExpr' || n.name === 'SmoothedExpr')) return this.extended(n, d);
    const unsup = unsupported[n.name];
    if (unsup !== undefined) this.fail(unsup, this.pos(n));
    switch (n.name) {
      case 'NumberDurationLiteral':
        return { type: 'number', value: this.number(n, signedNumberValue), pos: this.pos(n) };
      case 'StringLiteral':
        return { type: 'string', value: this.string(n), pos: this.pos(n) };
      case 'ParenExpr':
        return { type: 'paren', expr: this.expr(this.only(n), d), pos: this.pos(n) };
      case 'UnaryExpr':
        return this.unary(n, d);
      case 'VectorSelector':
        return this.vectorSelector(n);
      case 'MatrixSelector':
        return this.matrix(n, d);
      case 'SubqueryExpr':
        return this.subquery(n, d);
      case 'OffsetExpr':
        return this.offset(n, d);
      case 'StepInvariantExpr':
        return this.at(n, d);
      case 'FunctionCall':
        return this.call(n, d);
      case 'AggregateExpr':
        return this.aggregate(n, d);
      case 'BinaryExpr':
        return this.binary(n, d);
      default:
        return this.fail(`unexpected ${n.name} in expression`, this.pos(n));
    }
  }

  private only(n: SyntaxNode): SyntaxNode {
    const c = kids(n)[0];
    return c ?? this.fail('unexpected end of input', { start: n.to, end: n.to });
  }

  private number(n: SyntaxNode, read: (t: string) => number): number {
    try {
      return read(this.text(n));
    } catch (e) {
      return this.fail(e instanceof Error ? e.message : String(e), this.pos(n));
    }
  }

  private string(n: SyntaxNode): string {
    try {
      return unquoteString(this.text(n));
    } catch (e) {
      if (e instanceof StringSyntaxError) this.fail(e.message, { start: n.from + Math.max(0, e.offset - 1), end: n.to });
      throw e;
    }
  }

  private unary(n: SyntaxNode, d: number): Expr {
    const [opNode, operand] = kids(n);
    if (opNode === undefined || operand === undefined) return this.fail('unexpected end of input', { start: n.to, end: n.to });
    const op = this.text(opNode) === '-' ? '-' : '+';
    const inner = this.expr(operand, d);
    // Prometheus folds a sign into a number literal rather than keeping a unary node.
    if (inner.type === 'number') return { type: 'number', value: op === '-' ? -inner.value : inner.value, pos: { start: n.from, end: inner.pos.end } };
    return { type: 'unary', op, expr: inner, pos: this.pos(n) };
  }

  private labelName(n: SyntaxNode): string {
    return n.name === 'QuotedLabelName' ? this.string(this.only(n)) : this.text(n);
  }

  private vectorSelector(n: SyntaxNode): VectorSelector {
    let name: string | null = null;
    const matchers: LabelMatcher[] = [];
    for (const c of kids(n)) {
      if (c.name === 'Identifier') name = this.text(c);
      else if (c.name === 'LabelMatchers') {
        for (const m of kids(c)) {
          if (m.name === 'QuotedLabelName') {
            matchers.push({ op: '=', name: '__name__', value: this.labelName(m) });
            continue;
          }
          const [ln, op, val] = kids(m);
          if (ln === undefined || op === undefined || val === undefined) return this.fail('unexpected end of label matcher', this.pos(m));
          const opTok = kids(op)[0];
          const matchOp = opTok === undefined ? undefined : matchTypes[opTok.name];
          if (matchOp === undefined) return this.fail(`unexpected ${this.text(op)} in label matching`, this.pos(op));
          const matcher: LabelMatcher = { op: matchOp, name: this.labelName(ln), value: this.string(val) };
          // As Prometheus' parser: a regex Go refuses is a parse error at the matcher's value.
          try {
            compileMatcher(matcher);
          } catch (err) {
            if (err instanceof RegexSyntaxError) return this.fail(err.message, this.pos(val));
            throw err;
          }
          matchers.push(matcher);
        }
      }
    }
    // As in Prometheus, the name written before the braces becomes the last matcher.
    if (name !== null) matchers.push({ op: '=', name: '__name__', value: name });
    return { type: 'vector', name, matchers, offset: 0, at: null, pos: this.pos(n) };
  }

  /** A duration inside `[...]`: a literal (`5m`, or seconds as a number), possibly signed. */
  private durationMs(n: SyntaxNode): Dur {
    const parts = kids(n);
    const first = parts[0];
    if (first?.name === 'NumberDurationLiteralInDurationContext' && parts.length === 1) return { ms: secondsToMs(this.number(first, numberValue)) };
    if (first?.name === 'UnaryOp' && parts.length === 2 && parts[1] !== undefined && parts[1].name === n.name && !this.usesQuery(parts[1])) {
      const v = this.durationMs(parts[1]).ms;
      return { ms: this.text(first) === '-' ? -v : v };
    }
    if (this.durationExprs) return this.durationExprMs(n);
    return this.fail(DURATION_EXPR_DISABLED, this.pos(n));
  }

  /**
   * A duration expression. A constant one is folded as Prometheus computes it: float seconds
   * through + - * / % ^, min_of / max_of, then whole milliseconds. One that uses `step()` or
   * `range()` depends on the query: it is kept as a tree (ms 0) for the engine to resolve.
   */
  private durationExprMs(n: SyntaxNode): Dur {
    const tree = this.durationTree(n);
    if (this.usesQuery(n)) return { ms: 0, expr: tree };
    return { ms: constantDurationMs(tree, this.pos(n)) };
  }

  /** Whether `step()` / `range()` occur below n. */
  private usesQuery(n: SyntaxNode): boolean {
    if (n.name === 'DurationStep' || n.name === 'DurationRange') return true;
    return kids(n).some((k) => this.usesQuery(k));
  }

  /** The duration expression as a tree (DurationExpr), numbers in seconds. */
  private durationTree(n: SyntaxNode): DurationExpr {
    const parts = kids(n);
    const [a, b, c] = parts;
    if (parts.length === 1 && a !== undefined) {
      if (a.name === 'NumberDurationLiteralInDurationContext') return { kind: 'number', seconds: this.number(a, numberValue) };
      if (a.name === 'DurationStep') return { kind: 'step' };
      if (a.name === 'DurationRange') return { kind: 'range' };
      return this.durationTree(a);
    }
    if (parts.length === 2 && a?.name === 'UnaryOp' && b !== undefined) return { kind: 'unary', op: this.text(a) === '-' ? '-' : '+', expr: this.durationTree(b) };
    if (parts.length === 3 && a !== undefined && b !== undefined && c !== undefined) {
      if (a.name === 'DurationMinOf' || a.name === 'DurationMaxOf') return { kind: a.name === 'DurationMinOf' ? 'min_of' : 'max_of', lhs: this.durationTree(b), rhs: this.durationTree(c) };
      const op = durationOps[b.name];
      if (op !== undefined) return { kind: 'binary', op, lhs: this.durationTree(a), rhs: this.durationTree(c) };
    }
    return this.fail(`unexpected ${n.name} in duration expression`, this.pos(n));
  }

  private positiveDurationMs(n: SyntaxNode): Dur {
    const d = this.durationMs(n);
    if (d.expr === undefined && !(d.ms > 0)) this.fail('duration must be greater than 0', this.pos(n));
    return d;
  }

  /** Position of `[` … `]` after the inner expression, for Prometheus' range errors. */
  private bracketRange(inner: SyntaxNode, outer: SyntaxNode): PosRange {
    const open = this.input.indexOf('[', inner.to);
    return { start: open < 0 ? inner.to : open, end: outer.to };
  }

  private matrix(n: SyntaxNode, d: number): Expr {
    const [innerNode, durNode] = kids(n);
    if (innerNode === undefined || durNode === undefined) return this.fail('unexpected end of input', { start: n.to, end: n.to });
    return this.postfix(this.expr(innerNode, d), n.to, (inner) => this.makeMatrix(inner, innerNode, durNode, n));
  }

  private makeMatrix(inner: Expr, innerNode: SyntaxNode, durNode: SyntaxNode, n: SyntaxNode): MatrixSelector {
    const problem =
      inner.type !== 'vector'
        ? 'ranges only allowed for vector selectors'
        : inner.offset !== 0
          ? 'no offset modifiers allowed before range'
          : inner.at !== null
            ? 'no @ modifiers allowed before range'
            : null;
    if (problem !== null || inner.type !== 'vector') return this.fail(problem ?? '', this.bracketRange(innerNode, n));
    const range = this.positiveDurationMs(durNode);
    return { type: 'matrix', vector: inner, range: range.ms, ...(range.expr ? { rangeExpr: range.expr } : {}), pos: { start: inner.pos.start, end: n.to } };
  }

  /**
   * Applies a postfix construct (`[range]`, `[range:step]`, `offset`, `@`) to its operand.
   * In Prometheus these bind tighter than every operator, unary minus included
   * (`a + b offset 5m` is `a + (b offset 5m)`); lezer's grammar attaches them to the whole
   * expression on their left, so push them down to the rightmost operand here.
   */
  private postfix(inner: Expr, end: number, apply: (e: Expr) => Expr): Expr {
    if (inner.type === 'binary') {
      const b: BinaryExpr = { ...inner, rhs: this.postfix(inner.rhs, end, apply), pos: { start: inner.pos.start, end } };
      const raw = this.rawMatching.get(inner);
      if (raw !== undefined) this.rawMatching.set(b, raw);
      return b;
    }
    if (inner.type === 'unary') return { ...inner, expr: this.postfix(inner.expr, end, apply), pos: { start: inner.pos.start, end } };
    return apply(inner);
  }

  private subquery(n: SyntaxNode, d: number): Expr {
    const [innerNode, rangeNode, stepNode] = kids(n);
    if (innerNode === undefined || rangeNode === undefined) return this.fail('unexpected end of input', { start: n.to, end: n.to });
    const range = this.positiveDurationMs(rangeNode);
    const step = stepNode === undefined ? { ms: 0 } : this.positiveDurationMs(stepNode);
    const exprs = { ...(range.expr ? { rangeExpr: range.expr } : {}), ...(step.expr ? { stepExpr: step.expr } : {}) };
    return this.postfix(this.expr(innerNode, d), n.to, (expr): SubqueryExpr => ({ type: 'subquery', expr, range: range.ms, step: step.ms, offset: 0, at: null, ...exprs, pos: { start: expr.pos.start, end: n.to } }));
  }

  private offsetMs(n: SyntaxNode): Dur {
    const parts = kids(n);
    const first = parts[0];
    if (first?.name === 'NumberDurationLiteralInDurationContext' && parts.length === 1) return { ms: secondsToMs(this.number(first, numberValue)) };
    if (first?.name === 'UnaryOp' && parts[1]?.name === 'OffsetDurationExpr' && !this.usesQuery(parts[1])) {
      const v = this.offsetMs(parts[1]).ms;
      return { ms: this.text(first) === '-' ? -v : v };
    }
    if (this.durationExprs) return this.durationExprMs(n);
    return this.fail(DURATION_EXPR_DISABLED, this.pos(n));
  }

  private offset(n: SyntaxNode, d: number): Expr {
    const parts = kids(n);
    const innerNode = parts[0];
    const durNode = parts.find((p) => p.name === 'OffsetDurationExpr');
    if (innerNode === undefined || durNode === undefined) return this.fail('unexpected end of input', { start: n.to, end: n.to });
    const offset = this.offsetMs(durNode);
    return this.postfix(this.expr(innerNode, d), n.to, (inner) => this.withOffset(inner, offset, n.to));
  }

  private withOffset(inner: Expr, dur: Dur, end: number): Expr {
    const twice = (): never => this.fail('offset may not be set multiple times', inner.pos);
    const offset = dur.ms;
    const extra = dur.expr ? { offsetExpr: dur.expr } : {};
    switch (inner.type) {
      case 'vector':
        if (inner.offset !== 0 || inner.offsetExpr) twice();
        return { ...inner, offset, ...extra, pos: { start: inner.pos.start, end } };
      case 'matrix':
        if (inner.vector.offset !== 0 || inner.vector.offsetExpr) twice();
        return { ...inner, vector: { ...inner.vector, offset, ...extra }, pos: { start: inner.pos.start, end } };
      case 'subquery':
        if (inner.offset !== 0 || inner.offsetExpr) twice();
        return { ...inner, offset, ...extra, pos: { start: inner.pos.start, end } };
      default:
        return this.fail('offset modifier must be preceded by an instant vector selector or range vector selector or a subquery', inner.pos);
    }
  }

  private at(n: SyntaxNode, d: number): Expr {
    const parts = kids(n);
    const innerNode = parts[0];
    const value = parts[parts.length - 1];
    if (innerNode === undefined || value === undefined || parts.length < 3) return this.fail('unexpected end of input', { start: n.to, end: n.to });
    let at: AtModifier;
    if (value.name === 'AtModifierPreprocessors') {
      at = { kind: kids(value)[0]?.name === 'AtEnd' ? 'end' : 'start' };
    } else {
      const ts = this.number(value, signedNumberValue);
      if (!Number.isFinite(ts) || Math.abs(ts) >= 9.223372036854776e18) {
        this.fail(`timestamp out of bounds for @ modifier: ${goFloat(ts)}`, { start: innerNode.from, end: n.to });
      }
      at = { kind: 'time', ms: secondsToMs(ts) };
    }
    return this.postfix(this.expr(innerNode, d), n.to, (inner) => this.withAt(inner, at, n.to));
  }

  /** `… anchored` / `… smoothed`: a postfix on an instant or range vector selector. */
  private extended(n: SyntaxNode, d: number): Expr {
    const innerNode = kids(n)[0];
    if (innerNode === undefined) return this.fail('unexpected end of input', { start: n.to, end: n.to });
    const kind = n.name === 'AnchoredExpr' ? 'anchored' : 'smoothed';
    return this.postfix(this.expr(innerNode, d), n.to, (inner) => {
      const vs = inner.type === 'vector' ? inner : inner.type === 'matrix' ? inner.vector : null;
      if (vs === null) return this.fail(`${kind} modifier must be preceded by an instant vector selector or range vector selector`, inner.pos);
      if (vs.anchored || vs.smoothed) this.fail(`${vs.anchored ? 'anchored' : 'smoothed'} modifier may not be combined with ${kind}`, inner.pos);
      const marked: VectorSelector = { ...vs, [kind]: true, pos: inner.type === 'vector' ? { start: vs.pos.start, end: n.to } : vs.pos };
      return inner.type === 'matrix' ? { ...inner, vector: marked, pos: { start: inner.pos.start, end: n.to } } : marked;
    });
  }

  private withAt(inner: Expr, at: AtModifier, end: number): Expr {
    const twice = (): never => this.fail('@ <timestamp> may not be set multiple times', inner.pos);
    switch (inner.type) {
      case 'vector':
        if (inner.at !== null) twice();
        return { ...inner, at, pos: { start: inner.pos.start, end } };
      case 'matrix':
        if (inner.vector.at !== null) twice();
        return { ...inner, vector: { ...inner.vector, at }, pos: { start: inner.pos.start, end } };
      case 'subquery':
        if (inner.at !== null) twice();
        return { ...inner, at, pos: { start: inner.pos.start, end } };
      default:
        return this.fail('@ modifier must be preceded by an instant vector selector or range vector selector or a subquery', inner.pos);
    }
  }

  private args(body: SyntaxNode | undefined, d: number): Expr[] {
    return body === undefined ? [] : kids(body).map((a) => this.expr(a, d));
  }

  private call(n: SyntaxNode, d: number): Call {
    const [ident, body] = kids(n);
    if (ident === undefined) return this.fail('unexpected end of input', { start: n.to, end: n.to });
    const func = this.pre.renamed.get(ident.from) ?? this.text(ident);
    return { type: 'call', func, args: this.args(body, d), pos: this.pos(n) };
  }

  private aggregate(n: SyntaxNode, d: number): AggregateExpr {
    const parts = kids(n);
    const opNode = parts.find((p) => p.name === 'AggregateOp');
    const modifier = parts.find((p) => p.name === 'AggregateModifier');
    const body = parts.find((p) => p.name === 'FunctionCallBody');
    if (opNode === undefined) return this.fail('unexpected end of input', this.pos(n));
    const op = this.text(opNode).toLowerCase() as AggregateOp;
    const info = aggregations[op];
    const args = this.args(body, d);
    const pos = this.pos(n);
    if (args.length === 0) this.fail('no arguments for aggregate expression provided', pos);
    const want = info.hasParam ? 2 : 1;
    if (args.length !== want) this.fail(`wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`, pos);
    let grouping: string[] = [];
    let without = false;
    if (modifier !== undefined) {
      const [kw, labels] = kids(modifier);
      without = kw?.name === 'Without';
      grouping = labels === undefined ? [] : this.groupingLabels(labels);
    }
    const expr = args[want - 1] as Expr;
    return { type: 'aggregate', op, expr, param: info.hasParam ? (args[0] as Expr) : null, grouping, without, pos };
  }

  private groupingLabels(n: SyntaxNode): string[] {
    return kids(n).map((l) => this.labelName(l));
  }

  private binary(n: SyntaxNode, d: number): Expr {
    const parts = kids(n);
    const lhsNode = parts[0];
    const rhsNode = parts[parts.length - 1];
    const opNode = parts[1];
    if (lhsNode === undefined || rhsNode === undefined || opNode === undefined || parts.length < 3) return this.fail('unexpected end of input', this.pos(n));
    const unsup = unsupported[opNode.name];
    if (unsup !== undefined) this.fail(unsup, this.pos(opNode));
    const op = binaryOps[opNode.name];
    if ((op === '</' || op === '>/') && !this.durationExprs) this.fail(`the ${op} operator is experimental and not enabled`, this.pos(opNode));
    if (op === undefined) return this.fail(`unexpected ${this.text(opNode)} in binary expression`, this.pos(opNode));
    let returnBool = false;
    let matching: VectorMatching = { card: 'one-to-one', matchingLabels: [], on: false, include: [] };
    for (const m of parts.slice(2, -1)) {
      const un = unsupported[m.name];
      if (un !== undefined) this.fail(un, this.pos(m));
      if (m.name === 'BoolModifier') returnBool = true;
      else if (m.name === 'MatchingModifierClause') matching = this.matchingClause(m);
      else if (m.name === 'FillModifier') {
        if (!this.durationExprs) this.fail('binop fill modifiers are experimental and not enabled', this.pos(m));
        matching = { ...matching, ...this.fillClause(m) };
      }
    }
    if (isSetOp(op) && matching.card === 'one-to-one') matching = { ...matching, card: 'many-to-many' };

    // Lezer reads `-1 ^ 2` as (-1) ^ 2; in PromQL unary minus binds looser than ^, so it is -(1 ^ 2).
    if (op === '^' && lhsNode.name === 'NumberDurationLiteral' && /^[-+]/.test(this.text(lhsNode))) {
      const signText = this.text(lhsNode);
      const sign = signText[0] === '-' ? '-' : '+';
      const digitsAt = lhsNode.from + signText.slice(1).search(/\S/) + 1;
      const base: Expr = { type: 'number', value: this.number(lhsNode, signedNumberValue) * (sign === '-' ? -1 : 1), pos: { start: digitsAt, end: lhsNode.to } };
      const inner = this.finishBinary(op, base, this.expr(rhsNode, d), matching, returnBool, { start: digitsAt, end: n.to });
      return { type: 'unary', op: sign, expr: inner, pos: this.pos(n) };
    }
    const lhs = this.expr(lhsNode, d);
    const rhs = this.expr(rhsNode, d);
    if (postfixNodes.has(lhsNode.name)) return this.rotate(op, lhs, rhs, matching, returnBool);
    return this.finishBinary(op, lhs, rhs, matching, returnBool, this.pos(n));
  }

  /**
   * `a * b offset 1m ^ 2`: lezer hands over ((a * b) offset 1m) ^ 2, and pushing the offset
   * down made the left side `a * (b offset 1m)`. Prometheus reads a * ((b offset 1m) ^ 2), so
   * an operator that binds tighter than the left side's own moves down its right spine.
   */
  private rotate(op: BinaryOp, lhs: Expr, rhs: Expr, matching: VectorMatching, returnBool: boolean): Expr {
    const prec = binaryOperators[op].precedence;
    const rightAssoc = binaryOperators[op].rightAssociative;
    const end = rhs.pos.end;
    if (lhs.type === 'binary') {
      const lp = binaryOperators[lhs.op].precedence;
      if (prec > lp || (prec === lp && rightAssoc)) {
        const inner = this.rotate(op, lhs.rhs, rhs, matching, returnBool);
        return this.finishBinary(lhs.op, lhs.lhs, inner, this.rawMatching.get(lhs) ?? defaultMatching(lhs.op), lhs.returnBool, { start: lhs.pos.start, end });
      }
    } else if (lhs.type === 'unary' && prec > unaryPrecedence) {
      return { ...lhs, expr: this.rotate(op, lhs.expr, rhs, matching, returnBool), pos: { start: lhs.pos.start, end } };
    }
    return this.finishBinary(op, lhs, rhs, matching, returnBool, { start: lhs.pos.start, end });
  }

  /** The matching clause as written, kept for rotate() even where finishBinary() drops it. */
  private readonly rawMatching = new WeakMap<BinaryExpr, VectorMatching>();

  private finishBinary(op: BinaryOp, lhs: Expr, rhs: Expr, matching: VectorMatching, returnBool: boolean, pos: PosRange): BinaryExpr {
    const bothVectors = typeOf(lhs) === 'vector' && typeOf(rhs) === 'vector';
    if (!bothVectors && matching.matchingLabels.length > 0) this.fail('vector matching only allowed between instant vectors', pos);
    const b: BinaryExpr = { type: 'binary', op, lhs, rhs, matching: bothVectors ? matching : null, returnBool, pos };
    this.rawMatching.set(b, matching);
    return b;
  }

  /** `fill(v)`, `fill_left(v)`, `fill_right(v)` (values are number literals). */
  private fillClause(n: SyntaxNode): { fillLeft?: number; fillRight?: number } {
    const out: { fillLeft?: number; fillRight?: number } = {};
    for (const c of kids(n)) {
      const [kw, lit] = kids(c);
      if (kw === undefined || lit === undefined) return this.fail('unexpected end of input', this.pos(c));
      const v = this.number(lit, signedNumberValue);
      if (kw.name === 'Fill' || kw.name === 'FillLeft') out.fillLeft = v;
      if (kw.name === 'Fill' || kw.name === 'FillRight') out.fillRight = v;
    }
    return out;
  }

  private matchingClause(n: SyntaxNode): VectorMatching {
    let on = false;
    let matchingLabels: string[] = [];
    let include: string[] = [];
    let card: VectorMatching['card'] = 'one-to-one';
    let seenGroup = false;
    for (const c of kids(n)) {
      if (c.name === 'On') on = true;
      else if (c.name === 'GroupLeft' || c.name === 'GroupRight') {
        card = c.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
        seenGroup = true;
      } else if (c.name === 'GroupingLabels') {
        if (seenGroup) include = this.groupingLabels(c);
        else matchingLabels = this.groupingLabels(c);
      }
    }
    return { card, matchingLabels, on, include };
  }
}

/** Go's %f for the out-of-bounds message. */
function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toFixed(6);
}
