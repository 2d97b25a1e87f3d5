/**
 * Per-series step kernels over columnar samples: the value of one series at every step of a
 * range query, for an instant selector (the sample each step picks) and for rate / increase /
 * delta (Prometheus' extrapolatedRate). Pure functions over typed arrays with no allocation, so
 * the same code runs in the PromQL evaluator (main/promql) and in the query workers
 * (query-worker.ts), which compute them next to the chunk decoding and hand back only the step
 * columns. One implementation: the evaluator's answers and the workers' are the same bits.
 */
import { isStaleNaN } from './interface.js';

/**
 * Writes the instant selector's value per step into outV/outHas[off + i]: the newest sample at
 * or before times[i], if it is newer than times[i] - lookback and is not a stale marker.
 * Returns how many steps got a value.
 */
export function instantSteps(t: Float64Array, v: Float64Array, len: number, times: Float64Array, lookback: number, outV: Float64Array, outHas: Uint8Array, off: number): number {
  const n = times.length;
  let j = 0;
  let steps = 0;
  for (let i = 0; i < n; i++) {
    const T = times[i]!;
    while (j < len && t[j]! <= T) j++;
    const k = j - 1;
    if (k < 0 || t[k]! <= T - lookback) continue;
    const val = v[k]!;
    if (isStaleNaN(val)) continue;
    outV[off + i] = val;
    outHas[off + i] = 1;
    steps++;
  }
  return steps;
}

/**
 * instantSteps for `count` / `group`: adds 1 to counts[off + i] at every step with a value.
 * Returns the steps with a value; tally[0] gets the samples thinning keeps (lookback.ts'
 * thinInto: the distinct samples steps pick within the lookback, stale or not).
 */
export function instantCount(t: Float64Array, v: Float64Array, len: number, times: Float64Array, lookback: number, counts: Float64Array, off: number, tally: Uint32Array): number {
  const n = times.length;
  let j = 0;
  let steps = 0;
  let picked = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const T = times[i]!;
    while (j < len && t[j]! <= T) j++;
    const k = j - 1;
    if (k < 0 || t[k]! <= T - lookback) continue;
    if (k !== last) {
      picked++;
      last = k;
    }
    if (isStaleNaN(v[k]!)) continue;
    counts[off + i]! += 1;
    steps++;
  }
  tally[0] = picked;
  return steps;
}

/**
 * rate / increase / delta per step over windows (ends[i] - range, ends[i]] of samples without
 * stale markers, into outV/outHas[off + i]; returns how many steps got a value.
 */
export function rateSteps(t: Float64Array, v: Float64Array, len: number, ends: Float64Array, range: number, isCounter: boolean, isRate: boolean, outV: Float64Array, outHas: Uint8Array, off: number): number {
  const n = ends.length;
  let lo = 0;
  let hi = 0;
  let steps = 0;
  for (let i = 0; i < n; i++) {
    const end = ends[i]!;
    const start = end - range;
    while (hi < len && t[hi]! <= end) hi++;
    while (lo < len && t[lo]! <= start) lo++;
    if (hi - lo < 2) continue;
    outV[off + i] = rateWindowOf(t, v, lo, hi, end, range, isCounter, isRate);
    outHas[off + i] = 1;
    steps++;
  }
  return steps;
}

/** Prometheus' extrapolatedRate for rate / increase / delta over the float window [lo, hi), hi - lo ≥ 2. */
export function rateWindowOf(t: Float64Array, v: Float64Array, lo: number, hi: number, end: number, range: number, isCounter: boolean, isRate: boolean): number {
  const first = v[lo]!;
  let result = v[hi - 1]! - first;
  if (isCounter) {
    let prev = first;
    for (let i = lo + 1; i < hi; i++) {
      const cur = v[i]!;
      if (cur < prev) result += prev;
      prev = cur;
    }
  }
  const zeroRatio = isCounter && result > 0 && first >= 0 ? first / result : null;
  return result * extrapolationFactor(t[lo]!, t[hi - 1]!, hi - lo, end, range, isRate, zeroRatio);
}

/**
 * extrapolatedRate's factor: the sampled interval stretched towards the window's edges (by at
 * most half the average spacing past a gap), and for counters never back past where the counter
 * would have been zero (`zeroRatio` = first value / increase); divided by the range for rates.
 */
export function extrapolationFactor(firstT: number, lastT: number, samples: number, end: number, range: number, isRate: boolean, zeroRatio: number | null): number {
  const rangeStart = end - range;
  let durationToStart = (firstT - rangeStart) / 1000;
  let durationToEnd = (end - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const avgBetween = sampledInterval / (samples - 1);
  const threshold = avgBetween * 1.1;
  if (durationToStart >= threshold) durationToStart = avgBetween / 2;
  if (zeroRatio !== null) {
    // Counters start at zero: never extrapolate below it.
    const durationToZero = sampledInterval * zeroRatio;
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= range / 1000;
  return factor;
}

/** Removes stale markers from t/v[0, len) in place; returns the new length. */
export function dropStale(t: Float64Array, v: Float64Array, len: number): number {
  let k = 0;
  for (let i = 0; i < len; i++) {
    const x = v[i]!;
    if (x !== x && isStaleNaN(x)) continue;
    if (k !== i) {
      t[k] = t[i]!;
      v[k] = x;
    }
    k++;
  }
  return k;
}
