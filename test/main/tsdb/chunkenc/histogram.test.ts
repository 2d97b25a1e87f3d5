/**
 * Histogram chunks: any run of histograms (integer or float counts, staleness markers, layout
 * and counter-reset-hint changes) comes back exactly; damage gives a typed error and a prefix.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HistogramEncoding, decodeHistogramChunk, encodeHistogramChunks, type HistogramSlot } from '../../../../main/tsdb/chunkenc/chunk.js';
import type { CounterResetHint, NativeHistogram } from '../../../../main/tsdb/interface.js';

const hints: CounterResetHint[] = ['unknown', 'reset', 'not_reset', 'gauge'];

/** A bucket side: sorted distinct indices with counts. */
const side = (integer: boolean): fc.Arbitrary<{ index: number; count: number }[]> =>
  fc
    .uniqueArray(fc.integer({ min: -40, max: 40 }), { maxLength: 12 })
    .chain((idx) =>
      fc.tuple(
        fc.constant([...idx].sort((a, b) => a - b)),
        fc.array(integer ? fc.nat({ max: 1e6 }) : fc.double({ noNaN: false }), { minLength: idx.length, maxLength: idx.length }),
      ),
    )
    .map(([idx, counts]) => idx.map((index, i) => ({ index, count: counts[i]! })));

const histogram = (integer: boolean): fc.Arbitrary<NativeHistogram> =>
  fc.record({
    schema: fc.integer({ min: -4, max: 8 }),
    zeroCount: integer ? fc.nat({ max: 1e9 }) : fc.double(),
    count: integer ? fc.nat({ max: 2 ** 50 }) : fc.double(),
    sum: fc.double(),
    positive: side(integer),
    negative: side(integer),
    customValues: fc.constant<number[]>([]),
    counterResetHint: fc.constantFrom(...hints),
    zeroThresholdKind: fc.constantFrom(0, 1, 2),
  }).chain(({ zeroThresholdKind, ...h }) =>
    // A third of them custom-bucket histograms (schema -53 with bounds), zero thresholds of each written form.
    fc.constant({ ...h, ...(zeroThresholdKind === 2 ? { schema: -53, customValues: [0.1, 1, 10] } : {}), zeroThreshold: [0, 2 ** -128, 0.001][zeroThresholdKind]! }),
  );

/** Samples that mostly keep one layout and grow, as a scraped counter histogram does. */
const run = fc
  .tuple(fc.boolean(), fc.integer({ min: 1, max: 150 }))
  .chain(([integer, n]) =>
    fc.tuple(
      histogram(integer),
      fc.array(fc.tuple(fc.nat({ max: 20 }), fc.integer({ min: 0, max: 40 }), histogram(integer)), { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: n, maxLength: n }),
      fc.integer({ min: -1e12, max: 1e13 }),
    ),
  )
  .map(([base, steps, gaps, t0]) => {
    const h: HistogramSlot[] = [];
    let cur = base;
    for (const [what, grow, other] of steps) {
      if (what === 0) h.push(null); // staleness marker
      else if (what === 1) h.push((cur = other)); // a new layout
      else {
        const inc = (b: { index: number; count: number }) => ({ index: b.index, count: Number.isInteger(b.count) ? b.count + grow : b.count * 1.5 });
        cur = { ...cur, count: Number.isInteger(cur.count) && cur.count < 2 ** 49 ? cur.count + grow : cur.count, sum: cur.sum + grow / 3, positive: cur.positive.map(inc), negative: cur.negative.map(inc), counterResetHint: what === 2 ? 'not_reset' : cur.counterResetHint };
        h.push(cur);
      }
    }
    const t = new Float64Array(h.length);
    let at = t0;
    gaps.forEach((g, i) => (t[i] = at += g));
    return { t, h };
  });

function decodeAll(chunks: ReturnType<typeof encodeHistogramChunks>): { t: number[]; h: HistogramSlot[] } {
  const t: number[] = [];
  const h: HistogramSlot[] = [];
  for (const c of chunks) {
    const d = decodeHistogramChunk(c.encoding, c.bytes);
    expect(d.error).toBeNull();
    expect(d.h.length).toBe(c.count);
    t.push(...d.t);
    h.push(...d.h);
  }
  return { t, h };
}

/** Equal as stored: NaN equals NaN (payloads are checked separately), -0 is not +0. */
function same(a: HistogramSlot, b: HistogramSlot): boolean {
  if (a === null || b === null) return a === b;
  const eq = (x: number, y: number) => Object.is(x, y);
  const buckets = (x: readonly { index: number; count: number }[], y: readonly { index: number; count: number }[]) => x.length === y.length && x.every((b, i) => b.index === y[i]!.index && eq(b.count, y[i]!.count));
  return (
    a.schema === b.schema &&
    eq(a.zeroThreshold, b.zeroThreshold) &&
    eq(a.zeroCount, b.zeroCount) &&
    eq(a.count, b.count) &&
    eq(a.sum, b.sum) &&
    buckets(a.positive, b.positive) &&
    buckets(a.negative, b.negative) &&
    a.customValues.length === b.customValues.length &&
    a.counterResetHint === b.counterResetHint
  );
}

