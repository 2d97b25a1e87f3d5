import { describe, expect, it } from 'vitest';
import { parseExpr } from '../../../app/promql/parser.js';
import { statsSelectors, withStatsHints } from '../../../main/promql/histogram-stats.js';
import type { NativeHistogram } from '../../../main/tsdb/interface.js';
import { engine, load, m } from './harness.js';

const names = (q: string): (string | null)[] => [...statsSelectors(parseExpr(q, { enableExperimental: true }))].map((v) => v.name).sort();

describe('statsSelectors', () => {
  it('finds selectors read only for histogram_count / sum / avg, through aggregations and range functions', () => {
    expect(names('histogram_count(sum(a))')).toEqual(['a']);
    expect(names('histogram_sum(rate(a[5m])) + histogram_avg(b)')).toEqual(['a', 'b']);
    expect(names('histogram_count(a + b)')).toEqual([]);
    expect(names('histogram_count(increase(a[40m:9m]))')).toEqual([]);
    expect(names('histogram_count(histogram_quantile(0.5, a))')).toEqual([]);
    expect(names('sum(a)')).toEqual([]);
  });
});

describe('withStatsHints', () => {
  const h = (count: number): NativeHistogram => ({ schema: 0, zeroThreshold: 0, zeroCount: 0, count, sum: count, positive: [{ index: 0, count }], negative: [], customValues: [], counterResetHint: 'unknown' });
  it('gives the first sample read its chunk hint and later ones a hint against the sample before', () => {
    const t = Float64Array.from([0, 60_000, 120_000, 180_000]);
    const out = withStatsHints(t, [h(1), h(3), h(2), h(4)], 60_000);
    expect(out.map((x) => x?.counterResetHint)).toEqual(['unknown', 'not_reset', 'reset', 'not_reset']);
  });
});

describe('conflicting counter resets seen through histogram_count', () => {
  it('warns for sum() of a reset and a not-reset sample only when read for its statistics', async () => {
    const s = load('1m', `
      x{a="1"} {{schema:0 count:1 sum:1 buckets:[1]}} {{schema:0 count:2 sum:2 buckets:[2]}}
      x{a="2"} {{schema:0 count:5 sum:5 buckets:[5]}} {{schema:0 count:1 sum:1 buckets:[1]}}
    `);
    const e = engine();
    expect((await e.instantQuery(s, 'sum(x)', m('1m'))).warnings).toEqual([]);
    const r = await e.instantQuery(s, 'histogram_count(sum(x))', m('1m'));
    expect(r.warnings.join()).toContain('conflicting counter resets during histogram aggregation');
  });
});
