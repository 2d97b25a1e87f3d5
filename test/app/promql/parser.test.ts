import { describe, expect, it } from 'vitest';
import type { Expr } from '../../../app/promql/ast.js';
import { MAX_DEPTH, parse, parseExpr, PromQLParseError } from '../../../app/promql/parser.js';
import { resolveDurations } from '../../../app/promql/durations.js';
import { printExpr } from '../../../app/promql/printer.js';
import { isValidUtf8 } from '../../../app/promql/strings.js';
import { badSyntax } from './bad-queries.js';
import { stripPos } from './strip.js';

const p = (q: string): Expr => parseExpr(q, { enableExperimental: true });
const shape = (q: string): unknown => stripPos(p(q));

function num(q: string): number {
  const e = p(q);
  if (e.type !== 'number') throw new Error(`${q} parsed as ${e.type}`);
  return e.value;
}

function str(q: string): string {
  const e = p(q);
  if (e.type !== 'string') throw new Error(`${q} parsed as ${e.type}`);
  return e.value;
}

const n = (value: number): object => ({ type: 'number', value });
const vs = (name: string, extra: object = {}): object => ({
  type: 'vector',
  name,
  matchers: [{ op: '=', name: '__name__', value: name }],
  offset: 0,
  at: null,
  ...extra,
});

describe('operators', () => {
  it('unary minus binds looser than ^: -1^2 is -(1^2)', () => {
    expect(shape('-1^2')).toEqual({ type: 'unary', op: '-', expr: { type: 'binary', op: '^', lhs: n(1), rhs: n(2), matching: null, returnBool: false } });
    expect(shape('2 * -1 ^ 2')).toMatchObject({ op: '*', rhs: { type: 'unary', op: '-', expr: { op: '^' } } });
  });

  it('^ is right-associative, the others left', () => {
    expect(shape('2 ^ 3 ^ 2')).toMatchObject({ op: '^', lhs: n(2), rhs: { op: '^', lhs: n(3), rhs: n(2) } });
    expect(shape('8 / 4 / 2')).toMatchObject({ op: '/', lhs: { op: '/', lhs: n(8), rhs: n(4) }, rhs: n(2) });
    expect(shape('1 + 2 * 3')).toMatchObject({ op: '+', lhs: n(1), rhs: { op: '*' } });
    expect(shape('a or b and c unless d')).toMatchObject({ op: 'or', rhs: { op: 'unless', lhs: { op: 'and' } } });
  });

  it('folds a sign into a number literal, as Prometheus does', () => {
    expect(shape('1 - -1')).toMatchObject({ op: '-', rhs: n(-1) });
    expect(shape('-(1)')).toMatchObject({ type: 'unary', expr: { type: 'paren' } });
    expect(shape('-x')).toMatchObject({ type: 'unary', op: '-', expr: vs('x') });
  });

  it('postfix modifiers bind tighter than operators', () => {
    expect(shape('a + b offset 5m')).toMatchObject({ op: '+', lhs: vs('a'), rhs: vs('b', { offset: 300_000 }) });
    expect(shape('-a offset 5m')).toMatchObject({ type: 'unary', expr: vs('a', { offset: 300_000 }) });
    expect(shape('a * b @ 100')).toMatchObject({ rhs: vs('b', { at: { kind: 'time', ms: 100_000 } }) });
    expect(shape('m * e offset 1m ^ 2')).toMatchObject({ op: '*', lhs: vs('m'), rhs: { op: '^', lhs: vs('e', { offset: 60_000 }), rhs: n(2) } });
    expect(shape('a + on(x) b offset 1m * c')).toMatchObject({ op: '+', matching: { on: true, matchingLabels: ['x'] }, rhs: { op: '*', lhs: vs('b', { offset: 60_000 }) } });
    expect(shape('-a @ 1 ^ 2')).toMatchObject({ type: 'unary', expr: { op: '^', lhs: vs('a', { at: { kind: 'time', ms: 1000 } }) } });
    // A type error (range vector in a binary expression), but the tree is still built.
    const sub = parse('a / b[5m:1m]');
    expect(sub.errors[0]?.kind).toBe('type');
    expect(sub.expr === null ? null : stripPos(sub.expr)).toMatchObject({ rhs: { type: 'subquery', range: 300_000, step: 60_000 } });
  });

  it('vector matching and bool', () => {
    expect(shape('a + on(b) group_left(c) d')).toMatchObject({ matching: { card: 'many-to-one', on: true, matchingLabels: ['b'], include: ['c'] } });
    expect(shape('a - ignoring(b) group_right d')).toMatchObject({ matching: { card: 'one-to-many', on: false, matchingLabels: ['b'], include: [] } });
    expect(shape('a and on() b')).toMatchObject({ matching: { card: 'many-to-many', on: true, matchingLabels: [] } });
    expect(shape('a > bool 1')).toMatchObject({ returnBool: true, matching: null });
    expect(shape('a atan2 b')).toMatchObject({ op: 'atan2' });
  });
});

