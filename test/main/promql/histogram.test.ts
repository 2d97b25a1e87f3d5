import { describe, expect, it } from 'vitest';
import { engine, flat, load } from './harness.js';

const e = engine();
const s = load('1m', `
  req_bucket{le="0.1"} 10
  req_bucket{le="0.5"} 30
  req_bucket{le="1"} 40
  req_bucket{le="+Inf"} 40
  bad_bucket{le="1"} 10
  bad_bucket{le="2"} 8
  bad_bucket{le="+Inf"} 12
  odd_bucket{le="nope"} 1
`);
const at = (q: string) => e.instantQuery(s, q, 0);

describe('histogram_quantile on classic buckets', () => {
  it('interpolates inside the bucket holding the rank', async () => {
    // rank 20 of 40 lies in (0.1, 0.5]: 0.1 + 0.4 × (10/20).
    expect(flat(await at('histogram_quantile(0.5, req_bucket)'))).toEqual({ '{}': 0.30000000000000004 });
    const r = flat(await at('histogram_quantile(0.99, req_bucket)')) as Record<string, number>;
    expect(r['{}']).toBeCloseTo(0.98, 12);
  });

  it('returns ±Inf outside [0, 1] with a warning naming the position', async () => {
    const r = await at('histogram_quantile(1.5, req_bucket)');
    expect(flat(r)).toEqual({ '{}': Infinity });
    expect(r.warnings).toEqual(['PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:20)']);
  });

  it('fixes non-monotonic buckets and says so in an info annotation', async () => {
    // Counts 10, 8, 12 become 10, 10, 12: rank 10.8 falls in the +Inf bucket, which answers
    // with the highest finite bound.
    const r = await at('histogram_quantile(0.9, bad_bucket)');
    expect(flat(r)).toEqual({ '{}': 2 });
    expect(r.infos[0]).toMatch(/^PromQL info: input to histogram_quantile needed to be fixed for monotonicity .* for metric name "bad_bucket" \(1:25\)$/);
  });

  it('warns about malformed le values and skips them', async () => {
    const r = await at('histogram_quantile(0.5, odd_bucket)');
    expect(flat(r)).toEqual({});
    expect(r.warnings).toEqual(['PromQL warning: bucket label "le" is missing or has a malformed value of "nope" for metric name "odd_bucket" (1:25)']);
  });

  it('histogram_fraction on classic buckets', async () => {
    expect(flat(await at('histogram_fraction(0, 0.5, req_bucket)'))).toEqual({ '{}': 0.75 });
  });

  it('native-only functions ignore float samples, as in Prometheus', async () => {
    expect(flat(await at('histogram_count(req_bucket)'))).toEqual({});
    expect(flat(await at('histogram_sum(req_bucket)'))).toEqual({});
  });
});
