/**
 * The type checks of Prometheus' parser (promql/parser/parse.go checkAST), with its messages
 * word for word and the same node positions, so the editor and `vigil check` say what
 * Prometheus would say. Runs over a finished AST; returns every problem found.
 */
import { compileMatcher } from '../dialect/matcher.js';
import type { BinaryExpr, Call, Expr, LabelMatcher, PosRange, ValueType, VectorSelector } from './ast.js';
import { aggregations, isComparisonOp, isSetOp } from './catalog.js';
import { PromQLParseError } from './errors.js';
import { getFunction } from './functions.js';
import { documentedType, typeOf } from './types.js';

export { typeOf } from './types.js';

export interface CheckOptions {
  /** Allow functions and aggregations behind Prometheus' `promql-experimental-functions` flag. */
  readonly enableExperimental?: boolean;
  /** The query text, used to trim operator positions as Prometheus does; optional. */
  readonly input?: string;
}

/** Returns all type errors of the expression (empty when it is valid). */
export function checkExpr(expr: Expr, opts: CheckOptions = {}): PromQLParseError[] {
  const errors: PromQLParseError[] = [];
  const add = (message: string, pos: PosRange): void => {
    errors.push(new PromQLParseError(message, pos, 'type'));
  };
  const ctx: Ctx = { add, experimental: opts.enableExperimental ?? false, input: opts.input };
  check(expr, ctx, 0);
  return errors;
}

interface Ctx {
  readonly add: (message: string, pos: PosRange) => void;
  readonly experimental: boolean;
  readonly input: string | undefined;
}

/** Matches the parser's own bound; an AST built by hand could be deeper. */
const MAX_CHECK_DEPTH = 5000;

function expectType(e: Expr, want: ValueType, context: string, ctx: Ctx, depth: number): void {
  const t = check(e, ctx, depth);
  if (t !== want) ctx.add(`expected type ${documentedType[want]} in ${context}, got ${documentedType[t]}`, e.pos);
}

function check(e: Expr, ctx: Ctx, depth: number): ValueType {
  if (depth > MAX_CHECK_DEPTH) {
    ctx.add(`expression nests more than ${MAX_CHECK_DEPTH} levels deep; simplify the query`, e.pos);
    return typeOf(e);
  }
  const d = depth + 1;
  switch (e.type) {
    case 'aggregate': {
      const info = aggregations[e.op];
      if (info.experimental && !ctx.experimental) {
        ctx.add(`${e.op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`, e.pos);
      }
      expectType(e.expr, 'vector', 'aggregation expression', ctx, d);
      if (info.paramType !== null) {
        if (e.param === null) ctx.add(`wrong number of arguments for aggregate expression provided, expected 2, got 1`, e.pos);
        else expectType(e.param, info.paramType, 'aggregation parameter', ctx, d);
      }
      break;
    }
    case 'binary':
      checkBinary(e, ctx, d);
      break;
    case 'call':
      checkCall(e, ctx, d);
      break;
    case 'paren':
      check(e.expr, ctx, d);
      break;
    case 'unary': {
      const t = check(e.expr, ctx, d);
      if (t !== 'scalar' && t !== 'vector') {
        ctx.add(`unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(documentedType[t])}`, e.pos);
      }
      break;
    }
    case 'subquery': {
      const t = check(e.expr, ctx, d);
      // Prometheus prints the raw ValueType here ("matrix"), not the documented name.
      if (t !== 'vector') ctx.add(`subquery is only allowed on instant vector, got ${t} instead`, e.pos);
      break;
    }
    case 'matrix':
      checkVectorSelector(e.vector, ctx, false);
      break;
    case 'vector':
      checkVectorSelector(e, ctx, false);
      break;
    case 'number':
    case 'string':
      break;
  }
  return typeOf(e);
}

/** The operator's span: from after the left operand to before the right one, spaces trimmed. */
function opRange(b: BinaryExpr, input: string | undefined): PosRange {
  let start = b.lhs.pos.end;
  let end = b.rhs.pos.start;
  if (input !== undefined) {
    while (start < end && /\s/.test(input[start] ?? '')) start++;
    while (end > start && /\s/.test(input[end - 1] ?? '')) end--;
  }
  return { start, end };
}

