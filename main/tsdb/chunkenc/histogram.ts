/**
 * Native histogram chunk bodies (layouts in FORMAT.md, "Histogram bodies"), after Prometheus'
 * tsdb/chunkenc/histogram.go and float_histogram.go; the code is our own. A chunk holds samples
 * of one bucket layout (schema, zero threshold, custom bounds, populated bucket indices), which
 * is written once; a sample with another layout starts a new chunk (`histogramRuns`).
 *
 * Two bodies share the header:
 *  * integer (every count a non-negative integer ≤ 2^50, as client libraries expose): count and
 *    zero count as delta-of-delta varbit integers, buckets as Prometheus' in-histogram deltas
 *    whose change from the previous sample is written as delta-of-delta varbit;
 *  * float: count, zero count and every bucket as Gorilla XOR columns, each with its own window.
 * Both write timestamps as delta-of-delta varbit and the sum as a Gorilla XOR column.
 *
 * A staleness marker is a sample whose sum has the StaleNaN bits and whose counts repeat the
 * previous sample's (they cost one bit a column): as Prometheus, no per-sample flag is paid.
 */
import type { CounterResetHint, HistogramBucket, NativeHistogram } from '../interface.js';
import { BitReader, BitWriter, readSVar, readUVar, writeSVar, writeUVar } from './bstream.js';
import { HI, LO } from './codec.js';
import { readVarbitInt, writeVarbitInt } from './varbit.js';
import { XorColumns } from './xor-value.js';

/** A histogram sample held in a chunk: the histogram, or null for a staleness marker. */
export type HistogramSlot = NativeHistogram | null;

const hintCodes: readonly CounterResetHint[] = ['unknown', 'reset', 'not_reset', 'gauge'];
/** Counts above this make the integer body unsafe (deltas of deltas must stay below 2^53). */
const maxIntegerCount = 2 ** 50;
/** Buckets one layout may hold (both signs): far above any schema reduction limit in use. */
const maxLayoutBuckets = 1 << 15;
/** Timestamps of one chunk must span less than this, so deltas of deltas stay exact. */
const maxSpanMs = 2 ** 50;
const customSchema = -53;
const STALE_HI = 0x7ff00000;
const STALE_LO = 2;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Layout of a histogram: what every sample of a chunk shares. */
function sameLayout(a: NativeHistogram, b: NativeHistogram): boolean {
  return (
    a.schema === b.schema &&
    Object.is(a.zeroThreshold, b.zeroThreshold) &&
    sameIndices(a.positive, b.positive) &&
    sameIndices(a.negative, b.negative) &&
    a.customValues.length === b.customValues.length &&
    a.customValues.every((x, i) => Object.is(x, b.customValues[i]))
  );
}

function sameIndices(a: readonly HistogramBucket[], b: readonly HistogramBucket[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.index !== b[i]!.index) return false;
  return true;
}

const emptyLayout: NativeHistogram = {
  schema: 0,
  zeroThreshold: 0,
  zeroCount: 0,
  count: 0,
  sum: 0,
  positive: [],
  negative: [],
  customValues: [],
  counterResetHint: 'unknown',
};

function isIntegral(h: NativeHistogram): boolean {
  const ok = (x: number): boolean => Number.isInteger(x) && x >= 0 && x <= maxIntegerCount;
  if (!ok(h.count) || !ok(h.zeroCount)) return false;
  for (const b of h.positive) if (!ok(b.count)) return false;
  for (const b of h.negative) if (!ok(b.count)) return false;
  return true;
}

/** Throws RangeError for a histogram no body can hold (unsorted buckets, too many, bad schema). */
export function checkHistogram(h: NativeHistogram): void {
  if (!Number.isInteger(h.schema) || !((h.schema >= -4 && h.schema <= 8) || h.schema === -53)) throw new RangeError(`histogram schema ${h.schema} is outside -4…8 and -53 (custom buckets)`);
  if (h.positive.length + h.negative.length > maxLayoutBuckets) throw new RangeError(`histogram has ${h.positive.length + h.negative.length} buckets; a chunk holds at most ${maxLayoutBuckets}`);
  for (const side of [h.positive, h.negative]) {
    for (let i = 0; i < side.length; i++) {
      const idx = side[i]!.index;
      if (!Number.isSafeInteger(idx) || Math.abs(idx) > 2 ** 31) throw new RangeError(`histogram bucket index ${idx} is not an integer within ±2^31`);
      if (i > 0 && idx <= side[i - 1]!.index) throw new RangeError(`histogram bucket indices must strictly increase (${side[i - 1]!.index} then ${idx})`);
    }
  }
  if (h.customValues.length > maxLayoutBuckets) throw new RangeError(`histogram has ${h.customValues.length} custom bounds; at most ${maxLayoutBuckets}`);
  if (h.schema !== customSchema && h.customValues.length > 0) throw new RangeError(`schema ${h.schema} has custom bucket bounds; only schema ${customSchema} takes them`);
}

