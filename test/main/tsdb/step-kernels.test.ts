import { describe, it, expect } from 'vitest';
import { StaleNaN } from '../../../main/tsdb/interface.js';
import { thinInto } from '../../../main/tsdb/lookback.js';
import { dropStale, instantCount, instantSteps, rateSteps, rateWindowOf } from '../../../main/tsdb/step-kernels.js';

/** Deterministic series: mostly regular scrapes with jitter, gaps, resets, odd values and stale markers. */
function series(seed: number, len: number): { t: Float64Array; v: Float64Array } {
  let x = seed;
  const next = (): number => (x = (x * 1103515245 + 12345) % 2147483648);
  const t = new Float64Array(len);
  const v = new Float64Array(len);
  let at = 1_000_000;
  let c = 0;
  const odd = [0, -0, -5, 1e300, Infinity, NaN, 0.1, 1e-9];
  for (let i = 0; i < len; i++) {
    const r = next();
    at += r % 11 === 0 ? 60_000 + (r % 7) * 1000 : r % 5 === 0 ? 15_000 + (r % 3) - 1 : 15_000;
    t[i] = at;
    c = r % 37 === 0 ? r % 9 : c + (r % 1000) / 10;
    v[i] = r % 41 === 0 ? StaleNaN : r % 43 === 0 ? odd[r % odd.length]! : c;
  }
  return { t, v };
}

const bitsOf = (x: number): string => (Number.isNaN(x) ? 'NaN' : new BigUint64Array(Float64Array.of(x).buffer)[0]!.toString(16));

describe('step kernels', () => {
  it('rateSteps gives rateWindowOf for every window, bit for bit (rate, increase, delta; regular and odd steps)', () => {
    let checked = 0;
    const wrong: string[] = [];
    for (let seed = 1; seed < 25; seed++) {
      const s = series(seed, 300);
      const len = dropStale(s.t, s.v, s.t.length);
      for (const [range, step, offset] of [
        [60_000, 15_000, 0],
        [45_000, 15_000, 500],
        [120_000, 7_000, 3],
        [300_000, 60_000, 0.25],
      ] as const) {
        const n = Math.floor((s.t[len - 1]! - s.t[0]!) / step);
        const ends = Float64Array.from({ length: n }, (_, i) => s.t[0]! + offset + i * step);
        for (const [isCounter, isRate] of [
          [true, true],
          [true, false],
          [false, false],
        ] as const) {
          const v = new Float64Array(n);
          const has = new Uint8Array(n);
          const steps = rateSteps(s.t, s.v, len, ends, range, isCounter, isRate, v, has, 0);
          let lo = 0;
          let hi = 0;
          let want = 0;
          for (let i = 0; i < n; i++) {
            while (hi < len && s.t[hi]! <= ends[i]!) hi++;
            while (lo < len && s.t[lo]! <= ends[i]! - range) lo++;
            if (hi - lo < 2) {
              if (has[i] !== 0) wrong.push(`seed ${seed} step ${i}: a value without two samples`);
              continue;
            }
            want++;
            const got = has[i] === 1 ? bitsOf(v[i]!) : 'none';
            const expected = bitsOf(rateWindowOf(s.t, s.v, lo, hi, ends[i]!, range, isCounter, isRate));
            if (got !== expected) wrong.push(`seed ${seed} range ${range} step ${i}: ${got} ≠ ${expected}`);
            checked++;
          }
          expect(steps).toBe(want);
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(30_000);
  });

  it('instantCount counts what instantSteps gives and the samples thinInto keeps', () => {
    for (let seed = 1; seed < 30; seed++) {
      const s = series(seed, 200);
      const n = 150;
      const times = Float64Array.from({ length: n }, (_, i) => s.t[0]! - 20_000 + i * 23_000);
      for (const lookback of [30_000, 300_000]) {
        const v = new Float64Array(n);
        const has = new Uint8Array(n);
        const steps = instantSteps(s.t, s.v, s.t.length, times, lookback, v, has, 0);
        const counts = new Float64Array(n + 3).fill(2);
        const tally = new Uint32Array(1);
        expect(instantCount(s.t, s.v, s.t.length, times, lookback, counts, 3, tally)).toBe(steps);
        expect(Array.from(counts.subarray(3), (c) => c - 2)).toEqual(Array.from(has));
        const kept = thinInto(s.t.slice(), s.v.slice(), 0, s.t.length, { times, delta: lookback }, new Float64Array(n), new Float64Array(n), 0);
        expect(tally[0]).toBe(kept);
      }
    }
  });
});
