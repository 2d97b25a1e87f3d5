import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { compileRegex, expandTemplate, quoteMeta, RegexSyntaxError, type RegexAnchoring } from '../../../app/dialect/regex.js';

// Expected values are Go's (regexp package, as Prometheus 3, Alertmanager and blackbox_exporter
// compile them); the \Q…\E, (?i) and `.`-matches-newline rows were checked against promtool 2.42.
describe('Go regex semantics by anchoring', () => {
  it.each<[RegexAnchoring, string, string, boolean]>([
    ['prometheus', '(.*)', 'abc', true],
    ['prometheus', 'a|b', 'a', true],
    ['prometheus', 'a|b', 'ab', false], // anchored around the whole alternation
    ['prometheus', 'foo', 'xfoox', false],
    ['prometheus', '(?i)foo', 'FoO', true],
    ['prometheus', 'x(?i:foo)', 'xFOO', true],
    ['prometheus', 'x(?i:foo)', 'XFOO', false],
    ['prometheus', 'x(?i)foo', 'xFoo', true],
    ['prometheus', '(?i:[a-c])x', 'Bx', true],
    ['prometheus', '(?i:[a-c])x', 'BX', false],
    ['prometheus', '[[:digit:]]+', '0123', true],
    ['prometheus', '[[:alpha:]_]+', 'ab_C', true],
    ['prometheus', '\\Qa.b\\E', 'a.b', true],
    ['prometheus', '\\Qa.b\\E', 'axb', false],
    ['prometheus', '\\Q(a+)\\E+', '(a+)(a+)', false], // the quantifier binds to the last literal only
    ['prometheus', '\\Q(a+)\\E+', '(a+))', true],
    ['prometheus', '(?P<name>\\d+)s', '12s', true],
    ['prometheus', '[]a]+', ']a', true],
    ['prometheus', 'a{', 'a{', true],
    ['prometheus', 'a{2}', 'aa', true],
    ['prometheus', '\\-\\#\\:', '-#:', true],
    ['prometheus', '.*', 'a\nb', true], // Prometheus 3 compiles ^(?s:re)$
    ['prometheus', 'a.b', 'a\nb', true],
    ['prometheus', '(?-s:a.b)', 'a\nb', false],
    ['prometheus', 'a$', 'a', true],
    ['prometheus', '\\pL+', 'äb', true],
    ['prometheus', '\\p{L}+', 'Ωmega', true],
    ['prometheus', '\\p{Greek}+', 'αβ', true],
    ['prometheus', '\\P{L}', '1', true],
    ['prometheus', '\\x41\\x{42}', 'AB', true],
    ['prometheus', '\\s', '\u00a0', false], // RE2's \s is ASCII whitespace only
    ['prometheus', '\\w+', 'é', false], // and \w is ASCII word characters
    ['prometheus', '(?m)a$', 'a', true],
    ['prometheus', '(?U)a+', 'aa', true],
    ['prometheus', 'a)|(b', 'ax', true], // Go's ^(?s:a)|(b)$: the first branch is only start-anchored
    ['prometheus', '', '', true],
    ['prometheus', '', 'a', false],
    ['prometheus', '😀.', '😀x', true],
    ['alertmanager', 'a.b', 'a\nb', false], // Alertmanager's ^(?:re)$ leaves `.` without newline
    ['alertmanager', '.*', 'a\nb', false],
    ['alertmanager', '(?i)foo', 'FOO', true],
    ['alertmanager', 'foo', 'xfoo', false],
    ['alertmanager', 'a|b', 'b', true],
    ['unanchored', 'foo', 'xfoox', true],
    ['unanchored', 'a.b', 'a\nb', false],
    ['unanchored', '^a$', 'b\na', false],
    ['unanchored', '(?m)^a$', 'b\na', true],
    ['unanchored', '\\Aa\\z', 'a', true],
  ])('%s %s on %j → %s', (anchoring, pattern, input, want) => {
    expect(compileRegex(pattern, anchoring).test(input)).toBe(want);
  });
});

