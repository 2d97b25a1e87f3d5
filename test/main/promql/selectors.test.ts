import { describe, expect, it } from 'vitest';
import { isStaleNaN, StaleNaN, staleNaNBits } from '../../../main/tsdb/interface.js';
import { engine, flat, flatRange, load, m } from './harness.js';

const e = engine();

describe('instant and range selectors', () => {
  const s = load('1m', `
    a{job="x"} 1 2 3 _ _ _ _ _ _ _ 10
    b 1 2 stale 4
  `);

  it('uses the newest sample within the 5m lookback, left-open', async () => {
    expect(flat(await e.instantQuery(s, 'a', m('2m')))).toEqual({ 'a{job="x"}': 3 });
    // Last sample at 2m: visible at 6m59s, gone at exactly 7m (window is (t-5m, t]).
    expect(flat(await e.instantQuery(s, 'a', m('6m') + 59_000))).toEqual({ 'a{job="x"}': 3 });
    expect(flat(await e.instantQuery(s, 'a', m('7m')))).toEqual({});
  });

  it('stops a series at a staleness marker', async () => {
    expect(flat(await e.instantQuery(s, 'b', m('2m')))).toEqual({});
    expect(flat(await e.instantQuery(s, 'b', m('3m')))).toEqual({ b: 4 });
  });

  it('applies offset and @ (including start() and end())', async () => {
    expect(flat(await e.instantQuery(s, 'a offset 1m', m('2m')))).toEqual({ 'a{job="x"}': 2 });
    expect(flat(await e.instantQuery(s, 'a @ 60', m('10m')))).toEqual({ 'a{job="x"}': 2 });
    const r = await e.rangeQuery(s, 'a @ end()', 0, m('2m'), m('1m'));
    expect(flatRange(r, 0, m('2m'), m('1m'))).toEqual({ 'a{job="x"}': [3, 3, 3] });
  });

  it('range selectors are left-open and skip stale markers', async () => {
    expect(flat(await e.instantQuery(s, 'count_over_time(a[2m])', m('2m')))).toEqual({ '{job="x"}': 2 });
    expect(flat(await e.instantQuery(s, 'count_over_time(b[5m])', m('3m')))).toEqual({ '{}': 3 });
  });

  it('regex matchers are anchored, let . match newlines, and translate (?i)', async () => {
    const st = load('1m', `
      c{v="ab"} 1
      c{v="xab"} 2
      c{v="AB"} 3
    `);
    expect(flat(await e.instantQuery(st, 'c{v=~"ab"}', 0))).toEqual({ 'c{v="ab"}': 1 });
    expect(flat(await e.instantQuery(st, 'c{v=~"(?i)ab"}', 0))).toEqual({ 'c{v="AB"}': 3, 'c{v="ab"}': 1 });
    expect(flat(await e.instantQuery(st, 'c{v=~"x(?i:AB)"}', 0))).toEqual({ 'c{v="xab"}': 2 });
  });

  it('matches absent labels with =""', async () => {
    const st = load('1m', `
      d{v="a"} 1
      d 2
    `);
    expect(flat(await e.instantQuery(st, 'd{v=""}', 0))).toEqual({ d: 2 });
  });

  it('aligns subquery steps to absolute multiples of the step', async () => {
    const st = load('10s', 'e 0+1x100');
    // [1m:20s] at 70s evaluates at 20s, 40s, 60s (first point strictly after 10s).
    expect(flat(await e.instantQuery(st, 'count_over_time(e[1m:20s])', m('70s')))).toEqual({ '{}': 3 });
    expect(flat(await e.instantQuery(st, 'sum_over_time(e[1m:20s])', m('70s')))).toEqual({ '{}': 2 + 4 + 6 });
  });

  it('keeps stale-marker bits through the memory storage', async () => {
    const q = await s.querier(0, m('10m'));
    const set = await q.select([{ op: '=', name: '__name__', value: 'b' }]);
    const bits = new DataView(set.series[0]!.samples().v.buffer).getBigUint64(2 * 8, true);
    expect(bits).toBe(staleNaNBits);
    expect(isStaleNaN(StaleNaN)).toBe(true);
  });
});

describe('Go regex translation', () => {
  it('handles RE2-only syntax', async () => {
    const { compileRegex } = await import('../../../app/dialect/regex.js');
    const re = (src: string) => compileRegex(src, 'prometheus');
    expect(re('(?P<n>a)b').exec('ab')?.group('n')).toBe('a');
    expect(re('[[:digit:]]+').test('123')).toBe(true);
    expect(re('\\pL+').test('héllo')).toBe(true);
    expect(re('a\\_b').test('a_b')).toBe(true);
    expect(re('(?i)[a-c]x').test('BX')).toBe(true);
  });

  it('reports an invalid regex as a query error, not a crash', async () => {
    const st = load('1m', 'c 1');
    await expect(e.instantQuery(st, 'c{v=~"a{2,1}"}', 0)).rejects.toThrow(/invalid regular expression|parse error/);
  });
});