/**
 * Splits samples [start, end) into runs that one chunk each can hold: one layout per run (a
 * leading staleness marker takes the empty layout), and every sample after the first with the
 * same counter-reset hint as the second (the first sample's hint is stored apart).
 */
export function histogramRuns(h: readonly HistogramSlot[], start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  let runStart = start;
  let layout: NativeHistogram = h[start] ?? emptyLayout;
  let rest: CounterResetHint | null = null;
  for (let i = start + 1; i < end; i++) {
    const x = h[i];
    if (x === null || x === undefined) continue;
    if (sameLayout(layout, x) && (rest === null || rest === x.counterResetHint)) {
      rest ??= x.counterResetHint;
      continue;
    }
    out.push([runStart, i]);
    runStart = i;
    layout = x;
    rest = null;
  }
  out.push([runStart, end]);
  return out;
}

/** Is [start, end) held by the integer body? (Every count a non-negative integer ≤ 2^50.) */
export function fitsIntegerBody(h: readonly HistogramSlot[], start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const x = h[i];
    if (x && !isIntegral(x)) return false;
  }
  return true;
}

/** A column's current value as a number. */
function valueOf(xor: XorColumns, c: number): number {
  u32[HI] = xor.hi[c]!;
  u32[LO] = xor.lo[c]!;
  return f64[0]!;
}

function bitsOf(x: number): [number, number] {
  f64[0] = x;
  return [u32[HI]! | 0, u32[LO]! | 0];
}

function writeSpans(w: BitWriter, buckets: readonly HistogramBucket[]): void {
  const spans: [number, number][] = [];
  for (const b of buckets) {
    const last = spans[spans.length - 1];
    if (last && last[0] + last[1] === b.index) last[1]++;
    else spans.push([b.index, 1]);
  }
  writeVarbitInt(w, spans.length);
  let end = 0;
  for (const [from, len] of spans) {
    writeVarbitInt(w, from - end);
    writeVarbitInt(w, len);
    end = from + len;
  }
}

/** Bucket indices from spans, or null when they are impossible. */
function readSpans(r: BitReader, budget: number): number[] | null {
  const n = readVarbitInt(r);
  if (!(n >= 0 && n <= budget)) return null;
  const out: number[] = [];
  let end = 0;
  for (let s = 0; s < n; s++) {
    const gap = readVarbitInt(r);
    const len = readVarbitInt(r);
    if (Number.isNaN(gap) || !(len >= 1) || out.length + len > budget || r.overflow) return null;
    if (s > 0 && gap < 0) return null;
    const from = end + gap;
    if (Math.abs(from) > 2 ** 31) return null;
    for (let i = 0; i < len; i++) out.push(from + i);
    end = from + len;
  }
  return out;
}

/**
 * Encodes samples [start, end) — one run of `histogramRuns` — into a body. `integer`: the
 * integer body (the caller checked `fitsIntegerBody`). Throws RangeError on input no body holds.
 */