describe('refusals name the construct', () => {
  it.each([
    ['(?=a)', 'lookahead (?=) is not supported (RE2 syntax)'],
    ['a(?!b)', 'negative lookahead (?!) is not supported (RE2 syntax)'],
    ['(?<=a)b', 'lookbehind (?<=) is not supported (RE2 syntax)'],
    ['(?<!a)b', 'negative lookbehind (?<!) is not supported (RE2 syntax)'],
    ['(?>a)', 'atomic group (?>) is not supported (RE2 syntax)'],
    ['(a)\\1', 'backreference \\1 is not supported (RE2 syntax)'],
    ['(?P<x>a)\\k<x>', 'named backreference \\k<…> is not supported (RE2 syntax)'],
    ['a)', 'error parsing regexp: unexpected ): `a)`'],
    ['(a', 'error parsing regexp: missing closing ): `(a`'],
    ['[a', 'error parsing regexp: missing closing ]: `[a`'],
    ['a{2000}', 'error parsing regexp: invalid repeat count: `{2000}`'],
    ['[z-a]', 'error parsing regexp: invalid character class range: `z-a`'],
    ['a**', 'error parsing regexp: invalid nested repetition operator: `**`'],
    ['\\', 'error parsing regexp: trailing backslash at end of expression'],
  ])('%s', (pattern, reason) => {
    let err: unknown;
    try {
      compileRegex(pattern, 'prometheus');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RegexSyntaxError);
    expect((err as RegexSyntaxError).reason).toBe(reason);
    expect((err as RegexSyntaxError).message).toBe(`invalid regular expression ${JSON.stringify(pattern)}: ${reason}`);
  });

  it('an escaped backslash before a digit is not a backreference', () => {
    expect(compileRegex('a\\\\1', 'prometheus').test('a\\1')).toBe(true);
  });

  it('does not crash or recurse on deeply nested input', () => {
    const deep = '('.repeat(5000) + 'a' + ')'.repeat(5000);
    expect(() => compileRegex(deep, 'prometheus')).not.toThrow(RangeError);
    expect(() => compileRegex('('.repeat(5000), 'prometheus')).toThrow(RegexSyntaxError);
  });
});

describe('linear time', () => {
  const hostile = 'a'.repeat(50_000);
  it.each<RegexAnchoring>(['prometheus', 'alertmanager', 'unanchored'])('(a+)+b over 50,000 a\'s (%s) answers in milliseconds', (anchoring) => {
    const re = compileRegex('(a+)+b', anchoring);
    const t0 = performance.now();
    expect(re.test(hostile)).toBe(false);
    expect(re.exec(hostile)).toBeNull();
    expect(re.replaceAll(hostile.slice(0, 5000), 'x')).toBe(hostile.slice(0, 5000));
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('fast paths agree with the engine', () => {
  const patterns = ['', 'a', 'ab', 'a|ab|', 'b|a', '.*', '.+', 'a.*', '.*a', '.*a.*', 'ab.+', '.*.*', 'a\\.b', 'a|.*', '(a|b)', 'é.*', '😀.+'];
  const values = fc.array(fc.constantFrom('a', 'b', 'é', '😀', '\n', '.'), { maxLength: 4 }).map((cs) => cs.join(''));
  it.each(['prometheus', 'alertmanager'] as const)('%s', (anchoring) => {
    fc.assert(
      fc.property(fc.constantFrom(...patterns), values, (pattern, value) => {
        const wrapped = anchoring === 'prometheus' ? `^(?s:${pattern})$` : `^(?:${pattern})$`;
        expect(compileRegex(pattern, anchoring).test(value)).toBe(RE2JS.compile(wrapped).test(value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('exec, replaceAll and expandTemplate as Go', () => {
  it('exec reports groups by number and name', () => {
    const m = compileRegex('(?P<host>[^:]+):(\\d+)', 'prometheus').exec('db-1:9100')!;
    expect([m.index, m.end, m.group(0), m.group(1), m.group('host'), m.group(2), m.group(3), m.group('nope')]).toEqual([0, 9, 'db-1:9100', 'db-1', 'db-1', '9100', undefined, undefined]);
  });

  // Go's documentation of Regexp.ReplaceAllString.
  it.each([
    ['a(x*)b', '-ab-axxb-', 'T', '-T-T-'],
    ['a(x*)b', '-ab-axxb-', '$1', '--xx-'],
    ['a(x*)b', '-ab-axxb-', '$1W', '---'],
    ['a(x*)b', '-ab-axxb-', '${1}W', '-W-xxW-'],
    ['a*', 'baaac', 'x', 'xbxcx'], // no empty match right after a match
    ['', 'a😀b', '-', '-a-😀-b-'], // empty matches step over whole code points
    ['(?P<k>\\w+)=(?P<v>\\w+)', 'a=1, b=2', '$v:$k', '1:a, 2:b'],
  ])('%s in %j with %j → %j', (pattern, text, template, want) => {
    expect(compileRegex(pattern, 'unanchored').replaceAll(text, template)).toBe(want);
  });

  const m = compileRegex('(?P<word>a)(b)?', 'unanchored').exec('a')!;
  it.each([
    ['$1', 'a'],
    ['${1}', 'a'],
    ['$2', ''],
    ['$9', ''],
    ['$word', 'a'],
    ['${word}x', 'ax'],
    ['$wordx', ''],
    ['$$1', '$1'],
    ['$-', '$-'],
    ['${1', '${1'],
    ['no refs', 'no refs'],
  ])('expandTemplate %s → %s', (template, want) => {
    expect(expandTemplate(template, m)).toBe(want);
  });

  it('quoteMeta round-trips through the engine', () => {
    const text = 'a.b*c+(d)[e]{f}|g^h$i\\j?';
    expect(quoteMeta(text)).toBe('a\\.b\\*c\\+\\(d\\)\\[e\\]\\{f\\}\\|g\\^h\\$i\\\\j\\?');
    expect(compileRegex(quoteMeta(text), 'prometheus').test(text)).toBe(true);
  });
});
