/**
 * Native histogram arithmetic for PromQL, after Prometheus' model/histogram/float_histogram.go
 * and promql/quantile.go (semantics ported, code our own). Histograms are immutable values
 * (main/tsdb/interface.ts `NativeHistogram`); every operation returns a new one. Buckets are kept
 * as sorted (index, count) lists; a sum of two histograms holds the union of their buckets, at the
 * lower of the two schemas and the larger of the two zero thresholds.
 */
import type { CounterResetHint, HistogramBucket, NativeHistogram } from '../tsdb/interface.js';
import { KahanSum, kahanMean } from './kahan.js';

export type { NativeHistogram } from '../tsdb/interface.js';

export const customBucketsSchema = -53;

export const usesCustomBuckets = (h: NativeHistogram): boolean => h.schema === customBucketsSchema;

/** An operation between histograms whose bucket layouts cannot be combined. */
export class HistogramLayoutError extends Error {
  constructor(readonly kind: 'mixed-schemas') {
    super('histograms with exponential and custom buckets cannot be combined');
  }
}

/** What an addition or subtraction had to do on the way (for Prometheus' annotations). */
export interface CombineNotes {
  /** Custom bucket bounds differed and were reduced to the bounds both share. */
  customReconciled: boolean;
  /** A counter reset and a not-reset met (Prometheus warns during aggregation). */
  resetCollision: boolean;
}

export function newNotes(): CombineNotes {
  return { customReconciled: false, resetCollision: false };
}

/** Upper bound of bucket `index` (lower bound is the bound of `index - 1`). */
export function bucketBound(index: number, schema: number, customValues: readonly number[]): number {
  if (schema === customBucketsSchema) {
    if (index < 0) return -Infinity;
    if (index >= customValues.length) return Infinity;
    return customValues[index]!;
  }
  if (schema <= 0) return 2 ** (index * 2 ** -schema);
  // As Prometheus' table: 2^(j/2^schema) for the fraction, times a power of two (exact).
  const perOctave = 2 ** schema;
  const j = ((index % perOctave) + perOctave) % perOctave;
  const octave = (index - j) / perOctave;
  return 2 ** (j / perOctave) * 2 ** octave;
}

export interface BucketRange {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly zero: boolean;
}

/** Every bucket from −Inf upwards: negative (highest index first), the zero bucket if populated, positive. */
export function allBuckets(h: NativeHistogram): BucketRange[] {
  const out: BucketRange[] = [];
  for (let i = h.negative.length - 1; i >= 0; i--) {
    const b = h.negative[i]!;
    out.push({ lower: -bucketBound(b.index, h.schema, h.customValues), upper: -bucketBound(b.index - 1, h.schema, h.customValues), count: b.count, zero: false });
  }
  if (h.zeroCount > 0) out.push({ lower: -h.zeroThreshold, upper: h.zeroThreshold, count: h.zeroCount, zero: true });
  for (const b of h.positive) {
    out.push({ lower: bucketBound(b.index - 1, h.schema, h.customValues), upper: bucketBound(b.index, h.schema, h.customValues), count: b.count, zero: false });
  }
  return out;
}

function mapBuckets(bs: readonly HistogramBucket[], f: (c: number) => number): HistogramBucket[] {
  return bs.map((b) => ({ index: b.index, count: f(b.count) }));
}

export function withHint(h: NativeHistogram, hint: CounterResetHint): NativeHistogram {
  return h.counterResetHint === hint ? h : { ...h, counterResetHint: hint };
}

/** Multiplies every count and the sum by `f` (Prometheus' Mul). */
export function scaleHistogram(h: NativeHistogram, f: number): NativeHistogram {
  return { ...h, zeroCount: h.zeroCount * f, count: h.count * f, sum: h.sum * f, positive: mapBuckets(h.positive, (c) => c * f), negative: mapBuckets(h.negative, (c) => c * f) };
}

