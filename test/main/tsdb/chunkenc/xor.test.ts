import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Encoding, decodeChunk, encodeChunk, encodeWith } from '../../../../main/tsdb/chunkenc/chunk.js';
import { StaleNaN, isStaleNaN } from '../../../../main/tsdb/interface.js';
import { STALE, bitsOf, fromBits, sameSeries, series } from './arbitraries.js';

function roundTrip(t: Float64Array, v: Float64Array) {
  const bytes = encodeWith(Encoding.XOR, t, v);
  if (bytes === null) throw new Error('XOR must accept every series');
  return { bytes, ...decodeChunk(Encoding.XOR, bytes) };
}

describe('XOR codec', () => {
  it('round-trips every bit pattern and timestamp shape', () => {
    fc.assert(
      fc.property(series(300), (s) => {
        const out = roundTrip(s.t, s.v);
        expect(out.error).toBeNull();
        expect(sameSeries(out.t, out.v, s)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps StaleNaN, NaN payloads, ±Inf, −0 and subnormals bit for bit', () => {
    const bits = [0x3ff0000000000000n, STALE, 0x7ff8000000000001n, 0xfff0000000000000n, 0x7ff0000000000000n, 0x8000000000000000n, 1n, STALE, STALE, 0n];
    const t = Float64Array.from(bits, (_, i) => 1_700_000_000_000 + i * 15_000);
    const out = roundTrip(t, fromBits(bits));
    expect(bitsOf(out.v)).toEqual(bits);
    expect(Array.from(out.t)).toEqual(Array.from(t));
  });

  it('keeps the storage interface’s StaleNaN a stale marker, with either codec chosen', () => {
    const t = Float64Array.of(0, 15_000, 30_000);
    const v = Float64Array.of(0.5, StaleNaN, 0.25);
    for (const c of [encodeChunk(t, v), { encoding: Encoding.XOR, bytes: encodeWith(Encoding.XOR, t, v)! }]) {
      const out = decodeChunk(c.encoding, c.bytes);
      expect([isStaleNaN(out.v[0]!), isStaleNaN(out.v[1]!), isStaleNaN(out.v[2]!)]).toEqual([false, true, false]);
    }
  });

  it('round-trips a single sample and a full 65535-sample chunk', () => {
    fc.assert(
      fc.property(series(1), (s) => {
        const out = roundTrip(s.t, s.v);
        expect(sameSeries(out.t, out.v, s)).toBe(true);
      }),
    );
    const n = 65535;
    const t = Float64Array.from({ length: n }, (_, i) => -5e12 + i * 15_000 + (i % 7 === 0 ? 3 : 0));
    const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1e6);
    const out = roundTrip(t, v);
    expect(out.error).toBeNull();
    expect(sameSeries(out.t, out.v, { t, v })).toBe(true);
  });

  it('spends one bit per timestamp and value on a regular constant series (as Prometheus)', () => {
    const n = 240;
    const t = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const v = new Float64Array(n).fill(42);
    const { bytes } = roundTrip(t, v);
    // 54 + 64 bits for the first sample, ~20 bits for the first delta, then 2 bits per sample.
    expect(bytes.length).toBeLessThan(Math.ceil((54 + 64 + 21 + 2 * (n - 2)) / 8) + 16);
  });
});
