/** Numeric helpers shared by functions and aggregations, matching Prometheus' Go behaviour. */
import { KahanSum } from './kahan.js';

/** Prometheus' quantile over a set of floats (sorts a copy; NaN q → NaN; out of range → ±Inf). */
export function quantile(q: number, values: readonly number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = values.slice().sort(floatCompare);
  const n = sorted.length;
  const rank = q * (n - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(n - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lowerIndex]! * (1 - weight) + sorted[upperIndex]! * weight;
}

/** Go's sort.Float64s order: NaN first, then ascending. */
function floatCompare(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const minNormal = 2.2250738585072014e-308;

/** Prometheus' util/almost.Equal (without the stale-marker rule; callers check that). */
export function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < minNormal) return diff < epsilon * minNormal;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** Least-squares slope and intercept at `interceptTime` (ms), with Kahan sums, as Prometheus. */
export function linearRegression(t: Float64Array, v: Float64Array, lo: number, hi: number, interceptTime: number): [number, number] {
  const n = hi - lo;
  const initY = v[lo]!;
  let constY = true;
  const sx = new KahanSum();
  const sy = new KahanSum();
  const sxy = new KahanSum();
  const sx2 = new KahanSum();
  for (let i = lo; i < hi; i++) {
    const y = v[i]!;
    if (constY && i > lo && y !== initY) constY = false;
    const x = (t[i]! - interceptTime) / 1000;
    sx.add(x);
    sy.add(y);
    sxy.add(x * y);
    sx2.add(x * x);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [NaN, NaN];
    return [0, initY];
  }
  const sumX = sx.sum + sx.c;
  const sumY = sy.sum + sy.c;
  const sumXY = sxy.sum + sxy.c;
  const sumX2 = sx2.sum + sx2.c;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

export interface Bucket {
  upperBound: number;
  count: number;
}

/**
 * Classic-histogram quantile (Prometheus' BucketQuantile): sorts and merges buckets, forces
 * monotonicity, then interpolates linearly inside the bucket holding the rank.
 */
export function bucketQuantile(q: number, buckets: Bucket[]): { value: number; forcedMonotonic: boolean } {
  if (Number.isNaN(q)) return { value: NaN, forcedMonotonic: false };
  if (q < 0) return { value: -Infinity, forcedMonotonic: false };
  if (q > 1) return { value: Infinity, forcedMonotonic: false };
  buckets.sort((a, b) => a.upperBound - b.upperBound);
  if (buckets.length === 0 || buckets[buckets.length - 1]!.upperBound !== Infinity) return { value: NaN, forcedMonotonic: false };
  // Coalesce buckets with the same bound.
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else merged.push({ ...b });
  }
  let forcedMonotonic = false;
  let prev = merged[0]!.count;
  for (let i = 1; i < merged.length; i++) {
    const curr = merged[i]!.count;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, 1e-12)) {
      merged[i]!.count = prev;
      continue;
    }
    if (curr < prev) {
      merged[i]!.count = prev;
      forcedMonotonic = true;
      continue;
    }
    prev = curr;
  }
  if (merged.length < 2) return { value: NaN, forcedMonotonic };
  const observations = merged[merged.length - 1]!.count;
  if (observations === 0) return { value: NaN, forcedMonotonic };
  let rank = q * observations;
  let b = merged.length - 1;
  for (let i = 0; i < merged.length - 1; i++) {
    if (merged[i]!.count >= rank) {
      b = i;
      break;
    }
  }
  if (b === merged.length - 1) return { value: merged[merged.length - 2]!.upperBound, forcedMonotonic };
  if (b === 0 && merged[0]!.upperBound <= 0) return { value: merged[0]!.upperBound, forcedMonotonic };
  let bucketStart = 0;
  const bucketEnd = merged[b]!.upperBound;
  let count = merged[b]!.count;
  if (b > 0) {
    bucketStart = merged[b - 1]!.upperBound;
    count -= merged[b - 1]!.count;
    rank -= merged[b - 1]!.count;
  }
  return { value: bucketStart + (bucketEnd - bucketStart) * (rank / count), forcedMonotonic };
}

function sortAndCoalesce(buckets: Bucket[]): Bucket[] {
  buckets.sort((a, b) => a.upperBound - b.upperBound);
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else merged.push({ ...b });
  }
  return merged;
}

/**
 * Estimated fraction of observations in [lower, upper] from classic buckets. The first bucket
 * starts at 0 when its bound is positive (as histogram_quantile assumes), else at -Inf; inside
 * a bucket of infinite width nothing is interpolated.
 */
export function bucketFraction(lower: number, upper: number, input: Bucket[]): number {
  const buckets = sortAndCoalesce(input);
  if (buckets.length === 0 || buckets[buckets.length - 1]!.upperBound !== Infinity) return NaN;
  const count = buckets[buckets.length - 1]!.count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  const rankAt = (v: number): number => {
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!;
      const lo = i === 0 ? (b.upperBound > 0 ? 0 : -Infinity) : buckets[i - 1]!.upperBound;
      const prev = i === 0 ? 0 : buckets[i - 1]!.count;
      if (v <= lo) return prev;
      if (v < b.upperBound) {
        if (lo === -Infinity) return b.count;
        if (b.upperBound === Infinity) return prev;
        return prev + ((b.count - prev) * (v - lo)) / (b.upperBound - lo);
      }
      if (v === b.upperBound) return b.count;
    }
    return count;
  };
  return (Math.min(rankAt(upper), count) - Math.min(rankAt(lower), count)) / count;
}

/** Go's strconv.ParseFloat for `le` values: no surrounding spaces, Inf/NaN spelled any case. */
export function parseGoFloat(s: string): number {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.replace(/_/g, ''))) return parseHex(s);
  return Number(s.replace(/_/g, ''));
}

function parseHex(s: string): number {
  return /^[+-]?0[xX][0-9a-fA-F]+(\.[0-9a-fA-F]*)?[pP][+-]?\d+$/.test(s) ? hexFloat(s) : NaN;
}
function hexFloat(s: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s)!;
  const frac = m[3] ?? '';
  const mant = parseInt(m[2]! + frac, 16) / 16 ** frac.length;
  return (m[1] === '-' ? -1 : 1) * mant * 2 ** Number(m[4]);
}
