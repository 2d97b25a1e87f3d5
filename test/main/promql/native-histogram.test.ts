import { describe, expect, it } from 'vitest';
import { HistogramNotSupportedError } from '../../../main/promql/errors.js';
import { parseSeriesLine, SeriesNotationError } from '../../../main/promql/series-notation.js';
import { engine, flat, load, m } from './harness.js';

const e = engine();

describe('native histogram series notation', () => {
  it('reads every field of {{…}}', () => {
    const line = parseSeriesLine('h {{schema:1 count:10 sum:15 z_bucket:1 z_bucket_w:0.001 buckets:[3 2] offset:1 n_buckets:[4] counter_reset_hint:gauge}}');
    expect(line.histogram).toBe(true);
    expect(line.values[0]!.histogram).toEqual({
      schema: 1,
      zeroThreshold: 0.001,
      zeroCount: 1,
      count: 10,
      sum: 15,
      positive: [
        { index: 1, count: 3 },
        { index: 2, count: 2 },
      ],
      negative: [{ index: 0, count: 4 }],
      customValues: [],
      counterResetHint: 'gauge',
    });
  });

  it('expands {{a}}+{{b}}xN by repeated addition and keeps floats beside histograms', () => {
    const vals = parseSeriesLine('h 7 {{schema:0 count:1 sum:1 buckets:[1]}}+{{count:1 sum:2 buckets:[0 1]}}x2 _').values;
    expect(vals.map((v) => (v.omitted ? '_' : v.histogram ? `${v.histogram.count}/${v.histogram.sum}` : v.value))).toEqual([7, '1/1', '2/3', '3/5', '_']);
    expect(vals[3]!.histogram!.positive).toEqual([
      { index: 0, count: 1 },
      { index: 1, count: 2 },
    ]);
  });

  it('refuses bad histograms with a reason', () => {
    expect(() => parseSeriesLine('h {{schema:9 count:1}}')).toThrow(SeriesNotationError);
    expect(() => parseSeriesLine('h {{schema:0 count:1 colour:3}}')).toThrow(/unknown histogram field colour/);
    expect(() => parseSeriesLine('h {{schema:0 count:1')).toThrow(/unterminated histogram/);
  });
});

