/**
 * The experimental extended range selectors (Prometheus' `promql-extended-range-selectors`):
 * `anchored` and `smoothed`. The selector reads a wider window than its range — one lookback
 * delta before the start (both modifiers) and one after the end (`smoothed`) — and these
 * functions pick or interpolate the values at the window's edges from it:
 *
 * * `anchored`: the left edge is the last sample at or before the window's start (within the
 *   lookback), the right edge the last sample in the window; no extrapolation.
 * * `smoothed`: both edges are interpolated linearly between the samples around them (counter
 *   aware for rate/increase: across a reset the counter restarts from zero).
 *
 * The windows are Prometheus' (`extendedRate`, `extendFloats` in promql/functions.go and
 * engine.go); comments name where our index ranges stand for its slices. Floats only: a native
 * histogram in such a window is refused by the evaluator before it gets here.
 */
import type { NativeHistogram, SampleArrays } from '../tsdb/interface.js';
import { isStaleNaN } from '../tsdb/interface.js';
import { QueryExecutionError } from './errors.js';
import type { CombineNotes } from './histogram.js';
import { combineHistograms, detectReset, HistogramLayoutError, newNotes, scaleHistogram, usesCustomBuckets, withHint } from './histogram.js';
import type { MatrixValue, RangeSeries } from './value.js';

/** Functions each modifier may feed, in Prometheus' words (its error names them sorted). */
const allowed: Readonly<Record<'anchored' | 'smoothed', ReadonlySet<string>>> = {
  anchored: new Set(['changes', 'delta', 'increase', 'rate', 'resets']),
  smoothed: new Set(['delta', 'increase', 'rate']),
};

/** Throws Prometheus' error when `func` cannot take an anchored / smoothed range. */
export function checkExtendedCall(func: string, modifier: 'anchored' | 'smoothed'): void {
  const ok = allowed[modifier];
  if (!ok.has(func)) throw new QueryExecutionError(`${modifier} modifier can only be used with: ${[...ok].join(', ')} - not with ${func}`);
}

/** How much wider than `(end - range, end]` an extended selector reads: [before, after]. */
export function extendedMargins(smoothed: boolean, lookback: number): [number, number] {
  return [lookback, smoothed ? lookback : 0];
}

/** Go's sort.Search over [lo, lo + n): the first index whose sample time satisfies `pred`, else lo + n. */
function search(t: Float64Array, lo: number, n: number, pred: (x: number) => boolean): number {
  let i = lo;
  let j = lo + n;
  while (i < j) {
    const h = (i + j) >>> 1;
    if (!pred(t[h]!)) i = h + 1;
    else j = h;
  }
  return i;
}

function interpolate(s: RangeSeries, a: number, b: number, at: number, isCounter: boolean): number {
  const y2 = s.v[b]!;
  let y1 = s.v[a]!;
  // Across a counter reset the counter is taken to restart from zero.
  if (isCounter && y2 < y1) y1 = 0;
  return y1 + ((y2 - y1) * (at - s.t[a]!)) / (s.t[b]! - s.t[a]!);
}

/**
 * The samples that give a window's edges (Prometheus' firstSampleIndex / lastSampleIndex) among
 * the samples [lo, hi) read for it, or null when the window has nothing after its start.
 */
export function edgeIndices(t: Float64Array, lo: number, hi: number, rangeStart: number, rangeEnd: number, smoothed: boolean): { first: number; last: number } | null {
  if (hi <= lo) return null;
  let last = hi - 1;
  const n = last - lo;
  const first = Math.max(lo, search(t, lo, n, (x) => x > rangeStart) - 1);
  if (smoothed) last = search(t, lo, n, (x) => x >= rangeEnd);
  if (t[last]! <= rangeStart) return null;
  // Only data after the window (smoothed reads ahead): nothing to interpolate from.
  if (t[first]! > rangeEnd) return null;
  return { first, last };
}

/** The samples strictly inside the window between the edge samples: [a, b]. */
export function innerRange(t: Float64Array, first: number, last: number, rangeStart: number, rangeEnd: number): [number, number] {
  return [t[first]! <= rangeStart ? first + 1 : first, t[last]! >= rangeEnd ? last - 1 : last];
}

interface Edges {
  first: number;
  last: number;
  left: number;
  right: number;
}

function edges(s: RangeSeries, lo: number, hi: number, rangeStart: number, rangeEnd: number, smoothed: boolean, isCounter: boolean): Edges | null {
  const ix = edgeIndices(s.t, lo, hi, rangeStart, rangeEnd, smoothed);
  if (ix === null) return null;
  const { first, last } = ix;
  const left = smoothed && s.t[first]! < rangeStart ? interpolate(s, first, first + 1, rangeStart, isCounter) : s.v[first]!;
  const right = smoothed && last > lo && s.t[last]! > rangeEnd ? interpolate(s, last - 1, last, rangeEnd, isCounter) : s.v[last]!;
  return { first, last, left, right };
}

/**
 * An anchored window's points as sample indices: the anchor, the samples inside, the last
 * sample (an edge point repeats a sample, so counting over these counts what extendFloats gives).
 */