/** Divides every count and the sum by `d` (Prometheus' Div); dividing by zero also drops every bucket. */
export function divideHistogram(h: NativeHistogram, d: number): NativeHistogram {
  if (d === 0) return { ...h, zeroCount: h.zeroCount / d, count: h.count / d, sum: h.sum / d, positive: [], negative: [] };
  return { ...h, zeroCount: h.zeroCount / d, count: h.count / d, sum: h.sum / d, positive: mapBuckets(h.positive, (c) => c / d), negative: mapBuckets(h.negative, (c) => c / d) };
}

/** Drops empty buckets (Prometheus' Compact(0)). */
export function compactHistogram(h: NativeHistogram): NativeHistogram {
  const keep = (bs: readonly HistogramBucket[]): readonly HistogramBucket[] => (bs.every((b) => b.count !== 0) ? bs : bs.filter((b) => b.count !== 0));
  const positive = keep(h.positive);
  const negative = keep(h.negative);
  return positive === h.positive && negative === h.negative ? h : { ...h, positive, negative };
}

/** Index of the bucket containing bucket `index` of `from` at the lower schema `to`. */
function reducedIndex(index: number, from: number, to: number): number {
  return ((index - 1) >> (from - to)) + 1;
}

type BucketMap = Map<number, number>;

function fromMap(m: BucketMap): HistogramBucket[] {
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([index, count]) => ({ index, count }));
}

/**
 * The histogram's buckets at a schema ≤ its own and a zero threshold ≥ its own: buckets that fall
 * wholly within the threshold move into the zero bucket. Returns the new threshold too, which
 * grows to a bucket's upper bound when the requested one ends inside a populated bucket.
 */
function relayout(h: NativeHistogram, schema: number, threshold: number): { zeroThreshold: number; zeroCount: number; pos: BucketMap; neg: BucketMap } {
  let zt = threshold;
  for (;;) {
    let zeroCount = h.zeroCount;
    let grown = zt;
    const pos: BucketMap = new Map();
    const neg: BucketMap = new Map();
    const side = (bs: readonly HistogramBucket[], out: BucketMap): void => {
      for (const b of bs) {
        const idx = usesCustomBuckets(h) || schema === h.schema ? b.index : reducedIndex(b.index, h.schema, schema);
        const upper = bucketBound(idx, schema, h.customValues);
        const lower = bucketBound(idx - 1, schema, h.customValues);
        if (!usesCustomBuckets(h) && zt > h.zeroThreshold && lower < zt) {
          zeroCount += b.count;
          if (upper > zt && b.count !== 0 && upper > grown) grown = upper;
          continue;
        }
        out.set(idx, (out.get(idx) ?? 0) + b.count);
      }
    };
    side(h.positive, pos);
    side(h.negative, neg);
    if (grown === zt) return { zeroThreshold: zt, zeroCount, pos, neg };
    zt = grown;
  }
}

function mergeHints(a: CounterResetHint, b: CounterResetHint, notes: CombineNotes): CounterResetHint {
  if (a === b) return a;
  if (a === 'gauge' || b === 'gauge') return 'gauge';
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  notes.resetCollision = true;
  return 'unknown';
}

/** Custom bounds present in both lists (Prometheus reconciles mismatched NHCB layouts to these). */
function commonBounds(a: readonly number[], b: readonly number[]): number[] {
  const inB = new Set(b);
  return a.filter((x) => inB.has(x));
}

function toCustomBounds(h: NativeHistogram, bounds: readonly number[]): NativeHistogram {
  const remap = (bs: readonly HistogramBucket[]): HistogramBucket[] => {
    const m: BucketMap = new Map();
    for (const b of bs) {
      const upper = bucketBound(b.index, h.schema, h.customValues);
      let j = bounds.findIndex((x) => x >= upper);
      if (j < 0) j = bounds.length;
      m.set(j, (m.get(j) ?? 0) + b.count);
    }
    return fromMap(m);
  };
  return { ...h, customValues: bounds, positive: remap(h.positive), negative: remap(h.negative) };
}

function sameCustomBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * a + sign·b (Prometheus' Add / Sub). Throws HistogramLayoutError when one uses custom buckets and
 * the other exponential ones.
 */
export function combineHistograms(a: NativeHistogram, b: NativeHistogram, sign: 1 | -1, notes: CombineNotes): NativeHistogram {
  if (usesCustomBuckets(a) !== usesCustomBuckets(b)) throw new HistogramLayoutError('mixed-schemas');
  const hint = sign === 1 ? mergeHints(a.counterResetHint, b.counterResetHint, notes) : a.counterResetHint;
  if (usesCustomBuckets(a)) {
    if (!sameCustomBounds(a.customValues, b.customValues)) {
      notes.customReconciled = true;
      const bounds = commonBounds(a.customValues, b.customValues);
      a = toCustomBounds(a, bounds);
      b = toCustomBounds(b, bounds);
    }
  }
  const schema = Math.min(a.schema, b.schema);
  const threshold = Math.max(a.zeroThreshold, b.zeroThreshold);
  let la = relayout(a, schema, threshold);
  let lb = relayout(b, schema, la.zeroThreshold);
  if (lb.zeroThreshold !== la.zeroThreshold) la = relayout(a, schema, lb.zeroThreshold);
  if (lb.zeroThreshold !== la.zeroThreshold) lb = relayout(b, schema, la.zeroThreshold);
  const add = (x: BucketMap, y: BucketMap): HistogramBucket[] => {
    const m = new Map(x);
    for (const [i, c] of y) m.set(i, (m.get(i) ?? 0) + sign * c);
    return fromMap(m);
  };
  return {
    schema,
    zeroThreshold: la.zeroThreshold,
    zeroCount: la.zeroCount + sign * lb.zeroCount,
    count: a.count + sign * b.count,
    sum: a.sum + sign * b.sum,
    positive: add(la.pos, lb.pos),
    negative: add(la.neg, lb.neg),
    customValues: a.customValues,
    counterResetHint: hint,
  };
}

/**
 * Whether `cur` follows a counter reset after `prev` (Prometheus' DetectReset): an explicit hint
 * decides; otherwise any count, zero bucket or bucket that went down, a finer schema, a smaller
 * zero threshold or a switch between exponential and custom buckets is a reset (custom buckets
 * with different bounds are compared on the bounds they share).
 */
export function detectReset(cur: NativeHistogram, prev: NativeHistogram): boolean {
  // The same stored sample seen twice (a subquery repeats it within the lookback) is no reset,
  // whatever its hint says.
  if (cur === prev) return false;
  if (cur.counterResetHint === 'reset') return true;
  if (cur.counterResetHint === 'not_reset') return false;
  if (cur.count < prev.count) return true;
  if (usesCustomBuckets(cur) !== usesCustomBuckets(prev)) return true;
  if (usesCustomBuckets(cur) && !sameCustomBounds(cur.customValues, prev.customValues)) {
    // As Prometheus 3: different custom bounds are compared on the bounds both share.
    const bounds = commonBounds(cur.customValues, prev.customValues);
    cur = toCustomBounds(cur, bounds);
    prev = toCustomBounds(prev, bounds);
  }
  if (cur.schema > prev.schema) return true;
  if (cur.zeroThreshold < prev.zeroThreshold) return true;
  const p = relayout(prev, cur.schema, cur.zeroThreshold);
  if (p.zeroThreshold !== cur.zeroThreshold) return true;
  if (cur.zeroCount < p.zeroCount) return true;
  const c = relayout(cur, cur.schema, cur.zeroThreshold);
  const down = (pm: BucketMap, cm: BucketMap): boolean => {
    for (const [i, n] of pm) if (n > 0 && (cm.get(i) ?? 0) < n) return true;
    return false;
  };
  return down(p.pos, c.pos) || down(p.neg, c.neg);
}

/** Compact(0) of both, then Prometheus' test comparison (schema, zero threshold exact; counts within eps). */
export function histogramsMatch(exp: NativeHistogram, got: NativeHistogram, close: (a: number, b: number) => boolean): boolean {
  const e = compactHistogram(exp);
  const g = compactHistogram(got);
  if (e.schema !== g.schema || !close(e.count, g.count) || !close(e.sum, g.sum)) return false;
  if (usesCustomBuckets(e) && !sameCustomBounds(e.customValues, g.customValues)) return false;
  if (e.zeroThreshold !== g.zeroThreshold || !close(e.zeroCount, g.zeroCount)) return false;
  const same = (x: readonly HistogramBucket[], y: readonly HistogramBucket[]): boolean => x.length === y.length && x.every((b, i) => b.index === y[i]!.index && close(b.count, y[i]!.count));
  return same(e.positive, g.positive) && same(e.negative, g.negative);
}

/** The test-script notation of a histogram, for failure messages and result listings. */
export function histogramText(h: NativeHistogram): string {
  const parts = [`schema:${h.schema}`, `count:${h.count}`, `sum:${h.sum}`];
  if (h.zeroThreshold !== 0 || h.zeroCount !== 0) parts.push(`z_bucket:${h.zeroCount}`, `z_bucket_w:${h.zeroThreshold}`);
  const side = (bs: readonly HistogramBucket[], prefix: string): void => {
    if (bs.length === 0) return;
    parts.push(`${prefix}buckets:{${bs.map((b) => `${b.index}:${b.count}`).join(' ')}}`);
  };
  side(h.positive, '');
  side(h.negative, 'n_');
  if (usesCustomBuckets(h)) parts.push(`custom_values:[${h.customValues.join(' ')}]`);
  if (h.counterResetHint !== 'unknown') parts.push(`counter_reset_hint:${h.counterResetHint}`);
  return `{{${parts.join(' ')}}}`;
}

// ---------------------------------------------------------------------------------------------
// Quantiles, fractions and moments (promql/quantile.go, functions.go)

/** Prometheus' HistogramQuantile: exponential interpolation within exponential buckets. */
export function histogramQuantile(q: number, h: NativeHistogram): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (h.count === 0 || Number.isNaN(q)) return NaN;
  const custom = usesCustomBuckets(h);
  const forward = Number.isNaN(h.sum) || q < 0.5;
  const buckets = allBuckets(h);
  if (!forward) buckets.reverse();
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let count = 0;
  let bucket: BucketRange | null = null;
  for (const b of buckets) {
    if (b.count === 0) continue;
    bucket = b;
    count += b.count;
    if (count >= rank) break;
  }
  if (bucket === null) return NaN;
  let { lower, upper } = bucket;
  if (!custom && lower < 0 && upper > 0) {
    if (h.negative.length === 0 && h.positive.length > 0) lower = 0;
    else if (h.positive.length === 0 && h.negative.length > 0) upper = 0;
  } else if (custom) {
    if (lower === -Infinity) {
      if (upper <= 0) return upper;
      lower = 0;
    } else if (upper === Infinity) return lower;
  }
  if (count > h.count) count = h.count;
  // The rank lies among NaN observations (counted, but in no bucket): Prometheus 3 answers NaN.
  if (count < rank) return Number.isNaN(h.sum) ? NaN : upper;
  if (forward) rank -= count - bucket.count;
  else rank = count - rank;
  const fraction = rank / bucket.count;
  if (custom || (lower <= 0 && upper >= 0)) return lower + (upper - lower) * fraction;
  const logLower = Math.log2(Math.abs(lower));
  const logUpper = Math.log2(Math.abs(upper));
  if (lower > 0) return 2 ** (logLower + (logUpper - logLower) * fraction);
  return -(2 ** (logUpper + (logLower - logUpper) * (1 - fraction)));
}