describe('literals', () => {
  it('numbers like Go strconv', () => {
    expect(num('0x3d')).toBe(61);
    expect(num('1e3')).toBe(1000);
    expect(num('12.34e-6')).toBeCloseTo(0.00001234, 12);
    expect(num('.5')).toBe(0.5);
    expect(num('2.')).toBe(2);
    expect(num('010')).toBe(8);
    expect(num('1_000')).toBe(1000);
    expect(num('Inf')).toBe(Infinity);
    expect(num('-inF')).toBe(-Infinity);
    expect(num('+Inf')).toBe(Infinity);
    expect(num('NaN')).toBeNaN();
    expect(num('5m')).toBe(300); // Prometheus 3: a duration where a number is expected is seconds
  });

  it('strings with Go escapes', () => {
    expect(str('"a\\nb"')).toBe('a\nb');
    expect(str("'\\x41'")).toBe('A');
    expect(str('"\\101"')).toBe('A');
    expect(str('"\\u00e9"')).toBe('é');
    expect(str("'it\\'s'")).toBe("it's");
    expect(str('`raw\\n`')).toBe('raw\\n');
    expect(str('"\\xc3\\xa9"')).toBe('é');
    // Invalid UTF-8 survives as lone surrogates and prints back as the same bytes.
    const raw = str('"a\\xc5z"');
    expect(isValidUtf8(raw)).toBe(false);
    expect(isValidUtf8(str('"é😀"'))).toBe(true);
    expect(printExpr(p('"a\\xc5z"'))).toBe('"a\\xc5z"');
    expect(() => p('"\\q"')).toThrow(/unknown escape sequence/);
    expect(() => p('"abc')).toThrow(/unterminated quoted string/);
  });

  it('durations, offsets and @', () => {
    expect(shape('x[1h30m]')).toMatchObject({ type: 'matrix', range: 5_400_000 });
    expect(shape('x[1ms]')).toMatchObject({ range: 1 });
    expect(shape('x[1y]')).toMatchObject({ range: 365 * 86_400_000 });
    expect(shape('x[90]')).toMatchObject({ range: 90_000 });
    expect(shape('x[1.5]')).toMatchObject({ range: 1500 });
    expect(shape('x offset -5m')).toMatchObject(vs('x', { offset: -300_000 }));
    expect(shape('x @ 123.4')).toMatchObject(vs('x', { at: { kind: 'time', ms: 123_400 } }));
    expect(shape('x @ -1')).toMatchObject(vs('x', { at: { kind: 'time', ms: -1000 } }));
    expect(shape('x @ 100s')).toMatchObject(vs('x', { at: { kind: 'time', ms: 100_000 } }));
    expect(shape('x[5m] @ start() offset 1m')).toMatchObject({ type: 'matrix', vector: { at: { kind: 'start' }, offset: 60_000 } });
    expect(shape('x @ end()')).toMatchObject({ at: { kind: 'end' } });
    expect(shape('rate(x[5m])[1h:5m]')).toMatchObject({ type: 'subquery', range: 3_600_000, step: 300_000 });
    expect(shape('x[1h:]')).toMatchObject({ type: 'subquery', step: 0 });
    expect(shape('x offset 5m[10m:1m]')).toMatchObject({ type: 'subquery', expr: { offset: 300_000 } });
  });
});

