/**
 * Thinning for instant vector selectors (SelectHints.lookback). At an evaluation time T the
 * selector reads the newest sample at or before T, if newer than T − delta (Prometheus'
 * lookback). Only those samples — at most one per evaluation time — can change the answer, so
 * the head read and the querier keep just them: an instant query over 100k series then holds
 * 100k samples, not the few minutes of samples each series has in its lookback window.
 *
 * Thinning is idempotent and commutes with prepending older samples: thin(older ++ thin(newer))
 * equals thin(older ++ newer), so the worker may thin the head before the querier puts sealed
 * chunks in front of it and thins again.
 */
import type { LookbackPoints } from './interface.js';

/**
 * Copies the samples of [from, to) of t/v (ascending times) that an instant selector at
 * `p.times` picks to ot/ov from index k; returns the new end. Works in place (ot = t, k ≤ from).
 */
export function thinInto(
  t: Float64Array,
  v: Float64Array,
  from: number,
  to: number,
  p: LookbackPoints,
  ot: Float64Array,
  ov: Float64Array,
  k: number,
): number {
  const { times, delta } = p;
  let j = from; // first sample newer than the current evaluation time
  let kept = -1;
  for (let i = 0; i < times.length && from < to; i++) {
    const at = times[i]!;
    while (j < to && t[j]! <= at) j++;
    const s = j - 1;
    if (s < from || s === kept || t[s]! <= at - delta) continue;
    ot[k] = t[s]!;
    // The value's bits go through typed arrays only, so a stale marker stays one.
    ov[k] = v[s]!;
    k++;
    kept = s;
  }
  return k;
}

/** Upper bound of the samples thinning keeps from `n`: one per evaluation time at most. */
export function thinnedBound(n: number, p: LookbackPoints | undefined): number {
  return p === undefined ? n : Math.min(n, p.times.length);
}
