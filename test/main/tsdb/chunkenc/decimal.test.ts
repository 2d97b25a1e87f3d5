import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Encoding, decodeChunk, encodeWith } from '../../../../main/tsdb/chunkenc/chunk.js';
import { STALE, decimalSeriesBits, fromBits, sameSeries, series, timestamps } from './arbitraries.js';

const regular = (n: number) => Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);

describe('Decimal codec', () => {
  it('round-trips whatever it accepts, bit for bit (and accepts decimal series)', () => {
    fc.assert(
      fc.property(series(300), (s) => {
        const bytes = encodeWith(Encoding.Decimal, s.t, s.v);
        if (bytes === null) return;
        const out = decodeChunk(Encoding.Decimal, bytes);
        expect(out.error).toBeNull();
        expect(sameSeries(out.t, out.v, s)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('accepts every random-walk decimal series with irregular timestamps', () => {
    const arb = fc.integer({ min: 1, max: 200 }).chain((n) => fc.tuple(timestamps(n), decimalSeriesBits(n)));
    fc.assert(
      fc.property(arb, ([t, bits]) => {
        const s = { t: Float64Array.from(t), v: fromBits(bits.slice(0, t.length)) };
        const bytes = encodeWith(Encoding.Decimal, s.t, s.v);
        expect(bytes).not.toBeNull();
        const out = decodeChunk(Encoding.Decimal, bytes!);
        expect(out.error).toBeNull();
        expect(sameSeries(out.t, out.v, s)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('declines NaN, StaleNaN, ±Inf, −0 and floats that are not short decimals', () => {
    const t = regular(3);
    for (const bad of [STALE, 0x7ff8000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, 0x8000000000000000n]) {
      expect(encodeWith(Encoding.Decimal, t, fromBits([0x3ff0000000000000n, bad, 0n]))).toBeNull();
    }
    expect(encodeWith(Encoding.Decimal, t, Float64Array.of(1, 1 / 3, 2))).toBeNull();
    expect(encodeWith(Encoding.Decimal, t, Float64Array.of(1, 2 ** 60, 2))).toBeNull();
    // 0.1 + 0.2 is 0.30000000000000004: 17 significant digits, beyond 10^15.
    expect(encodeWith(Encoding.Decimal, t, Float64Array.of(0.1 + 0.2, 0.3, 0.5))).toBeNull();
  });

  it('makes regular 15 s timestamps and a constant value cost almost nothing', () => {
    const n = 240;
    const bytes = encodeWith(Encoding.Decimal, regular(n), new Float64Array(n).fill(0.75))!;
    expect(bytes.length).toBeLessThan(40);
  });

  it('round-trips a single sample and a full 65535-sample chunk', () => {
    const one = encodeWith(Encoding.Decimal, Float64Array.of(-7), Float64Array.of(12.3))!;
    const d1 = decodeChunk(Encoding.Decimal, one);
    expect([d1.t[0], d1.v[0], d1.error]).toEqual([-7, 12.3, null]);
    const n = 65535;
    const t = Float64Array.from({ length: n }, (_, i) => i * 15_000 + (i % 5));
    const v = Float64Array.from({ length: n }, (_, i) => (Math.round(Math.sin(i) * 1e4) + 0) / 1e4); // + 0: no −0
    const out = decodeChunk(Encoding.Decimal, encodeWith(Encoding.Decimal, t, v)!);
    expect(out.error).toBeNull();
    expect(sameSeries(out.t, out.v, { t, v })).toBe(true);
  });
});
