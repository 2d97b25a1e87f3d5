import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SeriesIndex } from '../../../main/tsdb/index-series.js';
import { selectRefs } from '../../../main/tsdb/matchers.js';
import type { Matcher } from '../../../main/tsdb/interface.js';
import { getLabel, normalizeLabels, type Labels } from '../../../main/tsdb/labels.js';

// Oracle: Prometheus semantics written the naive way — every matcher tests the label's value,
// '' when absent; regexes are anchored and dot-all.
function oracle(series: readonly Labels[], matchers: readonly Matcher[]): number[] {
  const out: number[] = [];
  series.forEach((labels, i) => {
    const ok = matchers.every((m) => {
      const v = getLabel(labels, m.name);
      switch (m.op) {
        case '=':
          return v === m.value;
        case '!=':
          return v !== m.value;
        case '=~':
          return new RegExp(`^(?:${m.value})$`, 's').test(v);
        case '!~':
          return !new RegExp(`^(?:${m.value})$`, 's').test(v);
      }
    });
    if (ok) out.push(i + 1);
  });
  return out;
}

const names = ['__name__', 'job', 'code', 'le'];
const values = ['', 'a', 'b', 'ab', 'a\nb', '5xx', '500'];
const regexes = ['a', 'a.*', '.*', '.+', 'a.b', '5..', 'b|ab', '', '(a|)'];

const labelsArb = fc
  .array(fc.tuple(fc.constantFrom(...names), fc.constantFrom(...values)), { minLength: 1, maxLength: 4 })
  .map((pairs) => normalizeLabels(pairs.map(([name, value]) => ({ name, value }))))
  .filter((l) => l.length > 0);

const matcherArb: fc.Arbitrary<Matcher> = fc.oneof(
  fc.record({ op: fc.constantFrom('=' as const, '!=' as const), name: fc.constantFrom(...names, 'absent'), value: fc.constantFrom(...values) }),
  fc.record({ op: fc.constantFrom('=~' as const, '!~' as const), name: fc.constantFrom(...names, 'absent'), value: fc.constantFrom(...regexes) }),
);

describe('selectRefs', () => {
  it('agrees with a brute-force oracle on random series and matchers', () => {
    fc.assert(
      fc.property(fc.array(labelsArb, { minLength: 0, maxLength: 40 }), fc.array(matcherArb, { minLength: 1, maxLength: 3 }), (series, matchers) => {
        const index = new SeriesIndex();
        const unique: Labels[] = [];
        for (const l of series) if (index.getOrCreate(l).created) unique.push(l);
        expect(Array.from(selectRefs(index, matchers))).toEqual(oracle(unique, matchers));
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with the oracle when a wide regex meets a narrow matcher (its series tested, not merged)', () => {
    // A dashboard's "All": instance=~"i0|i1|…" covers most series, __name__ only a few.
    const series: Labels[] = [];
    for (let i = 0; i < 600; i++) {
      series.push(normalizeLabels([
        { name: '__name__', value: i % 30 === 0 ? 'narrow' : `wide${i % 7}` },
        { name: 'instance', value: `i${i % 25}` },
        ...(i % 4 === 0 ? [{ name: 'code', value: `${200 + (i % 3) * 100}` }] : []),
      ]));
    }
    const index = new SeriesIndex();
    const unique: Labels[] = [];
    for (const l of series) if (index.getOrCreate(l).created) unique.push(l);
    const cases: Matcher[][] = [
      [{ op: '=', name: '__name__', value: 'narrow' }, { op: '=~', name: 'instance', value: 'i(1|2|3|4|5|6|7|8|9|1.)' }],
      [{ op: '=', name: '__name__', value: 'narrow' }, { op: '!=', name: 'instance', value: 'i0' }],
      [{ op: '=', name: '__name__', value: 'narrow' }, { op: '!~', name: 'instance', value: 'i[0-4]' }],
      [{ op: '=', name: '__name__', value: 'narrow' }, { op: '=~', name: 'instance', value: '.+' }, { op: '=~', name: 'code', value: '2..|4..' }],
      [{ op: '=~', name: '__name__', value: 'narrow|wide1' }, { op: '=~', name: 'instance', value: 'i1.*' }],
      [{ op: '=', name: 'instance', value: 'i3' }, { op: '=~', name: '__name__', value: 'wide.*' }],
    ];
    for (const ms of cases) {
      const want = oracle(unique, ms);
      expect(want.length).toBeGreaterThan(0);
      expect(Array.from(selectRefs(index, ms))).toEqual(want);
    }
  });

  it('handles the documented special cases', () => {
    const index = new SeriesIndex();
    const a = index.getOrCreate([{ name: '__name__', value: 'up' }, { name: 'job', value: 'x' }]).ref;
    const b = index.getOrCreate([{ name: '__name__', value: 'up' }]).ref;
    const c = index.getOrCreate([{ name: '__name__', value: 'down' }, { name: 'job', value: 'multi\nline' }]).ref;
    const sel = (...m: Matcher[]) => Array.from(selectRefs(index, m));
    expect(sel({ op: '=', name: 'job', value: '' })).toEqual([b]);
    expect(sel({ op: '!~', name: 'job', value: '.+' })).toEqual([b]);
    expect(sel({ op: '!=', name: 'job', value: '' })).toEqual([a, c]);
    expect(sel({ op: '=~', name: 'job', value: 'multi.line' })).toEqual([c]);
    expect(sel({ op: '=~', name: 'job', value: 'x|multi' })).toEqual([a]); // anchored
    expect(sel({ op: '=~', name: '__name__', value: '.+' })).toEqual([a, b, c]);
    expect(sel({ op: '=', name: '__name__', value: 'up' }, { op: '!=', name: 'job', value: 'x' })).toEqual([b]);
    expect(() => sel({ op: '=~', name: 'job', value: '(' })).toThrow(/invalid regular expression "\("/);
  });

  it('selects over a 50,000-character value with (a+)+b in linear time (issue #19)', () => {
    const index = new SeriesIndex();
    index.getOrCreate([{ name: '__name__', value: 'longlab' }, { name: 'v', value: 'a'.repeat(50_000) }]);
    const t0 = performance.now();
    expect(Array.from(selectRefs(index, [{ op: '=', name: '__name__', value: 'longlab' }, { op: '=~', name: 'v', value: '(a+)+b' }]))).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('finds series by labels and keeps refs dense', () => {
    const index = new SeriesIndex();
    const l1 = [{ name: '__name__', value: 'm' }, { name: 'i', value: '1' }];
    expect(index.getOrCreate(l1)).toEqual({ ref: 1, created: true });
    expect(index.getOrCreate([{ name: '__name__', value: 'm' }])).toEqual({ ref: 2, created: true });
    expect(index.lookup(l1)).toBe(1);
    expect(index.lookup([{ name: '__name__', value: 'zzz' }])).toBe(0);
    expect(index.labels(1)).toEqual(l1);
  });
});
