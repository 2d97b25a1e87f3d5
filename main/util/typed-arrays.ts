/** Growable typed-array storage: the per-slot / per-series columns of the scrape cache and the head. */
export type GrowableArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/**
 * A copy of `a` at least `min` long (and at least twice as long, so growing is amortised), new
 * elements set to `fill`. Returns `a` itself when it is long enough already.
 */
export function grown<T extends GrowableArray>(a: T, min: number, fill = 0): T {
  if (a.length >= min) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(min, a.length * 2));
  if (fill !== 0) next.fill(fill);
  next.set(a);
  return next;
}