export function encodeHistogramBody(t: Float64Array, h: readonly HistogramSlot[], start: number, end: number, integer: boolean): Uint8Array {
  if (t[end - 1]! - t[start]! >= maxSpanMs) throw new RangeError(`histogram chunk timestamps span ${t[end - 1]! - t[start]!} ms; at most 2^50`);
  const layout = h[start] ?? emptyLayout;
  checkHistogram(layout);
  const first = h[start];
  let rest: CounterResetHint = 'unknown';
  for (let i = start + 1; i < end; i++) {
    const x = h[i];
    if (x) {
      rest = x.counterResetHint;
      break;
    }
  }
  const nb = layout.positive.length + layout.negative.length;
  const w = new BitWriter(64 + (end - start) * (4 + nb));
  w.writeBits(hintCodes.indexOf(first?.counterResetHint ?? 'unknown'), 2);
  w.writeBits(hintCodes.indexOf(rest), 2);
  w.writeBit(integer);
  writeVarbitInt(w, layout.schema);
  writeZeroThreshold(w, layout.zeroThreshold);
  if (layout.schema === customSchema) {
    writeUVar(w, layout.customValues.length);
    for (const c of layout.customValues) {
      const [a, b] = bitsOf(c);
      w.writeBits(a >>> 0, 32);
      w.writeBits(b >>> 0, 32);
    }
  }
  writeSpans(w, layout.positive);
  writeSpans(w, layout.negative);

  const cols = 2 + nb; // count, zero count, buckets (positive then negative)
  const vals = new Float64Array(cols); // this sample's column values (integer: in-histogram bucket deltas)
  const prev = new Float64Array(cols);
  const prevDelta = new Float64Array(cols);
  const xor = new XorColumns(cols + 1); // float columns, then the sum at index `cols`
  let prevT = 0;
  let prevTDelta = 0;
  for (let i = start; i < end; i++) {
    const x = h[i] ?? null;
    if (x !== null) {
      if (x !== layout) checkHistogram(x);
      if (!sameLayout(layout, x)) throw new RangeError(`histogram sample ${i - start} has another bucket layout than the chunk's first; split with histogramRuns`);
      fillColumns(x, vals, integer);
    } else if (i === start) vals.fill(0);
    else vals.set(prev);
    const ti = t[i]!;
    const [sh, sl] = x === null ? [STALE_HI, STALE_LO] : bitsOf(x.sum);
    if (i === start) {
      writeSVar(w, ti);
      for (let c = 0; c < cols; c++) {
        if (integer) writeVarbitInt(w, vals[c]!);
        else {
          const [a, b] = bitsOf(vals[c]!);
          xor.writeFirst(w, c, a, b);
        }
      }
      xor.writeFirst(w, cols, sh, sl);
    } else {
      const d = ti - prevT;
      writeVarbitInt(w, d - prevTDelta);
      prevTDelta = d;
      for (let c = 0; c < cols; c++) {
        if (integer) {
          const delta = vals[c]! - prev[c]!;
          writeVarbitInt(w, delta - prevDelta[c]!);
          prevDelta[c] = delta;
        } else {
          const [a, b] = bitsOf(vals[c]!);
          xor.write(w, c, a, b);
        }
      }
      xor.write(w, cols, sh, sl);
    }
    prevT = ti;
    prev.set(vals);
  }
  return w.finish().slice();
}

/** Column values of a histogram: count, zero count, then buckets (integer: deltas between neighbours). */
function fillColumns(x: NativeHistogram, vals: Float64Array, integer: boolean): void {
  vals[0] = x.count;
  vals[1] = x.zeroCount;
  let c = 2;
  for (const side of [x.positive, x.negative]) {
    let last = 0;
    for (const b of side) {
      vals[c++] = integer ? b.count - last : b.count;
      last = b.count;
    }
  }
}

export interface HistogramDecodeOutcome {
  n: number;
  bad: 'truncated' | 'corrupt' | null;
}

