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
 * stale markers, into outV/outHas[off + i]; returns how many steps got a value. The same
 * arithmetic as rateWindowOf, in the same order, with two shortcuts that change no bit: the
 * reset loop is skipped for windows without a counter reset, and the edge durations (five
 * divisions) are reused while consecutive windows sit the same way between their samples, as
 * they do for regularly scraped series.
 */
export function rateSteps(t: Float64Array, v: Float64Array, len: number, ends: Float64Array, range: number, isCounter: boolean, isRate: boolean, outV: Float64Array, outHas: Uint8Array, off: number): number {
  const n = ends.length;
  // resets[j]: counter resets among samples 1…j (a window [lo, hi) has one iff resets differ).
  if (isCounter && resetScratch.length < len) resetScratch = new Int32Array(Math.max(len, resetScratch.length * 2));
  const resets = resetScratch;
  if (isCounter && len > 0) {
    resets[0] = 0;
    for (let j = 1; j < len; j++) resets[j] = resets[j - 1]! + (v[j]! < v[j - 1]! ? 1 : 0);
  }
  const edges = edgeScratch;
  const rangeSec = range / 1000;
  /** The factor of the cached edges when the counter's zero does not cut the start. */
  let plain = 0;
  let keyStart = NaN;
  let keyEnd = NaN;
  let keySpan = NaN;
  let keyCount = -1;
  let lo = 0;
  let hi = 0;
  let steps = 0;
  for (let i = 0; i < n; i++) {
    const end = ends[i]!;
    const start = end - range;
    while (hi < len && t[hi]! <= end) hi++;
    while (lo < len && t[lo]! <= start) lo++;
    if (hi - lo < 2) continue;
    const first = v[lo]!;
    let result = v[hi - 1]! - first;
    if (isCounter && resets[hi - 1] !== resets[lo]) {
      let prev = first;
      for (let j = lo + 1; j < hi; j++) {
        const cur = v[j]!;
        if (cur < prev) result += prev;
        prev = cur;
      }
    }
    const firstT = t[lo]!;
    const lastT = t[hi - 1]!;
    const toStartMs = firstT - start;
    const toEndMs = end - lastT;
    const spanMs = lastT - firstT;
    if (toStartMs !== keyStart || toEndMs !== keyEnd || spanMs !== keySpan || hi - lo !== keyCount) {
      edgeDurations(toStartMs, toEndMs, spanMs, hi - lo, edges);
      plain = factorOf(edges[0]!, edges[1]!, edges[2]!, rangeSec, isRate, null);
      keyStart = toStartMs;
      keyEnd = toEndMs;
      keySpan = spanMs;
      keyCount = hi - lo;
    }
    // As factorOf: the zero only matters when it comes after the (cut) start. The ratio stays a
    // plain double here (a `number | null` local is boxed per window by the optimizing compiler).
    let factor = plain;
    if (isCounter && result > 0 && first >= 0) {
      const zeroRatio = first / result;
      if (edges[2]! * zeroRatio < edges[0]!) factor = factorOf(edges[0]!, edges[1]!, edges[2]!, rangeSec, isRate, zeroRatio);
    }
    outV[off + i] = result * factor;
    outHas[off + i] = 1;
    steps++;
  }
  return steps;
}

let resetScratch = new Int32Array(1024);
const edgeScratch = new Float64Array(3);

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
  edgeDurations(firstT - (end - range), end - lastT, lastT - firstT, samples, edgeScratch);
  return factorOf(edgeScratch[0]!, edgeScratch[1]!, edgeScratch[2]!, range / 1000, isRate, zeroRatio);
}

/**
 * The part of the factor that depends on the window's times only: seconds from the window's
 * start to its first sample and from its last sample to its end, each cut to half the average
 * spacing when longer than 1.1 of it, and the sampled interval → out[0], out[1], out[2].
 */
function edgeDurations(toStartMs: number, toEndMs: number, spanMs: number, samples: number, out: Float64Array): void {
  let durationToStart = toStartMs / 1000;
  let durationToEnd = toEndMs / 1000;
  const sampledInterval = spanMs / 1000;
  const avgBetween = sampledInterval / (samples - 1);
  const threshold = avgBetween * 1.1;
  if (durationToStart >= threshold) durationToStart = avgBetween / 2;
  if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
  out[0] = durationToStart;
  out[1] = durationToEnd;
  out[2] = sampledInterval;
}

/** The factor from edgeDurations' out, for counters cut at the zero; `rangeSec` = range / 1000. */
function factorOf(durationToStart: number, durationToEnd: number, sampledInterval: number, rangeSec: number, isRate: boolean, zeroRatio: number | null): number {
  if (zeroRatio !== null) {
    // Counters start at zero: never extrapolate below it.
    const durationToZero = sampledInterval * zeroRatio;
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= rangeSec;
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

/** The aggregations a group's step columns can be built with one member at a time. */
export type StepReduceOp = 'count' | 'group' | 'sum' | 'min' | 'max';

/**
 * Adds one member's step column (sv/sh at sOff) into its group's (gv, gc: Kahan compensation for
 * sum, gh; at gOff), as Prometheus' aggregations do per step: the evaluator's streaming
 * aggregation (main/promql/aggregate-stream.ts) and the query workers use this one reducer, so a
 * group built in either place from the same members in the same order has the same bits.
 */
export function reduceSteps(op: StepReduceOp, gv: Float64Array, gc: Float64Array | null, gh: Uint8Array, gOff: number, sv: Float64Array, sh: Uint8Array, sOff: number, n: number): void {
  switch (op) {
    case 'count':
      for (let i = 0; i < n; i++) {
        if (!sh[sOff + i]) continue;
        gv[gOff + i]! += 1;
        gh[gOff + i] = 1;
      }
      return;
    case 'group':
      for (let i = 0; i < n; i++) if (sh[sOff + i]) gh[gOff + i] = 1;
      return;
    case 'sum': {
      // KahanSum.add per step, as aggregate.ts' column reducer.
      const c = gc!;
      for (let i = 0; i < n; i++) {
        if (!sh[sOff + i]) continue;
        const inc = sv[sOff + i]!;
        const cur = gv[gOff + i]!;
        const t = cur + inc;
        if (t === Infinity || t === -Infinity) c[gOff + i] = 0;
        else if (Math.abs(cur) >= Math.abs(inc)) c[gOff + i]! += cur - t + inc;
        else c[gOff + i]! += inc - t + cur;
        gv[gOff + i] = t;
        gh[gOff + i] = 1;
      }
      return;
    }
    case 'min':
    case 'max': {
      const isMax = op === 'max';
      for (let i = 0; i < n; i++) {
        if (!sh[sOff + i]) continue;
        const x = sv[sOff + i]!;
        if (!gh[gOff + i]) {
          gv[gOff + i] = x;
          gh[gOff + i] = 1;
          continue;
        }
        const m = gv[gOff + i]!;
        if ((isMax ? m < x : m > x) || Number.isNaN(m)) gv[gOff + i] = x;
      }
      return;
    }
  }
}