export function anchoredIndices(s: RangeSeries, lo: number, hi: number, end: number, range: number): number[] | null {
  const ix = edgeIndices(s.t, lo, hi, end - range, end, false);
  if (ix === null) return null;
  const [a, b] = innerRange(s.t, ix.first, ix.last, end - range, end);
  const out = [ix.first];
  for (let i = a; i <= b; i++) out.push(i);
  out.push(ix.last);
  return out;
}

/** extendedRate: rate / increase / delta of one window with anchored or smoothed edges. */
export function extendedRateWindow(s: RangeSeries, lo: number, hi: number, end: number, range: number, smoothed: boolean, isCounter: boolean, isRate: boolean): number | null {
  const rangeStart = end - range;
  const e = edges(s, lo, hi, rangeStart, end, smoothed, isCounter);
  if (e === null) return null;
  let result = e.right - e.left;
  if (isCounter) {
    // Resets inside the window; the edges already account for those across them.
    const [first, last] = innerRange(s.t, e.first, e.last, rangeStart, end);
    let prev = e.left;
    for (let i = first; i <= last; i++) {
      const x = s.v[i]!;
      if (x < prev) result += prev;
      prev = x;
    }
    if (e.right < prev) result += prev;
  }
  return isRate ? result / (range / 1000) : result;
}

/**
 * extendFloats: the window's samples with a point at each edge (at the window's start and
 * end) in place of the samples on or beyond them; what changes() and resets() count over and
 * what `foo[5m] anchored` answers on its own.
 */
export function extendedWindowPoints(s: RangeSeries, lo: number, hi: number, end: number, range: number, smoothed: boolean): { t: number[]; v: number[] } | null {
  const rangeStart = end - range;
  const e = edges(s, lo, hi, rangeStart, end, smoothed, false);
  if (e === null) return null;
  const [first, last] = innerRange(s.t, e.first, e.last, rangeStart, end);
  const t = [rangeStart];
  const v = [e.left];
  for (let i = first; i <= last; i++) {
    t.push(s.t[i]!);
    v.push(s.v[i]!);
  }
  t.push(end);
  v.push(e.right);
  return { t, v };
}

/**
 * The sample index range [lo, hi) an extended window reads for the step ending at `end`,
 * advancing `pos` (two cursors reused across a series' steps, which only move forward).
 */
export function extendedWindow(s: RangeSeries, m: MatrixValue, end: number, pos: { lo: number; hi: number }): void {
  const ext = m.extended!;
  const [before, after] = extendedMargins(ext.smoothed, ext.lookback);
  const from = end - m.range - before;
  const to = end + after;
  const len = s.t.length;
  while (pos.hi < len && s.t[pos.hi]! <= to) pos.hi++;
  while (pos.lo < len && s.t[pos.lo]! <= from) pos.lo++;
}

/** The histogram at `at` between samples a and b (counter aware when asked), or throws HistogramLayoutError. */
export function interpolateHistogram(s: { readonly t: Float64Array; readonly h?: readonly (NativeHistogram | undefined)[] }, a: number, b: number, at: number, isCounter: boolean, notes: CombineNotes): NativeHistogram {
  const p1 = s.h![a]!;
  const p2 = s.h![b]!;
  if (usesCustomBuckets(p1) !== usesCustomBuckets(p2)) throw new HistogramLayoutError('mixed-schemas');
  const f = (at - s.t[a]!) / (s.t[b]! - s.t[a]!);
  if (isCounter && detectReset(p2, p1)) return withHint(scaleHistogram(p2, f), 'reset');
  return withHint(combineHistograms(p1, scaleHistogram(combineHistograms(p2, p1, -1, notes), f), 1, notes), 'unknown');
}

/**
 * A `smoothed` instant selector's sample at T: the latest sample at or before T (within the
 * lookback, not a stale marker), interpolated towards the next sample after T when that one lies
 * within the lookback too — floats linearly (not as a counter, as Prometheus), histograms counter
 * aware unless the later one is a gauge. Past the last sample, that sample. `k` is the index of
 * the last sample at or before T. 'mix' / 'layout' when the two samples cannot be interpolated
 * (a float and a histogram; exponential and custom buckets).
 */
export function smoothedSample(s: SampleArrays, k: number, T: number, lookback: number): { v: number; h?: NativeHistogram } | 'mix' | 'layout' | null {
  const { t, v } = s;
  if (k < 0 || t[k]! <= T - lookback || isStaleNaN(v[k]!)) return null;
  const next = k + 1;
  const hk = s.h?.[k];
  if (t[k] === T || next >= t.length || t[next]! > T + lookback || isStaleNaN(v[next]!)) return hk ? { v: 0, h: hk } : { v: v[k]! };
  const hn = s.h?.[next];
  if (hk === undefined && hn === undefined) return { v: v[k]! + ((v[next]! - v[k]!) * (T - t[k]!)) / (t[next]! - t[k]!) };
  if (hk === undefined || hn === undefined) return 'mix';
  try {
    return { v: 0, h: interpolateHistogram(s, k, next, T, hn.counterResetHint !== 'gauge', newNotes()) };
  } catch (e) {
    if (e instanceof HistogramLayoutError) return 'layout';
    throw e;
  }
}