function checkBinary(b: BinaryExpr, ctx: Ctx, d: number): void {
  const lt = check(b.lhs, ctx, d);
  const rt = check(b.rhs, ctx, d);
  if (b.returnBool && !isComparisonOp(b.op)) ctx.add('bool modifier can only be used on comparison operators', opRange(b, ctx.input));
  if (isComparisonOp(b.op) && !b.returnBool && lt === 'scalar' && rt === 'scalar') {
    ctx.add('comparisons between scalars must use BOOL modifier', opRange(b, ctx.input));
  }
  const vm = b.matching;
  if (vm !== null && vm.on) {
    for (const l1 of vm.matchingLabels) {
      if (vm.include.includes(l1)) ctx.add(`label ${JSON.stringify(l1)} must not occur in ON and GROUP clause at once`, opRange(b, ctx.input));
    }
  }
  if (lt !== 'scalar' && lt !== 'vector') ctx.add('binary expression must contain only scalar and instant vector types', b.lhs.pos);
  if (rt !== 'scalar' && rt !== 'vector') ctx.add('binary expression must contain only scalar and instant vector types', b.rhs.pos);
  const bothVectors = lt === 'vector' && rt === 'vector';
  if (!bothVectors && vm !== null && vm.matchingLabels.length > 0) ctx.add('vector matching only allowed between instant vectors', b.pos);
  if (bothVectors && isSetOp(b.op) && vm !== null) {
    if (vm.card === 'one-to-many' || vm.card === 'many-to-one') ctx.add(`no grouping allowed for ${JSON.stringify(b.op)} operation`, b.pos);
    if (vm.card !== 'many-to-many') ctx.add('set operations must always be many-to-many', b.pos);
  }
  if ((lt === 'scalar' || rt === 'scalar') && isSetOp(b.op)) ctx.add(`set operator ${JSON.stringify(b.op)} not allowed in binary scalar expression`, b.pos);
}

function checkCall(c: Call, ctx: Ctx, d: number): void {
  const fn = getFunction(c.func);
  const namePos = { start: c.pos.start, end: c.pos.start + c.func.length };
  if (fn === undefined) {
    ctx.add(`unknown function with name ${JSON.stringify(c.func)}`, namePos);
    for (const a of c.args) check(a, ctx, d);
    return;
  }
  if (fn.experimental && !ctx.experimental) ctx.add(`function ${JSON.stringify(c.func)} is not enabled`, namePos);
  const nargs = fn.argTypes.length;
  const name = JSON.stringify(fn.name);
  if (fn.variadic === 0) {
    if (nargs !== c.args.length) ctx.add(`expected ${nargs} argument(s) in call to ${name}, got ${c.args.length}`, c.pos);
  } else {
    const na = nargs - 1;
    if (na > c.args.length) ctx.add(`expected at least ${na} argument(s) in call to ${name}, got ${c.args.length}`, c.pos);
    else if (fn.variadic > 0 && na + fn.variadic < c.args.length) {
      ctx.add(`expected at most ${na + fn.variadic} argument(s) in call to ${name}, got ${c.args.length}`, c.pos);
    }
  }
  let infoSelector: VectorSelector | null = null;
  const second = c.args[1];
  if (fn.name === 'info' && second !== undefined) {
    const t = typeOf(second);
    if (t !== 'vector') ctx.add(`expected type ${documentedType.vector} in call to function ${name}, got ${documentedType[t]}`, c.pos);
    if (second.type === 'vector' && second.name !== null) ctx.add('expected label selectors only, got vector selector instead', second.pos);
    else if (second.type === 'vector') infoSelector = second;
    else ctx.add('expected label selectors only', second.pos);
  }
  c.args.forEach((arg, i) => {
    if (i >= nargs && fn.variadic === 0) return;
    const want = fn.argTypes[Math.min(i, nargs - 1)];
    if (want === undefined) return;
    // info()'s label selector may be empty ({}): Prometheus skips the non-empty matcher check.
    const t = arg === infoSelector ? typeOf(arg) : check(arg, ctx, d);
    if (t !== want) ctx.add(`expected type ${documentedType[want]} in call to function ${name}, got ${documentedType[t]}`, arg.pos);
  });
}

function checkVectorSelector(vs: VectorSelector, ctx: Ctx, bypassEmpty: boolean): void {
  if (vs.name !== null) {
    // The last matcher is the one derived from the name before the braces.
    for (const m of vs.matchers.slice(0, -1)) {
      if (m.name === '__name__') ctx.add(`metric name must not be set twice: ${JSON.stringify(vs.name)} or ${JSON.stringify(m.value)}`, vs.pos);
    }
    return;
  }
  if (bypassEmpty) return;
  if (!vs.matchers.some((m) => !matchesEmpty(m))) ctx.add('vector selector must contain at least one non-empty matcher', vs.pos);
}

/** Whether a matcher accepts the empty string (the parser has already refused invalid regexes). */
function matchesEmpty(m: LabelMatcher): boolean {
  return compileMatcher(m).matches('');
}
