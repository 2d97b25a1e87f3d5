/**
 * Damaged chunks: truncations at every length, random bit flips and garbage with a valid CRC
 * must give a typed error with a valid prefix, or the exact original; never a throw, a hang or a
 * read outside the bytes given.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkDecodeError, Encoding, type EncodingId, decodeChunk, decodeChunkInto, encodeWith } from '../../../../main/tsdb/chunkenc/chunk.js';
import { wrap } from '../../../../main/tsdb/chunkenc/frame.js';
import { type Series, bitsOf, isPrefixOf, sameSeries, series } from './arbitraries.js';

const codecs: [string, EncodingId][] = [
  ['XOR', Encoding.XOR],
  ['Decimal', Encoding.Decimal],
];

/** Decodes `bytes` placed inside a larger buffer full of junk, so reads past the end would show. */
function decodeEmbedded(encoding: number, bytes: Uint8Array) {
  const big = new Uint8Array(bytes.length + 64).fill(0xa5);
  big.set(bytes, 32);
  const inside = decodeChunk(encoding, big.subarray(32, 32 + bytes.length));
  const alone = decodeChunk(encoding, bytes.slice());
  expect(bitsOf(inside.v)).toEqual(bitsOf(alone.v));
  expect(Array.from(inside.t)).toEqual(Array.from(alone.t));
  expect(inside.error?.kind).toBe(alone.error?.kind);
  expectTimesOnlyAgrees(encoding, bytes, alone);
  return alone;
}

const intoT = new Float64Array(65536);
const intoV = new Float64Array(65536);

/**
 * decodeChunkInto with `timesOnly` (the count/group path skips Decimal values) gives the same
 * samples and the same error, word for word, as a full decode; Decimal values come out as 0
 * (never a staleness marker), XOR values decoded.
 */
function expectTimesOnlyAgrees(encoding: number, bytes: Uint8Array, whole: ReturnType<typeof decodeChunk>): void {
  const r = decodeChunkInto(encoding, bytes, intoT, intoV, 0, true);
  expect(r.n).toBe(whole.t.length);
  expect(r.error?.kind).toBe(whole.error?.kind);
  expect(r.error?.message).toBe(whole.error?.message);
  expect(Array.from(intoT.subarray(0, r.n))).toEqual(Array.from(whole.t));
  if (encoding === Encoding.Decimal) expect(intoV.subarray(0, r.n).every((x) => x === 0)).toBe(true);
  else expect(bitsOf(intoV.subarray(0, r.n))).toEqual(bitsOf(whole.v));
}

/** The damage contract: a typed error and a valid prefix, or the untouched original. */
function expectPrefixOrOriginal(out: ReturnType<typeof decodeChunk>, s: Series): void {
  if (out.error === null) {
    expect(sameSeries(out.t, out.v, s)).toBe(true);
  } else {
    expect(out.error).toBeInstanceOf(ChunkDecodeError);
    expect(['checksum', 'truncated', 'corrupt']).toContain(out.error.kind);
    expect(isPrefixOf(out.t, out.v, s)).toBe(true);
  }
}

/** A series the codec accepts (Decimal declines most arbitrary floats: those are skipped). */
function encoded(encoding: EncodingId, s: Series): Uint8Array | null {
  return encodeWith(encoding, s.t, s.v);
}