/** Decodes up to `count` samples into t[0…] and h[0…]. Never throws on any bytes. */
export function decodeHistogramBody(body: Uint8Array, count: number, t: Float64Array, h: HistogramSlot[]): HistogramDecodeOutcome {
  const r = new BitReader(body);
  const firstHint = hintCodes[r.readBits(2)]!;
  const restHint = hintCodes[r.readBits(2)]!;
  const integer = r.readBit() === 1;
  const schema = readVarbitInt(r);
  const zeroThreshold = readZeroThreshold(r);
  const nCustom = schema === customSchema ? readUVar(r) : 0;
  if (Number.isNaN(schema) || nCustom < 0 || nCustom > maxLayoutBuckets || r.overflow) return { n: 0, bad: r.overflow ? 'truncated' : 'corrupt' };
  const customValues: number[] = [];
  for (let i = 0; i < nCustom; i++) customValues.push(readF64(r));
  const pos = readSpans(r, maxLayoutBuckets);
  const neg = pos === null ? null : readSpans(r, maxLayoutBuckets - pos.length);
  if (pos === null || neg === null) return { n: 0, bad: r.overflow ? 'truncated' : 'corrupt' };
  const nb = pos.length + neg.length;
  const cols = 2 + nb;
  // Each column costs at least one bit a sample: a count the body cannot hold is damage.
  if (count * (cols + 2) > body.length * 8 + 8) return { n: 0, bad: 'corrupt' };
  const vals = new Float64Array(cols);
  const prevDelta = new Float64Array(cols);
  const xor = new XorColumns(cols + 1);
  let prevT = 0;
  let prevTDelta = 0;
  for (let i = 0; i < count; i++) {
    if (i === 0) {
      const t0 = readSVar(r);
      if (t0 === null) return { n: 0, bad: r.overflow ? 'truncated' : 'corrupt' };
      prevT = t0;
      for (let c = 0; c < cols; c++) {
        if (integer) vals[c] = readVarbitInt(r);
        else xor.readFirst(r, c);
      }
      xor.readFirst(r, cols);
    } else {
      const dod = readVarbitInt(r);
      prevTDelta += dod;
      const ti = prevT + prevTDelta;
      if (!(ti > prevT) || Number.isNaN(dod)) return { n: i, bad: r.overflow ? 'truncated' : 'corrupt' };
      prevT = ti;
      for (let c = 0; c < cols; c++) {
        if (integer) {
          const dd = readVarbitInt(r);
          prevDelta[c] = prevDelta[c]! + dd;
          vals[c] = vals[c]! + prevDelta[c]!;
        } else if (!xor.read(r, c)) return { n: i, bad: r.overflow ? 'truncated' : 'corrupt' };
      }
      if (!xor.read(r, cols)) return { n: i, bad: r.overflow ? 'truncated' : 'corrupt' };
    }
    if (r.overflow) return { n: i, bad: 'truncated' };
    if (!(Math.abs(prevT) <= Number.MAX_SAFE_INTEGER)) return { n: i, bad: 'corrupt' };
    t[i] = prevT;
    if (xor.hi[cols] === STALE_HI && xor.lo[cols] === STALE_LO) {
      h[i] = null;
      continue;
    }
    const value = (c: number): number => (integer ? vals[c]! : valueOf(xor, c));
    let c = 2;
    const side = (indices: number[]): HistogramBucket[] => {
      const out: HistogramBucket[] = [];
      let acc = 0;
      for (const index of indices) {
        const v = value(c++);
        acc = integer ? acc + v : v;
        out.push({ index, count: acc });
      }
      return out;
    };
    const positive = side(pos);
    const negative = side(neg);
    if (integer && Number.isNaN(vals.reduce((a, b) => a + b, 0))) return { n: i, bad: 'corrupt' };
    h[i] = {
      schema,
      zeroThreshold,
      zeroCount: value(1),
      count: value(0),
      sum: valueOf(xor, cols),
      positive,
      negative,
      customValues,
      counterResetHint: i === 0 ? firstHint : restHint,
    };
  }
  return { n: count, bad: null };
}

/**
 * Zero threshold: '1' u(8) k for 0 (k = 0) or 2^(k − 192) (client libraries' 2^-128 is k = 64),
 * else '0' and the 64 bits. Prometheus also writes the usual thresholds in a byte.
 */
function writeZeroThreshold(w: BitWriter, z: number): void {
  const k = z === 0 && !Object.is(z, -0) ? 0 : Number.isFinite(Math.log2(z)) && Number.isInteger(Math.log2(z)) ? Math.log2(z) + 192 : -1;
  if (k >= 0 && k <= 255 && (k === 0 || 2 ** (k - 192) === z)) {
    w.writeBit(1);
    w.writeBits(k, 8);
    return;
  }
  w.writeBit(0);
  const [a, b] = bitsOf(z);
  w.writeBits(a >>> 0, 32);
  w.writeBits(b >>> 0, 32);
}

function readZeroThreshold(r: BitReader): number {
  if (r.readBit() === 0) return readF64(r);
  const k = r.readBits(8);
  return k === 0 ? 0 : 2 ** (k - 192);
}

function readF64(r: BitReader): number {
  u32[HI] = r.readBitsI32(32);
  u32[LO] = r.readBitsI32(32);
  return f64[0]!;
}
