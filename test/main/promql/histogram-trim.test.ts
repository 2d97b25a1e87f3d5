import { describe, expect, it } from 'vitest';
import { trimHistogram } from '../../../main/promql/histogram-trim.js';
import type { NativeHistogram } from '../../../main/tsdb/interface.js';
import { engine, load, m } from './harness.js';

const base = { zeroThreshold: 0, zeroCount: 0, negative: [], customValues: [], counterResetHint: 'unknown' } as const;
// Schema 0: bucket 1 is (1, 2], bucket 2 is (2, 4].
const exp: NativeHistogram = { ...base, schema: 0, count: 12, sum: 30, positive: [{ index: 1, count: 4 }, { index: 2, count: 8 }] };
// Custom bounds 10, 20: (-Inf, 10] (10, 20] (20, +Inf].
const cbh: NativeHistogram = { ...base, schema: -53, count: 7, sum: 100, customValues: [10, 20], positive: [{ index: 0, count: 2 }, { index: 1, count: 4 }, { index: 2, count: 1 }] };

describe('trimHistogram', () => {
  it('splits an exponential bucket by the logarithm of its bounds and re-estimates the sum', () => {
    const t = trimHistogram(exp, Math.SQRT2, true);
    // (1, √2] is half of (1, 2] in log scale: 2 of 4; its observations stand at 2^(1/4).
    expect(t.positive.map((b) => b.index)).toEqual([1, 2]);
    expect(t.positive[0]!.count).toBeCloseTo(2, 12);
    expect(t.positive[1]!.count).toBe(0);
    expect(t.count).toBeCloseTo(2, 12);
    expect(t.sum).toBeCloseTo(2 * 2 ** 0.25, 12);
    const above = trimHistogram(exp, 2, false);
    expect(above.count).toBe(8);
    expect(above.sum).toBeCloseTo(8 * Math.sqrt(8), 12);
  });
  it('splits custom buckets linearly; open buckets follow the upstream rules', () => {
    const t = trimHistogram(cbh, 15, true);
    // (-Inf, 10] counts from 0 (midpoint 5); half of (10, 20] stands at 12.5; (20, +Inf] goes.
    expect(t.count).toBe(4);
    expect(t.sum).toBe(2 * 5 + 2 * 12.5);
    // Above 25: only (20, +Inf], whole, its observations put at the cut.
    const high = trimHistogram(cbh, 25, false);
    expect([high.count, high.sum]).toEqual([1, 25]);
  });
  it('returns the histogram unchanged when the cut removes nothing', () => {
    expect(trimHistogram(exp, Infinity, true)).toBe(exp);
    expect(trimHistogram(exp, 1, false)).toBe(exp);
  });
});

describe('h </ x in queries', () => {
  it('keeps the metric name, trims histograms and leaves floats out', async () => {
    const s = load('1m', `
      h {{schema:0 count:12 sum:30 offset:1 buckets:[4 8]}}
      f 3
    `);
    const r = await engine().instantQuery(s, 'h >/ 2 or f </ 1', m('1m'));
    const v = r.result.type === 'vector' ? r.result.samples : [];
    expect(v.map((x) => [x.labels.find((l) => l.name === '__name__')?.value, x.h?.count])).toEqual([['h', 8]]);
    expect(r.infos.join()).toContain('incompatible sample types encountered for binary operator "</": float </ float');
  });
});