/** Prometheus' HistogramFraction: the share of observations in [lower, upper]. */
export function histogramFraction(lower: number, upper: number, h: NativeHistogram): number {
  if (h.count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  const custom = usesCustomBuckets(h);
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  for (const bk of allBuckets(h)) {
    let bl = bk.lower;
    let bu = bk.upper;
    let zero = false;
    if (bl <= 0 && bu >= 0) {
      zero = true;
      if (h.negative.length === 0 && h.positive.length > 0) bl = 0;
      else if (h.positive.length === 0 && h.negative.length > 0) bu = 0;
    }
    // A bound inside an infinitely wide custom bucket takes none of its observations.
    const linear = (v: number): number => (bl === -Infinity ? rank + bk.count : bu === Infinity ? rank : rank + (bk.count * (v - bl)) / (bu - bl));
    const exponential = (v: number): number => {
      const logLower = Math.log2(Math.abs(bl));
      const logUpper = Math.log2(Math.abs(bu));
      const logV = Math.log2(Math.abs(v));
      const fraction = v > 0 ? (logV - logLower) / (logUpper - logLower) : 1 - (logV - logUpper) / (logLower - logUpper);
      return rank + bk.count * fraction;
    };
    const interpolate = custom || zero ? linear : exponential;
    if (!lowerSet && bl >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && bl >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && bl < lower && bu > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && bl < upper && bu > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank += bk.count;
  }
  // NaN observations (a NaN sum) are in no bucket: a bound past every bucket takes only the bucketed ones.
  const top = Number.isNaN(h.sum) ? Math.min(observationsInBuckets(h), h.count) : h.count;
  if (!lowerSet || lowerRank > top) lowerRank = top;
  if (!upperSet || upperRank > top) upperRank = top;
  return (upperRank - lowerRank) / h.count;
}

/**
 * Variance of the observations estimated from bucket midpoints (Prometheus' histogram_stdvar):
 * the geometric mean of the bounds for exponential buckets, the arithmetic one for custom
 * buckets, 0 for the zero bucket.
 */
export function histogramVariance(h: NativeHistogram): number {
  const mean = h.sum / h.count;
  const variance = new KahanSum();
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    let val: number;
    if (usesCustomBuckets(h)) val = (b.upper + b.lower) / 2;
    else if (b.lower <= 0 && b.upper >= 0) val = 0;
    else {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const delta = val - mean;
    variance.add(b.count * delta * delta);
  }
  return variance.value() / h.count;
}

/**
 * Sum (or mean) of several histograms as aggregations and sum/avg_over_time compute it: buckets
 * add up on the combined layout; count and sum are Kahan-summed (a mean switches to an incremental
 * one before it would overflow), as Prometheus does for these two fields.
 */
export function sumHistogramList(hs: readonly NativeHistogram[], average: boolean, notes: CombineNotes): NativeHistogram {
  let acc = hs[0]!;
  for (let k = 1; k < hs.length; k++) acc = combineHistograms(acc, hs[k]!, 1, notes);
  const counts = hs.map((h) => h.count);
  const sums = hs.map((h) => h.sum);
  if (average) return { ...divideHistogram(acc, hs.length), count: kahanMean(counts), sum: kahanMean(sums) };
  const c = new KahanSum();
  for (const x of counts) c.add(x);
  const t = new KahanSum();
  for (const x of sums) t.add(x);
  return { ...acc, count: c.value(), sum: t.value() };
}

/**
 * Prometheus' FloatHistogram.String(), which count_values uses as the label value:
 * `{count:20, sum:10, [-2,-1):2, [-0.001,0.001]:2, (1,2]:2}` (populated buckets from −Inf up).
 */
export function histogramString(h: NativeHistogram, fmt: (x: number) => string): string {
  const parts = [`count:${fmt(h.count)}`, `sum:${fmt(h.sum)}`];
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    const open = b.zero || (b.upper <= 0 && !usesCustomBuckets(h)) ? '[' : '(';
    const close = b.zero || usesCustomBuckets(h) || b.lower >= 0 ? ']' : ')';
    parts.push(`${open}${fmt(b.lower)},${fmt(b.upper)}${close}:${fmt(b.count)}`);
  }
  return `{${parts.join(', ')}}`;
}

/** Observations in the zero bucket and all buckets (fewer than count when some were NaN). */
export function observationsInBuckets(h: NativeHistogram): number {
  let n = h.zeroCount;
  for (const b of h.positive) n += b.count;
  for (const b of h.negative) n += b.count;
  return n;
}