describe('PromQL over native histograms', () => {
  const s = load(
    '1m',
    `
    one {{schema:0 count:4 sum:6 buckets:[0 4]}}
    fine {{schema:1 count:2 sum:2.5 buckets:[2] offset:1}}
    coarse {{schema:0 count:3 sum:4 buckets:[3] offset:1}}
    both{k="a"} {{schema:0 count:1 sum:1 buckets:[1]}}
    both{k="b"} 5
    counter {{schema:0 count:0 sum:0}}+{{schema:0 count:60 sum:60 buckets:[60]}}x4
    resetting {{schema:0 count:5 sum:5 buckets:[5]}} {{schema:0 count:2 sum:2 buckets:[2]}}
    gone {{schema:0 count:1 sum:1 buckets:[1]}} stale
  `,
  );
  const at = (q: string, t = 0) => e.instantQuery(s, q, t);

  it('histogram_count, _sum and _avg read the sample', async () => {
    expect(flat(await at('histogram_count(one)'))).toEqual({ '{}': 4 });
    expect(flat(await at('histogram_sum(one)'))).toEqual({ '{}': 6 });
    expect(flat(await at('histogram_avg(one)'))).toEqual({ '{}': 1.5 });
  });

  it('histogram_quantile interpolates exponentially inside an exponential bucket', async () => {
    // All 4 observations in (1, 2]: the median is at half of the bucket on a log scale, √2.
    const r = flat(await at('histogram_quantile(0.5, one)')) as Record<string, number>;
    expect(r['{}']).toBeCloseTo(Math.SQRT2, 12);
    const f = flat(await at('histogram_fraction(0, 1.4142135623730951, one)')) as Record<string, number>;
    expect(f['{}']).toBeCloseTo(0.5, 12);
  });

  it('sum adds histograms of different schemas at the coarser one', async () => {
    // fine's bucket 1 at schema 1 is (1, √2], inside coarse's (1, 2] at schema 0.
    const r = await at('sum({__name__=~"fine|coarse"})');
    expect(r.result.type).toBe('vector');
    const h = r.result.type === 'vector' ? r.result.samples[0]!.h : undefined;
    expect(h).toMatchObject({ schema: 0, count: 5, sum: 6.5, positive: [{ index: 1, count: 5 }] });
  });

  it('a sum mixing floats and histograms gives nothing, with the warning', async () => {
    const r = await at('sum(both)');
    expect(flat(r)).toEqual({});
    expect(r.warnings).toEqual(['PromQL warning: encountered a mix of histograms and floats for aggregation (1:5)']);
  });

  it('irate, resets and multiplication by a scalar', async () => {
    expect(flat(await at('histogram_count(irate(counter[2m]))', m('4m')))).toEqual({ '{}': 1 });
    expect(flat(await at('resets(resetting[5m])', m('1m')))).toEqual({ '{}': 1 });
    expect(flat(await at('histogram_count(one * 2)'))).toEqual({ '{}': 8 });
    expect(flat(await at('histogram_count(one / 4)'))).toEqual({ '{}': 1 });
  });

  it('a stale marker ends a histogram series', async () => {
    expect(flat(await at('histogram_count(gone)', 0))).toEqual({ '{}': 1 });
    expect(flat(await at('histogram_count(gone)', m('1m')))).toEqual({});
  });

  it('binary operators: hist ± hist, hist == hist; other pairings give nothing and an info', async () => {
    expect(flat(await at('histogram_count(one + ignoring(__name__) one)'))).toEqual({ '{}': 8 });
    expect(flat(await at('histogram_count(one - ignoring(__name__) one)'))).toEqual({ '{}': 0 });
    expect(flat(await at('one == bool ignoring(__name__) one'))).toEqual({ '{}': 1 });
    const r = await at('one + 1');
    expect(flat(r)).toEqual({});
    expect(r.infos).toEqual(['PromQL info: incompatible sample types encountered for binary operator "+": histogram + float (1:1)']);
  });

  it('float-only functions drop histogram samples; unported ones refuse them rather than read garbage', async () => {
    expect(flat(await at('abs(one)'))).toEqual({});
    await expect(at('info(one)')).rejects.toBeInstanceOf(HistogramNotSupportedError);
    expect(flat(await at('count_values("v", one)'))).toEqual({ '{v="{count:4, sum:6, (1,2]:4}"}': 1 });
    expect(flat(await at('histogram_count(-one)'))).toEqual({ '{}': -4 });
  });
});

describe('layout switches and info series', () => {
  it('rate treats a switch between exponential and custom buckets after the first sample as a reset', async () => {
    const s = load('30s', `
      x _ {{schema:-53 sum:1 count:1 custom_values:[5 10] buckets:[1]}} {{schema:0 sum:5 count:4 buckets:[1 2 1]}}
      y {{schema:0 sum:1 count:1 buckets:[1]}} {{schema:-53 sum:1 count:1 custom_values:[5 10] buckets:[1]}} {{schema:0 sum:5 count:4 buckets:[1 2 1]}}
    `);
    // x: the custom first sample only bounds the extrapolation (count 1 of 4): (30s + 7.5s) / 30s over 60s.
    const r = await e.instantQuery(s, 'rate(x[1m])', m('1m'));
    expect(r.result.type === 'vector' ? r.result.samples[0]?.h?.count : null).toBeCloseTo(4 / 48, 12);
    expect(r.warnings).toEqual([]);
    // y: the layout changes again later in the window, which is still a mix.
    const mixed = await e.instantQuery(s, 'rate(y[1m30s])', m('1m'));
    expect(mixed.result.type === 'vector' ? mixed.result.samples : null).toEqual([]);
    expect(mixed.warnings.join()).toContain('vector contains a mix of histograms with exponential and custom buckets schemas for metric name "y"');
  });

  it('info() refuses histogram info series', async () => {
    const s = load('5m', `
      metric{instance="a", job="1"} 0 1
      histogram{instance="a", job="1"} {{schema:1 sum:3 count:22 buckets:[5 10 7]}}
    `);
    await expect(e.instantQuery(s, 'info(metric, {__name__="histogram"})', 0)).rejects.toThrow('this should be an info metric, with float samples: {__name__="histogram", instance="a", job="1"}');
  });
});