describe('selectors and names', () => {
  it('metric names with colons and __name__ matchers', () => {
    expect(shape('job:rate:5m')).toEqual(vs('job:rate:5m'));
    expect(shape('{__name__="x"}')).toEqual({ type: 'vector', name: null, matchers: [{ op: '=', name: '__name__', value: 'x' }], offset: 0, at: null });
    expect(shape('{"a.b", c!~"d"}')).toMatchObject({ name: null, matchers: [{ name: '__name__', value: 'a.b' }, { op: '!~', name: 'c', value: 'd' }] });
    expect(shape('x{"a.b"="c"}')).toMatchObject({ matchers: [{ name: 'a.b', value: 'c' }, { name: '__name__' }] });
  });

  it('keywords usable as metric and label names where Prometheus allows', () => {
    expect(shape('sum')).toEqual(vs('sum'));
    expect(shape('by')).toEqual(vs('by'));
    expect(shape('rate')).toEqual(vs('rate'));
    expect(shape('x{on="a", bool="b", offset="c"}')).toMatchObject({ matchers: [{ name: 'on' }, { name: 'bool' }, { name: 'offset' }, { name: '__name__' }] });
    expect(shape('sum by (on, offset, group_left) (x)')).toMatchObject({ grouping: ['on', 'offset', 'group_left'] });
    expect(() => p('on')).toThrow(PromQLParseError);
  });

  it('aggregations', () => {
    expect(shape('sum(x) by (a)')).toMatchObject({ type: 'aggregate', op: 'sum', grouping: ['a'], without: false, param: null });
    expect(shape('topk without (a) (3, x)')).toMatchObject({ op: 'topk', without: true, param: n(3), expr: vs('x') });
    expect(shape('count_values("v", x)')).toMatchObject({ param: { type: 'string', value: 'v' } });
    expect(shape('SUM(x)')).toMatchObject({ op: 'sum' });
  });
});

describe('positions', () => {
  it('every node carries its source range', () => {
    const q = 'sum by (a) (rate(x{b="c"}[5m] offset 1m)) / on() 2';
    const e = p(q);
    const seen: string[] = [];
    const walk = (x: Expr): void => {
      seen.push(q.slice(x.pos.start, x.pos.end));
      if (x.type === 'binary') [x.lhs, x.rhs].forEach(walk);
      if (x.type === 'aggregate') [x.expr, ...(x.param ? [x.param] : [])].forEach(walk);
      if (x.type === 'call') x.args.forEach(walk);
      if (x.type === 'matrix') walk(x.vector);
      if (x.type === 'paren' || x.type === 'unary' || x.type === 'subquery') walk(x.expr);
    };
    walk(e);
    expect(seen).toEqual([q, 'sum by (a) (rate(x{b="c"}[5m] offset 1m))', 'rate(x{b="c"}[5m] offset 1m)', 'x{b="c"}[5m] offset 1m', 'x{b="c"}', '2']);
  });
});

describe('syntax errors', () => {
  it.each([
    ['', 'unexpected end of input'],
    ['1 +', 'unexpected end of input'],
    ['(', 'unclosed left parenthesis'],
    ['a)', "unexpected right parenthesis ')'"],
    ['x[5m', 'unclosed left bracket'],
    ['foo bar', 'unexpected identifier "bar"'],
    ['f(x)', 'unknown function with name "f"'],
    ['x[5m+1m]', 'experimental duration expression is not enabled'],
    ['x offset 5m [5m]', 'no offset modifiers allowed before range'],
    ['sum(x) [5m]', 'ranges only allowed for vector selectors'],
  ])('%j → %s', (q, msg) => {
    const r = parse(q);
    expect(r.expr).toBeNull();
    expect(r.errors[0]?.message).toBe(msg);
    expect(r.errors[0]?.kind).toBe('syntax');
  });

  it.each(badSyntax)('%j → %s (at %i)', (q, msg, at) => {
    const err = parse(q).errors[0];
    expect(err?.message).toBe(msg);
    expect(err?.pos.start).toBe(at);
  });

  it('formats errors as Prometheus does', () => {
    try {
      parseExpr('sum(x) +\n  rate(y)');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PromQLParseError);
      expect((e as PromQLParseError).format('sum(x) +\n  rate(y)')).toBe('2:8: parse error: expected type range vector in call to function "rate", got instant vector');
    }
  });
});

