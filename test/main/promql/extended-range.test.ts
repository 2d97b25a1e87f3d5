import { describe, expect, it } from 'vitest';
import { parseExpr } from '../../../app/promql/parser.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import { flat, flatRange, load, m } from './harness.js';

const e = new PromQLEngine({ lookbackDelta: m('5m'), parse: (q) => parseExpr(q, { enableExtendedRangeSelectors: true }) });
// A counter that resets between 2m and 3m, and a gauge.
const s = load('1m', `
  c 10 20 30 5 15
  g 4 1 7
`);
const at = (q: string, t: number): Promise<unknown> => e.instantQuery(s, q, t).then(flat);

describe('anchored ranges', () => {
  it('take the last sample at or before the window start as the left edge, without extrapolation', async () => {
    // (1m30s, 3m30s]: anchor 20 (at 1m), then 30, 5 (reset: +30) → 5 - 20 + 30 = 15.
    expect(await at('increase(c[2m] anchored)', m('3m30s'))).toEqual({ '{}': 15 });
    expect(await at('rate(c[2m] anchored)', m('3m30s'))).toEqual({ '{}': 15 / 120 });
    // delta is no counter: 5 - 20.
    expect(await at('delta(c[2m] anchored)', m('3m30s'))).toEqual({ '{}': -15 });
    // The plain selector sees only 30 and 5 and extrapolates.
    expect(await at('increase(c[2m])', m('3m30s'))).not.toEqual({ '{}': 15 });
  });
  it('count changes and resets across the anchor', async () => {
    // (1m, 2m] holds only 7; the anchor 1 (at 1m) makes it one change and no reset.
    expect(await at('changes(g[1m] anchored)', m('2m'))).toEqual({ '{}': 1 });
    expect(await at('changes(g[1m])', m('2m'))).toEqual({ '{}': 0 });
    expect(await at('resets(g[2m] anchored)', m('2m'))).toEqual({ '{}': 1 });
  });
  it('answer nothing when no sample lies inside the window', async () => {
    expect(await at('increase(c[1m] anchored)', m('10m'))).toEqual({});
  });
  it('give the same values as a range query, step by step', async () => {
    const r = flatRange(await e.rangeQuery(s, 'increase(c[2m] anchored)', m('2m'), m('4m'), m('1m')), m('2m'), m('4m'), m('1m'));
    const one = async (t: number): Promise<number> => ((await at('increase(c[2m] anchored)', t)) as Record<string, number>)['{}']!;
    expect(r['{}']).toEqual([await one(m('2m')), await one(m('3m')), await one(m('4m'))]);
  });
});

describe('smoothed ranges and selectors', () => {
  it('interpolate both edges, counter-aware for increase', async () => {
    // (30s, 2m30s]: left edge 15 (10→20 at 30s); right edge between 30 (2m) and 5 (3m), a reset,
    // so read as 0→5: 2.5; inside 20 (1m), 30 (2m); the reset adds 30 → 2.5 - 15 + 30.
    expect(await at('increase(c[2m] smoothed)', m('2m30s'))).toEqual({ '{}': 17.5 });
    // delta interpolates 30→5 as it is: 17.5 - 15.
    expect(await at('delta(c[2m] smoothed)', m('2m30s'))).toEqual({ '{}': 2.5 });
  });
  it('interpolate an instant selector between the samples around the step (not as a counter)', async () => {
    expect(await at('g smoothed', m('30s'))).toEqual({ 'g': 2.5 });
    expect(await at('c smoothed', m('2m30s'))).toEqual({ 'c': 17.5 });
    // After the last sample: its value, as a plain selector.
    expect(await at('g smoothed', m('3m'))).toEqual({ 'g': 7 });
  });
});

describe('refusals', () => {
  it('name the functions each modifier may feed', async () => {
    await expect(e.instantQuery(s, 'deriv(g[3m] smoothed)', m('3m'))).rejects.toThrow('smoothed modifier can only be used with: delta, increase, rate - not with deriv');
    await expect(e.instantQuery(s, 'max_over_time(g[3m] anchored)', m('3m'))).rejects.toThrow('anchored modifier can only be used with: changes, delta, increase, rate, resets - not with max_over_time');
  });
});

describe('native histograms', () => {
  const h = load('1m', 'h {{schema:0 count:1 sum:1 buckets:[1]}}+{{count:1 sum:1 buckets:[1]}}x3');
  const count = async (q: string, t: number): Promise<number | undefined> => {
    const r = await e.instantQuery(h, q, t);
    return r.result.type === 'vector' ? r.result.samples[0]?.h?.count : undefined;
  };
  it('take histogram edges: anchored picks, smoothed interpolates', async () => {
    // (1m30s, 3m30s]: anchor count 2 (at 1m), last count 4 (at 3m).
    expect(await count('increase(h[2m] anchored)', m('3m30s'))).toBe(2);
    // (30s, 2m30s]: left 1.5 (between 1 and 2), right 3.5 (between 3 and 4).
    expect(await count('increase(h[2m] smoothed)', m('2m30s'))).toBe(2);
    expect(await count('h smoothed', m('1m15s'))).toBe(2.25);
  });
  it('warn and answer nothing where floats and histograms meet', async () => {
    const mixed = load('1m', 'x 1 {{schema:0 count:2 sum:2 buckets:[2]}}');
    const r = await e.instantQuery(mixed, 'x smoothed', m('30s'));
    expect(r.result.type === 'vector' ? r.result.samples : null).toEqual([]);
    expect(r.warnings).toEqual(['PromQL warning: encountered a mix of histograms and floats for metric name "x" (1:1)']);
  });
});

describe('step() and range() in duration expressions', () => {
  const d = new PromQLEngine({ parse: (q) => parseExpr(q, { enableExperimental: true }) });
  const one = load('1s', 'n 0+1x100');
  it('take the range query step and end minus start', async () => {
    // [step()] with a 10s step: samples in (40s, 50s] → 10; offset range() shifts by the 20s range.
    const r = await d.rangeQuery(one, 'count_over_time(n[step()])', m('50s'), m('70s'), m('10s'));
    expect(flatRange(r, m('50s'), m('70s'), m('10s'))).toEqual({ '{}': [10, 10, 10] });
    const o = await d.rangeQuery(one, 'n offset range()', m('50s'), m('70s'), m('10s'));
    expect(flatRange(o, m('50s'), m('70s'), m('10s'))).toEqual({ 'n': [30, 40, 50] });
  });
  it('give range() 0 in an instant query', async () => {
    expect(flat(await d.instantQuery(one, 'n offset range()', m('50s')))).toEqual({ 'n': 50 });
  });
});
