import { describe, expect, it } from 'vitest';
import { compileAnchored, RegexSyntaxError } from '../../../main/util/re2.js';
import { parseByteSize } from '../../../main/config/byte-size.js';

describe('RE2 → JS translation (anchored like Prometheus)', () => {
  it.each([
    ['(.*)', 'abc', true],
    ['a|b', 'a', true],
    ['a|b', 'ab', false], // anchored around the whole alternation
    ['foo', 'xfoox', false],
    ['(?i)foo', 'FoO', true],
    ['x(?i:foo)', 'xFOO', true],
    ['x(?i:foo)', 'XFOO', false],
    ['x(?i)foo', 'xFoo', true],
    ['(?i:[a-c])x', 'Bx', true],
    ['(?i:[a-c])x', 'BX', false],
    ['[[:digit:]]+', '0123', true],
    ['[[:alpha:]_]+', 'ab_C', true],
    ['\\Qa.b\\E', 'a.b', true],
    ['\\Qa.b\\E', 'axb', false],
    ['(?P<name>\\d+)s', '12s', true],
    ['[]a]+', ']a', true],
    ['a{', 'a{', true],
    ['a{2}', 'aa', true],
    ['\\-\\#\\:', '-#:', true],
    ['.*', 'a\nb', true],
    ['a$', 'a', true],
    ['\\pL+', 'äb', true],
    ['\\p{Greek}+', 'αβ', true],
    ['\\x41\\x{42}', 'AB', true],
    ['\\s', '\u00a0', false], // RE2's \s is ASCII whitespace only
    ['(?m)a$', 'a', true],
  ])('%s on %j → %s', (pattern, input, want) => {
    expect(compileAnchored(pattern).test(input)).toBe(want);
  });

  it.each([
    ['(?=a)', 'invalid or unsupported Perl syntax'],
    ['(?<!a)b', 'invalid or unsupported Perl syntax'],
    ['(a)\\1', 'invalid escape sequence'],
    ['a)', 'unexpected )'],
    ['(a', 'missing closing )'],
    ['[a', 'missing closing ]'],
    ['a{2000}', 'invalid repeat count'],
    ['[z-a]', 'invalid character class range'],
    ['\\', 'trailing backslash'],
    ['(?U)a*', 'invalid or unsupported Perl syntax'],
  ])('rejects %s as RE2 does', (pattern, message) => {
    expect(() => compileAnchored(pattern)).toThrow(RegexSyntaxError);
    expect(() => compileAnchored(pattern)).toThrow(message);
  });

  it('does not crash or recurse on deeply nested input', () => {
    const deep = '('.repeat(5000) + 'a' + ')'.repeat(5000);
    expect(() => compileAnchored(deep)).not.toThrow(RangeError);
    expect(() => compileAnchored('('.repeat(5000))).toThrow(RegexSyntaxError);
  });
});

describe('sizes', () => {
  it.each([
    ['10MB', 10 * 1024 * 1024],
    ['512KiB', 512 * 1024],
    ['1GB', 1024 ** 3],
    ['0', 0],
    ['100B', 100],
    ['10 parsecs', null],
    ['MB', null],
  ])('parseByteSize(%j) = %s', (text, n) => {
    expect(parseByteSize(text)).toBe(n);
  });
});