describe('deep nesting', () => {
  const big = 100_000;
  it.each([
    ['parentheses', '('.repeat(big) + '1' + ')'.repeat(big)],
    ['nested calls', 'abs('.repeat(big) + 'x' + ')'.repeat(big)],
    ['unclosed parentheses', '('.repeat(big)],
    ['operator chain', Array.from({ length: big / 5 }, () => '1').join(' + ')],
    ['power chain', Array.from({ length: big / 5 }, () => '2').join('^')],
    ['unary chain', '-'.repeat(big / 5) + 'x'],
    ['subquery chain', 'x' + '[1m:]'.repeat(big / 10)],
  ])('%s gives a clean PromQLParseError', (_name, q) => {
    expect(() => parseExpr(q)).toThrow(PromQLParseError);
  });

  it('accepts nesting just under the bound and prints it back', () => {
    const q = '('.repeat(MAX_DEPTH - 2) + '1' + ')'.repeat(MAX_DEPTH - 2);
    const e = parseExpr(q);
    expect(printExpr(e)).toBe(q);
    const chain = Array.from({ length: 300 }, (_, i) => `m${i}`).join(' + ');
    expect(printExpr(parseExpr(chain))).toBe(chain);
  });
});

describe('duration expressions (experimental)', () => {
  const exp = { enableExperimental: true };
  it('folds constant ones to milliseconds as Prometheus computes them', () => {
    const m = parseExpr('rate(x[2m*(10+5)])', exp);
    expect(m.type === 'call' && m.args[0]?.type === 'matrix' ? m.args[0].range : null).toBe(1_800_000);
    const o = parseExpr('x offset -(20 * (((8 - 2) / 3 * 7s) % 4 + 8000ms))', exp);
    // (6/3·7 = 14) % 4 = 2, + 8 = 10 s; × 20 = 200 s, negated.
    expect(o.type === 'vector' ? o.offset : null).toBe(-200_000);
    expect(() => parseExpr('x[1h/0]', exp)).toThrow('division by zero');
  });
  it('are refused without the flag', () => {
    expect(() => parseExpr('rate(x[5m+1m])')).toThrow('experimental duration expression is not enabled');
    expect(() => parseExpr('x offset step()')).toThrow('experimental duration expression is not enabled');
  });
  it('keep step() / range() as a tree the engine resolves per query, and print it back', () => {
    const m = parseExpr('count_over_time(x[1+(STep()-5)*2])', exp);
    const arg = m.type === 'call' ? m.args[0] : undefined;
    expect(arg?.type === 'matrix' ? arg.rangeExpr : null).toEqual({
      kind: 'binary', op: '+', lhs: { kind: 'number', seconds: 1 },
      rhs: { kind: 'binary', op: '*', lhs: { kind: 'binary', op: '-', lhs: { kind: 'step' }, rhs: { kind: 'number', seconds: 5 } }, rhs: { kind: 'number', seconds: 2 } },
    });
    for (const q of ['x offset (-step() * 2)', 'x[min_of(step() + 1s, 1h)]', 'rate(x[5m])[range(): step()] offset min_of(range(), 8s)']) {
      const e = parseExpr(q, exp);
      expect(stripPos(parseExpr(printExpr(e), exp))).toEqual(stripPos(e));
    }
    const resolved = resolveDurations(parseExpr('x[min_of(step() + 1s, 1h)] offset -range()', exp), { stepMs: 5000, rangeMs: 10_000 });
    expect(resolved).toMatchObject({ type: 'matrix', range: 6000, vector: { offset: -10_000 } });
    expect(() => resolveDurations(parseExpr('x[step()]', exp), { stepMs: 0, rangeMs: 0 })).toThrow('duration must be greater than 0');
  });
  it('min_of / max_of are scalar functions outside durations (experimental)', () => {
    expect(shape('min_of(1, 2)')).toMatchObject({ type: 'call', func: 'min_of' });
    expect(() => parseExpr('max_of(1, 2)')).toThrow('function "max_of" is not enabled');
    expect(() => parseExpr('min_of(x, 1)', exp)).toThrow('expected type scalar in call to function "min_of", got instant vector');
  });
});

