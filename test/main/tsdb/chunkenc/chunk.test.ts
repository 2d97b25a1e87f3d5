import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Encoding, decodeChunk, decodeChunkInto, encodeChunk, encodeWith } from '../../../../main/tsdb/chunkenc/chunk.js';
import { mulberry32 } from '../../../../main/workload/prng.js';
import { sameSeries, series } from './arbitraries.js';

const regular = (n: number) => Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);

function walk(n: number, seed: number, start: number, step: number, decimals: number): Float64Array {
  const rand = mulberry32(seed);
  const scale = 10 ** decimals;
  let x = start;
  return Float64Array.from({ length: n }, () => {
    x += (rand() * 2 - 1) * step;
    return Math.round(x * scale) / scale + 0;
  });
}

describe('encodeChunk', () => {
  it('returns the smallest accepted encoding, and its bytes decode to the input', () => {
    fc.assert(
      fc.property(series(200), (s) => {
        const c = encodeChunk(s.t, s.v);
        const sizes = [Encoding.XOR, Encoding.Decimal].map((e) => encodeWith(e, s.t, s.v)?.length ?? Infinity);
        expect(c.bytes.length).toBe(Math.min(...sizes));
        expect([c.count, c.minT, c.maxT]).toEqual([s.t.length, s.t[0], s.t[s.t.length - 1]]);
        const out = decodeChunk(c.encoding, c.bytes);
        expect(out.error).toBeNull();
        expect(sameSeries(out.t, out.v, s)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('picks Decimal for 4-decimal gauges and integer gauges, XOR for arbitrary floats', () => {
    const t = regular(240);
    for (const seed of [1, 2, 3]) {
      expect(encodeChunk(t, walk(240, seed, 0.75, 0.01, 4)).encoding).toBe(Encoding.Decimal);
      expect(encodeChunk(t, walk(240, seed, 2e11, 5e7, 0)).encoding).toBe(Encoding.Decimal);
      expect(encodeChunk(t, walk(240, seed, 500, 40, 0)).encoding).toBe(Encoding.Decimal);
      const rand = mulberry32(seed);
      expect(encodeChunk(t, Float64Array.from(t, () => rand() * 1e3)).encoding).toBe(Encoding.XOR);
    }
  });

  it('encodes only [start, end)', () => {
    const t = regular(10);
    const v = Float64Array.from(t, (_, i) => i * 1.5);
    const c = encodeChunk(t, v, 3, 7);
    const out = decodeChunk(c.encoding, c.bytes);
    expect([c.count, c.minT, c.maxT]).toEqual([4, t[3], t[6]]);
    expect(Array.from(out.v)).toEqual([4.5, 6, 7.5, 9]);
  });

  it('throws RangeError for empty, oversized, unordered or non-integer input', () => {
    const bad: [Float64Array, number?, number?][] = [
      [new Float64Array(0)],
      [new Float64Array(65536).map((_, i) => i)],
      [Float64Array.of(1, 1)],
      [Float64Array.of(2, 1)],
      [Float64Array.of(1, 1.5)],
      [Float64Array.of(1, NaN)],
      [Float64Array.of(0, 2 ** 53)],
      [Float64Array.of(1, 2), 1, 5],
      [Float64Array.of(1, 2), 2, 1],
    ];
    for (const [t, start, end] of bad) {
      const v = new Float64Array(t.length);
      expect(() => encodeChunk(t, v, start, end)).toThrow(RangeError);
      expect(() => encodeWith(Encoding.XOR, t, v, start, end)).toThrow(RangeError);
    }
  });
});

describe('decodeChunkInto', () => {
  it('lays chunks end to end in the caller’s arrays', () => {
    const t = regular(30);
    const v = Float64Array.from(t, (_, i) => (i % 3 === 0 ? i / 4 : Math.sqrt(i)));
    const chunks = [encodeChunk(t, v, 0, 10), encodeChunk(t, v, 10, 25), encodeChunk(t, v, 25, 30)];
    const ot = new Float64Array(30);
    const ov = new Float64Array(30);
    let at = 0;
    for (const c of chunks) {
      const r = decodeChunkInto(c.encoding, c.bytes, ot, ov, at);
      expect(r.error).toBeNull();
      at += r.n;
    }
    expect(at).toBe(30);
    expect(sameSeries(ot, ov, { t, v })).toBe(true);
  });

  it('decodes only what fits, and says so', () => {
    const t = regular(10);
    const v = Float64Array.from(t, (_, i) => i);
    const c = encodeChunk(t, v);
    const ot = new Float64Array(6);
    const ov = new Float64Array(6);
    const r = decodeChunkInto(c.encoding, c.bytes, ot, ov, 2);
    expect(r.n).toBe(4);
    expect(r.error?.kind).toBe('corrupt');
    expect(Array.from(ov)).toEqual([0, 0, 0, 1, 2, 3]);
    expect(decodeChunkInto(77, c.bytes, ot, ov).error?.kind).toBe('unknown_encoding');
  });
});
