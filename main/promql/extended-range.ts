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
import { QueryExecutionError } from './errors.js';
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

interface Edges {
  first: number;
  last: number;
  left: number;
  right: number;
}

/**
 * The edge values of one window over the samples [lo, hi) read for it, or null when the window
 * has nothing after its start. `first`/`last` index the samples used for the edges.
 */
function edges(s: RangeSeries, lo: number, hi: number, rangeStart: number, rangeEnd: number, smoothed: boolean, isCounter: boolean): Edges | null {
  if (hi <= lo) return null;
  let last = hi - 1;
  const n = last - lo;
  const first = Math.max(lo, search(s.t, lo, n, (x) => x > rangeStart) - 1);
  if (smoothed) last = search(s.t, lo, n, (x) => x >= rangeEnd);
  if (s.t[last]! <= rangeStart) return null;
  // Only data after the window (smoothed reads ahead): nothing to interpolate from.
  if (s.t[first]! > rangeEnd) return null;
  const left = smoothed && s.t[first]! < rangeStart ? interpolate(s, first, first + 1, rangeStart, isCounter) : s.v[first]!;
  const right = smoothed && last > lo && s.t[last]! > rangeEnd ? interpolate(s, last - 1, last, rangeEnd, isCounter) : s.v[last]!;
  return { first, last, left, right };
}

/** extendedRate: rate / increase / delta of one window with anchored or smoothed edges. */
export function extendedRateWindow(s: RangeSeries, lo: number, hi: number, end: number, range: number, smoothed: boolean, isCounter: boolean, isRate: boolean): number | null {
  const rangeStart = end - range;
  const e = edges(s, lo, hi, rangeStart, end, smoothed, isCounter);
  if (e === null) return null;
  let result = e.right - e.left;
  if (isCounter) {
    // Resets inside the window; the edges already account for those across them.
    let first = e.first;
    let last = e.last;
    if (s.t[first]! <= rangeStart) first++;
    if (s.t[last]! >= end) last--;
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
  let first = e.first;
  let last = e.last;
  if (s.t[first]! <= rangeStart) first++;
  if (s.t[last]! >= end) last--;
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

/**
 * A `smoothed` instant selector's value at T: the latest sample at or before T (within the
 * lookback, not a stale marker), interpolated (not counter aware, as Prometheus) towards the
 * next sample after T when that one lies within the lookback too. `k` is the index of the last
 * sample at or before T; returns null for no value.
 */
export function smoothedAt(t: Float64Array, v: Float64Array, k: number, T: number, lookback: number, isStale: (x: number) => boolean): number | null {
  if (k < 0 || t[k]! <= T - lookback || isStale(v[k]!)) return null;
  const next = k + 1;
  if (t[k] === T || next >= t.length || t[next]! > T + lookback || isStale(v[next]!)) return v[k]!;
  return v[k]! + ((v[next]! - v[k]!) * (T - t[k]!)) / (t[next]! - t[k]!);
}
