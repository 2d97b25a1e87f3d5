import { describe, expect, it } from 'vitest';
import { engine, flat, load, m } from './harness.js';

const e = engine();
const s = load('1m', `
  x{a="1"} -2.5
  x{a="2"} 0.5
  x{a="3"} 7
`);
const at = (q: string, t = 0): Promise<unknown> => e.instantQuery(s, q, t).then(flat);

describe('element-wise functions', () => {
  it('drop the metric name and map every sample', async () => {
    expect(await at('abs(x)')).toEqual({ '{a="1"}': 2.5, '{a="2"}': 0.5, '{a="3"}': 7 });
    expect(await at('ceil(x)')).toEqual({ '{a="1"}': -2, '{a="2"}': 1, '{a="3"}': 7 });
    expect(await at('sgn(x)')).toEqual({ '{a="1"}': -1, '{a="2"}': 1, '{a="3"}': 1 });
  });

  it('clamp / clamp_min / clamp_max, and clamp with max < min is empty', async () => {
    expect(await at('clamp(x, 0, 1)')).toEqual({ '{a="1"}': 0, '{a="2"}': 0.5, '{a="3"}': 1 });
    expect(await at('clamp_min(x, 1)')).toEqual({ '{a="1"}': 1, '{a="2"}': 1, '{a="3"}': 7 });
    expect(await at('clamp_max(x, 1)')).toEqual({ '{a="1"}': -2.5, '{a="2"}': 0.5, '{a="3"}': 1 });
    expect(await at('clamp(x, 2, 1)')).toEqual({});
  });

  it('round rounds half up, to a multiple when asked', async () => {
    expect(await at('round(x)')).toEqual({ '{a="1"}': -2, '{a="2"}': 1, '{a="3"}': 7 });
    expect(await at('round(x, 5)')).toEqual({ '{a="1"}': 0, '{a="2"}': 0, '{a="3"}': 5 });
  });

  it('trig and conversions', async () => {
    const r = (await at('deg(rad(x))')) as Record<string, number>;
    expect(r['{a="3"}']).toBeCloseTo(7, 12);
    expect(await at('scalar(cos(x{a="2"} * 0))')).toBe(1);
  });

  it('calendar functions read values as UTC seconds and default to time()', async () => {
    // 2024-02-29T13:45:00Z
    const t = Date.UTC(2024, 1, 29, 13, 45) / 1000;
    expect(await at(`month(vector(${t}))`)).toEqual({ '{}': 2 });
    expect(await at(`days_in_month(vector(${t}))`)).toEqual({ '{}': 29 });
    expect(await at(`day_of_year(vector(${t}))`)).toEqual({ '{}': 60 });
    expect(await at(`day_of_week(vector(${t}))`)).toEqual({ '{}': 4 });
    expect(await at(`hour(vector(${t}))`)).toEqual({ '{}': 13 });
    expect(await at('minute()', m('90m'))).toEqual({ '{}': 30 });
    expect(await at('year()', 0)).toEqual({ '{}': 1970 });
  });

  it('time, vector, scalar, timestamp', async () => {
    expect(await at('time()', m('2m'))).toBe(120);
    expect(await at('scalar(x)')).toBeNaN();
    expect(await at('vector(3)')).toEqual({ '{}': 3 });
    expect(await at('timestamp(x{a="3"})', m('3m'))).toEqual({ '{a="3"}': 0 });
  });
});

describe('min_of / max_of (experimental)', () => {
  it('pick the smaller / larger scalar at every step, NaN when either is NaN', async () => {
    expect(await at('min_of(3, scalar(x{a="1"}))')).toBe(-2.5);
    expect(await at('max_of(3, scalar(x{a="3"}))')).toBe(7);
    expect(await at('min_of(NaN, 1)')).toBeNaN();
    expect(await at('max_of(1, NaN)')).toBeNaN();
    const r = await e.rangeQuery(s, 'max_of(time(), 60)', 0, m('2m'), m('1m'));
    expect(r.result.type === 'matrix' ? Array.from(r.result.series[0]!.v) : null).toEqual([60, 60, 120]);
  });
});