describe.each(codecs)('%s chunks under damage', (_name, encoding) => {
  it('truncated at every length: typed error, valid prefix, no read past the end', () => {
    fc.assert(
      fc.property(series(60), (s) => {
        const bytes = encoded(encoding, s);
        if (bytes === null) return;
        let recovered = 0;
        for (let len = 0; len < bytes.length; len++) {
          const out = decodeEmbedded(encoding, bytes.subarray(0, len));
          expect(out.error).not.toBeNull();
          expectPrefixOrOriginal(out, s);
          if (out.error?.kind === 'truncated') recovered = Math.max(recovered, out.t.length);
        }
        // Losing only the CRC keeps every sample readable.
        expect(recovered).toBe(s.t.length);
      }),
      { numRuns: 15 },
    );
  });

  it('every single bit flip is detected', () => {
    fc.assert(
      fc.property(series(24), (s) => {
        const bytes = encoded(encoding, s);
        if (bytes === null) return;
        for (let bit = 0; bit < bytes.length * 8; bit++) {
          const damaged = bytes.slice();
          damaged[bit >> 3]! ^= 0x80 >> (bit & 7);
          const out = decodeEmbedded(encoding, damaged);
          expect(out.error).not.toBeNull();
          expectPrefixOrOriginal(out, s);
        }
      }),
      { numRuns: 8 },
    );
  });

  it('random multi-bit flips give a typed error or the original', () => {
    fc.assert(
      fc.property(series(200), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (s, flips) => {
        const bytes = encoded(encoding, s);
        if (bytes === null) return;
        const damaged = bytes.slice();
        for (const f of flips) damaged[(f >> 3) % damaged.length]! ^= 1 << (f & 7);
        expectPrefixOrOriginal(decodeEmbedded(encoding, damaged), s);
      }),
      { numRuns: 150 },
    );
  });

  it('garbage with a recomputed, valid CRC never throws and stays within the count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.uint8Array({ maxLength: 600 }), (count, body) => {
        const out = decodeEmbedded(encoding, wrap(encoding, count, body));
        expect(out.t.length).toBe(out.v.length);
        expect(out.t.length).toBeLessThanOrEqual(count);
        if (out.t.length < count) expect(out.error).toBeInstanceOf(ChunkDecodeError);
        // Whatever comes out still satisfies what readers rely on: increasing timestamps.
        for (let i = 1; i < out.t.length; i++) expect(out.t[i]!).toBeGreaterThan(out.t[i - 1]!);
      }),
      { numRuns: 200 },
    );
  });

  it('garbage bodies cut from real chunks, re-wrapped with a valid CRC, never throw', () => {
    fc.assert(
      fc.property(series(100), fc.array(fc.nat(), { maxLength: 16 }), (s, flips) => {
        const bytes = encoded(encoding, s);
        if (bytes === null) return;
        // The real body starts after version, two varints and the 2-byte header check.
        let at = 1;
        for (let k = 0; k < 2; k++) while (bytes[at++]! & 0x80);
        const body = bytes.slice(at + 2, bytes.length - 4);
        for (const f of flips) if (body.length > 0) body[(f >> 3) % body.length]! ^= 1 << (f & 7);
        const out = decodeEmbedded(encoding, wrap(encoding, s.t.length, body));
        expect(out.t.length).toBeLessThanOrEqual(s.t.length);
        for (let i = 1; i < out.t.length; i++) expect(out.t[i]!).toBeGreaterThan(out.t[i - 1]!);
      }),
      { numRuns: 200 },
    );
  });
});

describe('envelope', () => {
  it('rejects an unknown encoding, empty bytes and a chunk read with the wrong encoding', () => {
    const t = Float64Array.of(1, 2, 3);
    const v = Float64Array.of(1, 2, 3);
    const xor = encodeWith(Encoding.XOR, t, v)!;
    expect(decodeChunk(99, xor).error?.kind).toBe('unknown_encoding');
    expect(decodeChunk(Encoding.XOR, new Uint8Array(0)).error?.kind).toBe('truncated');
    expect(decodeChunk(Encoding.Decimal, xor).error?.kind).toBe('checksum');
  });

  it('reports trailing bytes as corrupt but keeps the samples', () => {
    const t = Float64Array.of(1, 2, 3);
    const v = Float64Array.of(1.5, 2, 3);
    const bytes = encodeWith(Encoding.XOR, t, v)!;
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    const out = decodeChunk(Encoding.XOR, longer);
    expect(out.error?.kind).toBe('corrupt');
    expect(Array.from(out.v)).toEqual([1.5, 2, 3]);
  });
});
