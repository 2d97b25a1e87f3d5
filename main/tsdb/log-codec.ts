/**
 * Compact forms of a logged batch (FORMAT.md, "Log"). A scrape's batch usually has one
 * timestamp for every sample and refs that run consecutively, so those columns shrink to 8 bytes
 * and the log costs ~8 bytes a sample (the raw float64 values) instead of 20.
 *   refs: n×u32 raw, or — when n > 2 and refs are first, first+1, … — u32 first, u32 n.
 *   t:    n×f64 raw, or — when n > 1 and all equal — one f64.
 */
import { blobOf, float64sOf, uint32sOf } from './store-schema.js';

export function packRefs(refs: Uint32Array): Buffer {
  const n = refs.length;
  if (n > 2) {
    let run = true;
    for (let i = 1; i < n && run; i++) run = refs[i] === refs[0]! + i;
    if (run) return blobOf(Uint32Array.of(refs[0]!, n));
  }
  return blobOf(refs);
}

export function packTimes(t: Float64Array): Buffer {
  const n = t.length;
  if (n > 1) {
    let same = true;
    for (let i = 1; i < n && same; i++) same = t[i] === t[0];
    if (same) return blobOf(t.subarray(0, 1));
  }
  return blobOf(t);
}

/** Inverse of the pack functions; a damaged row yields the longest consistent prefix. */
export function unpackBatch(n: number, refsBlob: Uint8Array, tBlob: Uint8Array, vBlob: Uint8Array): { refs: Uint32Array; t: Float64Array; v: Float64Array } {
  let refs = uint32sOf(refsBlob);
  if (n > 2 && refs.length === 2 && refs[1] === n) {
    const first = refs[0]!;
    refs = new Uint32Array(n);
    for (let i = 0; i < n; i++) refs[i] = first + i;
  }
  let t = float64sOf(tBlob);
  if (n > 1 && t.length === 1) t = new Float64Array(n).fill(t[0]!);
  const v = float64sOf(vBlob);
  const k = Math.min(n, refs.length, t.length, v.length);
  return { refs: refs.subarray(0, k), t: t.subarray(0, k), v: v.subarray(0, k) };
}
