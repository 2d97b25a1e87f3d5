import { describe, expect, it } from 'vitest';
import { relabelDefaults, validateRelabel, type RelabelConfig } from '../../../main/config/schema-relabel.js';
import { relabel, relabelFn, relabelSteps } from '../../../main/scrape/relabel.js';
import { labelsFromRecord, labelsToRecord } from '../../../main/tsdb/labels.js';

/** A config as the loader would produce it: Prometheus' defaults plus the given fields. */
function rc(fields: Partial<RelabelConfig>): RelabelConfig {
  return { ...relabelDefaults, source_labels: [], ...fields };
}

interface Case {
  name: string;
  input: Record<string, string>;
  configs: Partial<RelabelConfig>[];
  output: Record<string, string> | null;
}

// Cases follow Prometheus' model/relabel/relabel_test.go.
const cases: Case[] = [
  {
    name: 'replace with ${1} twice',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    configs: [{ source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch${1}-ch${1}' }],
    output: { a: 'foo', b: 'bar', c: 'baz', d: 'choo-choo' },
  },
  {
    name: 'two replaces chained, multiple source labels joined by ;',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    configs: [
      { source_labels: ['a', 'b'], regex: 'f(.*);(.*)r', target_label: 'a', replacement: 'b${1}${2}m' },
      { source_labels: ['c', 'a'], regex: '(b).*b(.*)ba(.*)', target_label: 'd', replacement: '$1$2$2$3' },
    ],
    output: { a: 'boobam', b: 'bar', c: 'baz', d: 'boooom' },
  },
  {
    name: 'drop on match',
    input: { a: 'foo' },
    configs: [{ source_labels: ['a'], regex: '.*o.*', action: 'drop' }],
    output: null,
  },
  {
    name: 'drop needs a full match',
    input: { a: 'foo' },
    configs: [{ source_labels: ['a'], regex: 'f', action: 'drop' }],
    output: { a: 'foo' },
  },
  {
    name: 'keep without match drops',
    input: { a: 'foo' },
    configs: [{ source_labels: ['a'], regex: 'no-match', action: 'keep' }],
    output: null,
  },
  {
    name: 'keep with match keeps',
    input: { a: 'foo' },
    configs: [{ source_labels: ['a'], regex: 'f.*', action: 'keep' }],
    output: { a: 'foo' },
  },
  {
    name: 'replace without match changes nothing',
    input: { a: 'boo' },
    configs: [{ source_labels: ['a'], regex: 'f', target_label: 'b', replacement: 'bar' }],
    output: { a: 'boo' },
  },
  {
    name: 'replace from an absent source with $1 deletes the target',
    input: { a: 'foo' },
    configs: [{ source_labels: ['b'], target_label: 'a' }],
    output: {},
  },
  {
    name: 'replace without $ sets a constant (fast path)',
    input: { a: 'foo' },
    configs: [{ target_label: 'env', replacement: 'prod' }],
    output: { a: 'foo', env: 'prod' },
  },
  {
    name: 'target_label built from a group',
    input: { a: 'some-name-value' },
    configs: [{ source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', target_label: '${1}', replacement: '${2}' }],
    output: { a: 'some-name-value', name: 'value' },
  },
  {
    name: 'target_label expanding to an invalid name is ignored',
    input: { a: 'some-name-value' },
    configs: [{ source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', target_label: '${3}', replacement: '${1}' }],
    output: { a: 'some-name-value' },
  },
  {
    name: '$1x names group "1x", which is empty (Go template rules)',
    input: { a: 'foo' },
    configs: [{ source_labels: ['a'], regex: '(f)oo', target_label: 'b', replacement: '$1x' }],
    output: { a: 'foo' },
  },
  {
    name: 'named groups and $$',
    input: { a: 'v1.2' },
    configs: [{ source_labels: ['a'], regex: 'v(?P<major>\\d+)\\.(\\d+)', target_label: 'b', replacement: '$major-${2}$$' }],
    output: { a: 'v1.2', b: '1-2$' },
  },
  {
    name: 'labelmap copies matching names',
    input: { __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc' },
    configs: [{ regex: '__meta_(my.*)', replacement: '${1}', action: 'labelmap' }],
    output: { __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc', my_bar: 'aaa', my_baz: 'bbb' },
  },
  {
    name: 'labeldrop',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    configs: [{ regex: '(b|c)', action: 'labeldrop' }],
    output: { a: 'foo' },
  },
  {
    name: 'labelkeep',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    configs: [{ regex: '(b|c)', action: 'labelkeep' }],
    output: { b: 'bar', c: 'baz' },
  },
  {
    name: 'hashmod 1000 of "baz" is 976',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    configs: [{ source_labels: ['c'], target_label: 'd', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo', b: 'bar', c: 'baz', d: '976' },
  },
  {
    name: 'hashmod of a value with a newline',
    input: { a: 'foo\nbar' },
    configs: [{ source_labels: ['a'], target_label: 'b', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo\nbar', b: '734' },
  },
  {
    name: 'lowercase',
    input: { foo: 'bAr123Foo' },
    configs: [{ source_labels: ['foo'], target_label: 'foo_lower', action: 'lowercase' }],
    output: { foo: 'bAr123Foo', foo_lower: 'bar123foo' },
  },
  {
    name: 'uppercase',
    input: { foo: 'bAr123Foo' },
    configs: [{ source_labels: ['foo'], target_label: 'foo_upper', action: 'uppercase' }],
    output: { foo: 'bAr123Foo', foo_upper: 'BAR123FOO' },
  },
  {
    name: 'keepequal keeps equal',
    input: { a: 'foo', b: 'foo' },
    configs: [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }],
    output: { a: 'foo', b: 'foo' },
  },
  {
    name: 'keepequal drops different',
    input: { a: 'foo', b: 'bar' },
    configs: [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }],
    output: null,
  },
  {
    name: 'dropequal drops equal',
    input: { a: 'foo', b: 'foo' },
    configs: [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }],
    output: null,
  },
  {
    name: 'dropequal keeps different',
    input: { a: 'foo', b: 'bar' },
    configs: [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }],
    output: { a: 'foo', b: 'bar' },
  },
  {
    name: '(?i) makes the regex case-insensitive',
    input: { a: 'FOO' },
    configs: [{ source_labels: ['a'], regex: '(?i)foo', action: 'keep' }],
    output: { a: 'FOO' },
  },
  {
    name: '. matches a newline (Prometheus anchors as ^(?s:re)$)',
    input: { a: 'foo\nbar' },
    configs: [{ source_labels: ['a'], regex: 'foo.bar', action: 'keep' }],
    output: { a: 'foo\nbar' },
  },
  {
    name: 'custom separator',
    input: { a: 'x', b: 'y' },
    configs: [{ source_labels: ['a', 'b'], separator: '/', target_label: 'c' }],
    output: { a: 'x', b: 'y', c: 'x/y' },
  },
];

describe('relabel', () => {
  it.each(cases)('$name', ({ input, configs, output }) => {
    const got = relabel(labelsFromRecord(input), configs.map(rc));
    expect(got === null ? null : labelsToRecord(got)).toEqual(output);
  });

  it('returns sorted labels and leaves its input alone', () => {
    const input = labelsFromRecord({ b: '1' });
    const got = relabel(input, [rc({ target_label: 'a', replacement: 'x' })]);
    expect(got?.map((l) => l.name)).toEqual(['a', 'b']);
    expect(input).toEqual([{ name: 'b', value: '1' }]);
  });

  it('returns the input itself when keep/drop/labeldrop rules change nothing (no copy on the hot path)', () => {
    const l = labelsFromRecord({ __name__: 'up', job: 'a' });
    expect(relabel(l, [rc({ source_labels: ['__name__'], regex: 'up', action: 'keep' }), rc({ regex: 'pod_hash', action: 'labeldrop' })])).toBe(l);
  });

  it('relabelFn binds rules; no rules is the identity', () => {
    const l = labelsFromRecord({ a: '1' });
    expect(relabelFn([])(l)).toBe(l);
    expect(relabelFn([rc({ source_labels: ['a'], regex: '1', action: 'drop' })])(l)).toBeNull();
  });
});

describe('relabelSteps', () => {
  it('records each step and stops at the drop', () => {
    const steps = relabelSteps(labelsFromRecord({ a: 'foo' }), [
      rc({ target_label: 'b', replacement: 'x' }),
      rc({ source_labels: ['a'], regex: 'foo', action: 'drop' }),
      rc({ target_label: 'c', replacement: 'never' }),
    ]);
    expect(steps).toHaveLength(2);
    expect(labelsToRecord(steps[0]!.before)).toEqual({ a: 'foo' });
    expect(labelsToRecord(steps[0]!.after)).toEqual({ a: 'foo', b: 'x' });
    expect(steps[0]!.dropped).toBe(false);
    expect(steps[1]).toMatchObject({ index: 1, action: 'drop', dropped: true });
  });
});

describe('relabeling regexes are Go\'s, in linear time', () => {
  it('(a+)+b against a 50,000-character value (issue #19)', () => {
    const long = 'a'.repeat(50_000);
    const l = labelsFromRecord({ __name__: 'x', v: long });
    const t0 = performance.now();
    expect(relabel(l, [rc({ source_labels: ['v'], regex: '(a+)+b', action: 'drop' })])).toBe(l);
    expect(relabel(l, [rc({ source_labels: ['v'], regex: '(a+)+b', target_label: 'y', replacement: 'z' })])).toBe(l);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('\\Q…\\E and (?i) as Prometheus accepts them', () => {
    const l = labelsFromRecord({ __name__: 'x', host: 'A.B:80' });
    expect(labelsToRecord(relabel(l, [rc({ source_labels: ['host'], regex: '(?i)\\Qa.b\\E:(\\d+)', target_label: 'port', replacement: '$1' })])!)).toEqual({
      __name__: 'x',
      host: 'A.B:80',
      port: '80',
    });
  });
});

describe('validateRelabel (Prometheus messages)', () => {
  const errs = (raw: Parameters<typeof validateRelabel>[0]) => validateRelabel(raw).errors.map(([, msg]) => msg);
  it.each([
    [{ action: 'hashmod', target_label: 'x' }, 'relabel configuration for hashmod requires non-zero modulus'],
    [{ action: 'replace' }, "relabel configuration for replace action requires 'target_label' value"],
    [{ target_label: '1bad' }, `"1bad" is invalid 'target_label' for replace action`],
    [{ action: 'lowercase', target_label: 'x', replacement: 'y' }, "'replacement' can not be set for lowercase action"],
    [{ action: 'labelmap', replacement: '-' }, `"-" is invalid 'replacement' for labelmap action`],
    [{ action: 'labeldrop', source_labels: ['a'] }, "labeldrop action requires only 'regex', and no other fields"],
    [{ action: 'keepequal', target_label: 'x', regex: 'a' }, "keepequal action requires only 'source_labels' and `target_label`, and no other fields"],
    [{ action: 'explode' }, 'unknown relabel action "explode"'],
    [{ target_label: 'x', regex: '(?=a)' }, 'lookahead (?=) is not supported (RE2 syntax)'],
    [{ target_label: 'x', regex: '(a' }, 'error parsing regexp: missing closing ): `(a`'],
  ] as [Record<string, unknown>, string][])('%j', (raw, message) => {
    expect(errs(raw as Parameters<typeof validateRelabel>[0]).join('\n')).toContain(message);
  });

  it('accepts upper-case action names as Prometheus does', () => {
    expect(validateRelabel({ action: 'Keep', source_labels: ['a'] }).errors).toEqual([]);
  });
});