describe('histogram chunks', () => {
  it('round-trip any run of histograms and staleness markers', () => {
    fc.assert(
      fc.property(run, ({ t, h }) => {
        const chunks = encodeHistogramChunks(t, h);
        const got = decodeAll(chunks);
        expect(got.t).toEqual(Array.from(t));
        // The first sample of each chunk keeps its hint; later ones share the chunk's second hint,
        // which the splitter guarantees equals theirs.
        for (let i = 0; i < h.length; i++) if (!same(got.h[i]!, h[i]!)) expect(got.h[i]).toEqual(h[i]);
      }),
      { numRuns: 300 },
    );
  });

  it('uses the integer body for integer counts and the float body otherwise', () => {
    const h = (count: number): NativeHistogram => ({ schema: 3, zeroThreshold: 0, zeroCount: 0, count, sum: count * 2, positive: [{ index: 1, count }], negative: [], customValues: [], counterResetHint: 'unknown' });
    const t = Float64Array.of(1000, 2000);
    expect(encodeHistogramChunks(t, [h(1), h(2)]).map((c) => c.encoding)).toEqual([HistogramEncoding.Int]);
    expect(encodeHistogramChunks(t, [h(1), h(2.5)]).map((c) => c.encoding)).toEqual([HistogramEncoding.Float]);
  });

  it('starts a new chunk when the layout changes', () => {
    const h = (indices: number[]): NativeHistogram => ({ schema: 0, zeroThreshold: 0, zeroCount: 0, count: 1, sum: 1, positive: indices.map((index) => ({ index, count: 1 })), negative: [], customValues: [], counterResetHint: 'unknown' });
    const t = Float64Array.of(1, 2, 3, 4);
    const chunks = encodeHistogramChunks(t, [h([1, 2]), h([1, 2]), h([1, 2, 3]), h([1, 2, 3])]);
    expect(chunks.map((c) => [c.minT, c.maxT, c.count])).toEqual([
      [1, 2, 2],
      [3, 4, 2],
    ]);
  });

  it('keeps the staleness marker as null and the sum bits exact', () => {
    const h: NativeHistogram = { schema: 0, zeroThreshold: 0, zeroCount: 0, count: 3, sum: -0, positive: [{ index: 0, count: 3 }], negative: [], customValues: [], counterResetHint: 'gauge' };
    const got = decodeAll(encodeHistogramChunks(Float64Array.of(10, 20, 30), [h, null, h]));
    expect(got.h[1]).toBeNull();
    expect(Object.is(got.h[2]!.sum, -0)).toBe(true);
  });

  it('costs no more than Prometheus\' integer histogram chunk for a scraped histogram', () => {
    // Prometheus writes, per sample after the first, varbit(dod) for the timestamp, the count,
    // the zero count and each bucket's in-histogram delta, and the sum as XOR (≤ 2 + 5 + 6 + 64
    // bits). Its varbit buckets, computed here independently of our writer:
    const varbitBits = (x: number): number => {
      if (x === 0) return 1;
      for (const [prefix, bits] of [[2, 3], [3, 6], [4, 9], [5, 12], [6, 18], [7, 25], [8, 56]] as const) if (x > -(2 ** (bits - 1)) && x <= 2 ** (bits - 1)) return prefix + bits;
      return 72;
    };
    const n = 120;
    const t = Float64Array.from({ length: n }, (_, i) => 1.7e12 + i * 15_000);
    const h: NativeHistogram[] = [];
    let counts = Array.from({ length: 20 }, () => 0);
    let prometheusBits = 0;
    let prev: number[] = [];
    const prevDelta: number[] = [];
    for (let i = 0; i < n; i++) {
      counts = counts.map((c, j) => c + ((i * 7 + j * 3) % 5));
      const total = counts.reduce((a, b) => a + b, 0);
      h.push({ schema: 3, zeroThreshold: 1e-128, zeroCount: 0, count: total, sum: total * 0.25, positive: counts.map((count, j) => ({ index: j, count })), negative: [], customValues: [], counterResetHint: 'unknown' });
      const cols = [total, 0, ...counts.map((c, j) => c - (j > 0 ? counts[j - 1]! : 0))];
      if (i > 0) {
        prometheusBits += 1 + 64; // timestamp dod 0, sum XOR at most
        cols.forEach((c, k) => {
          const d = c - prev[k]!;
          prometheusBits += varbitBits(d - (prevDelta[k] ?? 0));
          prevDelta[k] = d;
        });
      }
      prev = cols;
    }
    const [c] = encodeHistogramChunks(t, h);
    expect(c!.encoding).toBe(HistogramEncoding.Int);
    // Header, layout and first sample: a few dozen bytes; the rest must not exceed Prometheus'.
    expect(c!.bytes.length).toBeLessThanOrEqual(Math.ceil(prometheusBits / 8) + 64);
  });

  it('gives a typed error and a prefix for truncated or flipped bytes, never a throw', () => {
    fc.assert(
      fc.property(run, fc.nat(), fc.nat(), ({ t, h }, cutAt, flipAt) => {
        const [c] = encodeHistogramChunks(t, h);
        const cut = c!.bytes.subarray(0, cutAt % c!.bytes.length);
        const a = decodeHistogramChunk(c!.encoding, cut);
        expect(a.error).not.toBeNull();
        const flipped = c!.bytes.slice();
        flipped[flipAt % flipped.length]! ^= 1 << flipAt % 8;
        const b = decodeHistogramChunk(c!.encoding, flipped);
        expect(b.error).not.toBeNull();
        for (const d of [a, b]) for (let i = 0; i < d.h.length; i++) expect(d.t[i]).toBe(t[i]);
      }),
      { numRuns: 200 },
    );
  });
});
