import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BitReader, BitWriter } from '../../../../main/tsdb/chunkenc/bstream.js';
import { readInts, writeInts } from '../../../../main/tsdb/chunkenc/intpack.js';

function roundTrip(xs: number[]): { ok: boolean; out: number[]; bits: number } {
  const w = new BitWriter();
  const ok = writeInts(w, Float64Array.from(xs), xs.length);
  const bits = w.bitLength;
  const out = new Float64Array(xs.length);
  const r = readInts(new BitReader(w.finish()), out, xs.length);
  expect(r.corrupt).toBe(false);
  return { ok, out: Array.from(out.subarray(0, r.got)), bits };
}

const MAX = Number.MAX_SAFE_INTEGER;

describe('integer sequences', () => {
  it('round-trips any safe integers, or declines when no plan is exact', () => {
    const seq = fc.oneof(
      fc.array(fc.maxSafeInteger(), { minLength: 1, maxLength: 150 }),
      fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 150 }),
      fc.tuple(fc.maxSafeInteger(), fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 150 })).map(([x, ds]) => {
        const out = [x];
        for (const d of ds) if (Math.abs(out[out.length - 1]! + d) <= MAX) out.push(out[out.length - 1]! + d);
        return out;
      }),
    );
    fc.assert(
      fc.property(seq, (xs) => {
        const r = roundTrip(xs);
        // Order 0 needs max - min < 2^53; only sequences that span more may be declined.
        if (!r.ok) expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(MAX);
        else expect(r.out).toEqual(xs.map((x) => x + 0));
      }),
      { numRuns: 300 },
    );
  });

  it('costs 6 bits per block for a regular sequence and uses the common divisor', () => {
    const regular = Array.from({ length: 240 }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const r = roundTrip(regular);
    expect(r.out).toEqual(regular);
    expect(r.bits).toBeLessThan(200);
    // Multiples of 4096 moving by up to ±2^20: 9 bits per residual after dividing, not 21.
    let x = 4096 * 1e6;
    const quantised = Array.from({ length: 256 }, (_, i) => (x += 4096 * ((i * 7919) % 511 - 255)));
    const q = roundTrip(quantised);
    expect(q.out).toEqual(quantised);
    expect(q.bits).toBeLessThan(256 * 10);
  });
});
