import { describe, expect, it } from 'vitest';
import { engine, flat, flatRange, load, m } from './harness.js';

const e = engine();
const s = load('1m', `
  c_total 0 10 20 5 15 25
  g 1 4 2 8
  n 1 NaN 3
`);
const at = (q: string, t: number): Promise<unknown> => e.instantQuery(s, q, t).then(flat);

describe('counter functions', () => {
  it('increase and rate handle resets and extrapolate like Prometheus', async () => {
    // Samples at 1m..5m in (0, 5m]: 10 20 5 15 25 → increase 15 + 20 (reset) = 35 over 4m.
    // The first sample is 1m from the window start, within 1.1 × the average gap, so the
    // result is extrapolated to the full 5m: 35 × 5/4.
    const inc = (await at('increase(c_total[5m])', m('5m'))) as Record<string, number>;
    expect(inc['{}']).toBeCloseTo(43.75, 10);
    const rate = (await at('rate(c_total[5m])', m('5m'))) as Record<string, number>;
    expect(rate['{}']).toBeCloseTo(43.75 / 300, 12);
    // A window ending 2m after the last sample extrapolates only half a gap at the end.
    const late = (await at('increase(c_total[5m])', m('7m'))) as Record<string, number>;
    // (2m, 7m] holds 5 15 25 at 3m..5m: 20 over 2m. Start: the counter's zero point (30s
    // before 3m) is nearer than the window start; end: 2m away, so half a gap. 20 × 3/2.
    expect(late['{}']).toBeCloseTo(30, 10);
  });

  it('irate and idelta use the last two samples', async () => {
    expect(await at('irate(c_total[5m])', m('3m'))).toEqual({ '{}': 5 / 60 });
    expect(await at('idelta(g[5m])', m('3m'))).toEqual({ '{}': 6 });
  });

  it('resets and changes count transitions', async () => {
    expect(await at('resets(c_total[10m])', m('5m'))).toEqual({ '{}': 1 });
    expect(await at('changes(g[10m])', m('3m'))).toEqual({ '{}': 3 });
  });

  it('needs two samples for rates', async () => {
    expect(await at('rate(c_total[1m])', m('1m'))).toEqual({});
  });
});

describe('*_over_time', () => {
  it('computes all the window aggregations', async () => {
    expect(await at('sum_over_time(g[10m])', m('3m'))).toEqual({ '{}': 15 });
    expect(await at('avg_over_time(g[10m])', m('3m'))).toEqual({ '{}': 3.75 });
    expect(await at('min_over_time(g[10m])', m('3m'))).toEqual({ '{}': 1 });
    expect(await at('max_over_time(g[10m])', m('3m'))).toEqual({ '{}': 8 });
    expect(await at('count_over_time(g[10m])', m('3m'))).toEqual({ '{}': 4 });
    expect(await at('last_over_time(g[10m])', m('3m'))).toEqual({ g: 8 });
    expect(await at('present_over_time(g[10m])', m('3m'))).toEqual({ '{}': 1 });
    expect(await at('quantile_over_time(0.5, g[10m])', m('3m'))).toEqual({ '{}': 3 });
    expect(await at('stdvar_over_time(g[10m])', m('3m'))).toEqual({ '{}': 7.1875 });
  });

  it('max_over_time ignores NaN unless everything is NaN', async () => {
    expect(await at('max_over_time(n[10m])', m('2m'))).toEqual({ '{}': 3 });
  });

  it('absent_over_time reports the missing selector labels', async () => {
    expect(await at('absent_over_time(nope{job="j"}[1m])', m('1m'))).toEqual({ '{job="j"}': 1 });
    expect(await at('absent_over_time(g[1m])', m('1m'))).toEqual({});
  });

  it('deriv and predict_linear use least squares', async () => {
    const lin = load('1m', 'l 0+60x10');
    expect(flat(await e.instantQuery(lin, 'deriv(l[5m])', m('5m')))).toEqual({ '{}': 1 });
    expect(flat(await e.instantQuery(lin, 'predict_linear(l[5m], 60)', m('5m')))).toEqual({ '{}': 360 });
  });

  it('slides windows over all steps of a range query', async () => {
    const r = await e.rangeQuery(s, 'count_over_time(g[2m])', 0, m('5m'), m('1m'));
    expect(flatRange(r, 0, m('5m'), m('1m'))).toEqual({ '{}': [1, 2, 2, 2, 1, null] });
  });
});