describe('binop fill modifiers (experimental)', () => {
  it('parse into the matching, print back, and are refused without the flag', () => {
    const e = parseExpr('a + on(x) group_left fill_left(5) fill_right(-7) b', { enableExperimental: true });
    expect(e.type === 'binary' ? e.matching : null).toMatchObject({ on: true, matchingLabels: ['x'], card: 'many-to-one', fillLeft: 5, fillRight: -7 });
    expect(printExpr(parseExpr('a == bool fill(NaN) b', { enableExperimental: true }))).toBe('a == bool fill(NaN) b');
    expect(() => parseExpr('a + fill(0) b')).toThrow('binop fill modifiers are experimental and not enabled');
  });
});

describe('anchored / smoothed selectors (promql-extended-range-selectors)', () => {
  const ext = { enableExtendedRangeSelectors: true };
  const selectorOf = (e: Expr): Record<string, unknown> | null => (e.type === 'vector' ? { ...e } : e.type === 'matrix' ? { ...e.vector } : e.type === 'call' ? selectorOf(e.args[0]!) : e.type === 'binary' ? selectorOf(e.lhs) : null);
  it('mark the vector selector, alone or inside a range, after offset and @', () => {
    expect(selectorOf(parseExpr('rate(foo[5m] anchored)', ext))).toMatchObject({ name: 'foo', anchored: true });
    expect(selectorOf(parseExpr('foo offset -100s smoothed + 0', ext))).toMatchObject({ name: 'foo', smoothed: true, offset: -100_000 });
    expect(selectorOf(parseExpr('increase(foo[5m] offset 1m smoothed)', ext))).toMatchObject({ smoothed: true, offset: 60_000 });
    // A postfix like offset: it binds to the selector, not to the binary expression before it.
    const b = parseExpr('a + b anchored', ext);
    expect(b.type === 'binary' && b.lhs.type === 'vector' ? b.lhs.anchored : 'not a binary').toBeUndefined();
    expect(b.type === 'binary' && b.rhs.type === 'vector' ? b.rhs.anchored : null).toBe(true);
  });
  it('print back and reparse to the same tree', () => {
    for (const q of ['rate(foo[5m] anchored)', 'foo @ 100.000 smoothed', 'delta(foo[1m] offset 1m smoothed)', 'foo smoothed ^ 2']) {
      const e = parseExpr(q, ext);
      expect(printExpr(e)).toBe(q);
      expect(stripPos(parseExpr(printExpr(e), ext))).toEqual(stripPos(e));
    }
  });
  it('are refused without the flag and after anything but a selector', () => {
    expect(() => parseExpr('rate(foo[5m] anchored)')).toThrow('anchored modifier is experimental and not enabled');
    expect(() => parseExpr('foo smoothed')).toThrow('smoothed modifier is experimental and not enabled');
    expect(() => parseExpr('sum(foo) anchored', ext)).toThrow('anchored modifier must be preceded by an instant vector selector or range vector selector');
    expect(() => parseExpr('foo anchored smoothed', ext)).toThrow('anchored modifier may not be combined with smoothed');
  });
});

describe('trim operators </ >/ (experimental)', () => {
  it('parse at comparison precedence, print back, and are refused without the flag', () => {
    const e = parseExpr('h </ 2 * 3', { enableExperimental: true });
    expect(e).toMatchObject({ type: 'binary', op: '</', rhs: { type: 'binary', op: '*' } });
    expect(printExpr(parseExpr('h >/ on (a) x', { enableExperimental: true }))).toBe('h >/ on (a) x');
    expect(() => parseExpr('h </ 2')).toThrow('the </ operator is experimental and not enabled');
    expect(() => parseExpr('h >/ 2')).toThrow('the >/ operator is experimental and not enabled');
  });
});
