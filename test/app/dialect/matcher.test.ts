import { describe, expect, it } from 'vitest';
import { compileMatcher, formatMatcher, matchesAll, type LabelMatcher } from '../../../app/dialect/matcher.js';
import { RegexSyntaxError } from '../../../app/dialect/regex.js';

describe('one matcher type, two dialects', () => {
  // [matcher, value, Prometheus, Alertmanager]
  it.each<[LabelMatcher, string, boolean, boolean]>([
    [{ name: 'a', op: '=', value: 'x' }, 'x', true, true],
    [{ name: 'a', op: '!=', value: 'x' }, 'x', false, false],
    [{ name: 'a', op: '=~', value: 'x|y' }, 'y', true, true],
    [{ name: 'a', op: '=~', value: 'x' }, 'xx', false, false],
    [{ name: 'a', op: '!~', value: 'x.*' }, 'xyz', false, false],
    [{ name: 'a', op: '=~', value: 'x.y' }, 'x\ny', true, false], // ^(?s:re)$ versus ^(?:re)$
    [{ name: 'a', op: '=~', value: '.*' }, 'x\ny', true, false],
    [{ name: 'a', op: '=~', value: '(?i)foo' }, 'FOO', true, true],
    [{ name: 'a', op: '=~', value: '' }, '', true, true],
  ])('%j on %j', (m, value, prometheus, alertmanager) => {
    expect(compileMatcher(m).matches(value)).toBe(prometheus);
    expect(compileMatcher(m, 'alertmanager').matches(value)).toBe(alertmanager);
  });

  it('an absent label is the empty string', () => {
    const labels: Record<string, string> = { job: 'api' };
    const get = (n: string) => labels[n];
    expect(matchesAll([{ name: 'env', op: '=', value: '' }, { name: 'job', op: '=~', value: 'a.*' }], get)).toBe(true);
    expect(matchesAll([{ name: 'env', op: '!=', value: '' }], get)).toBe(false);
  });

  it('refuses an invalid regex with the construct named', () => {
    expect(() => compileMatcher({ name: 'a', op: '=~', value: '(?!x)' })).toThrow(RegexSyntaxError);
    expect(() => compileMatcher({ name: 'a', op: '=~', value: '(?!x)' })).toThrow('negative lookahead (?!) is not supported (RE2 syntax)');
  });

  it('prints as PromQL and Alertmanager write it', () => {
    expect(formatMatcher({ name: 'a', op: '!~', value: 'x"y' })).toBe('a!~"x\\"y"');
  });
});
