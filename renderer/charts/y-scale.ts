/**
 * The y range a time series chart draws, from the data's min and max. uPlot is handed this
 * instead of its own ranging so "start at zero" (`fieldConfig.defaults.min: 0`) holds, and so a
 * flat or single-point series gets an axis around its value: a range of 1 at 8e10 bytes leaves
 * uPlot no tick step it can label, and it drew nonsense (1067 GiB for 77 GiB).
 */
export function yRange(min: number | null, max: number | null, fromZero: boolean): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  let lo = min;
  let hi = max;
  if (hi - lo <= Math.abs(hi) * 1e-9) {
    // Flat: 10 % of the value either side (Grafana pads a constant series the same way); 0 gets ±1.
    const pad = Math.abs(hi) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  return [fromZero ? Math.min(0, lo) : lo, fromZero ? Math.max(0, hi) : hi];
}

/**
 * Indices of values with no value on either side within [i0, i1]: a line through them has no
 * length, so with points hidden they would not be drawn at all (a first scrape, a series that
 * just appeared). uPlot's `points.filter` draws exactly these.
 */
export function lonePoints(values: ArrayLike<number | null | undefined>, i0: number, i1: number): number[] | null {
  // A gap-free column (the usual Float64Array) with more than one value has none: one tight pass
  // instead of three checks per value (1M values are drawn on the page's main thread).
  if (values instanceof Float64Array && i1 > i0) {
    let gaps = false;
    for (let i = Math.max(0, i0); i <= Math.min(values.length - 1, i1) && !gaps; i++) gaps = !Number.isFinite(values[i]!);
    if (!gaps) return null;
  }
  const has = (i: number) => {
    const v = values[i];
    return v !== null && v !== undefined && Number.isFinite(v);
  };
  const out: number[] = [];
  for (let i = Math.max(0, i0); i <= Math.min(values.length - 1, i1); i++) if (has(i) && !(i > i0 && has(i - 1)) && !(i < i1 && has(i + 1))) out.push(i);
  return out.length > 0 ? out : null;
}

/**
 * The y axis' width for its labels (uPlot clips what does not fit on the left, so a fixed 70 px
 * turned "77.1064 GiB" into "1064 GiB"): about 7 px a character at uPlot's 12 px axis font.
 */
export function yAxisWidth(labels: ReadonlyArray<string | null | undefined>): number {
  const longest = labels.reduce((n, l) => Math.max(n, l?.length ?? 0), 0);
  return Math.min(160, Math.max(50, Math.ceil(longest * 7) + 18));
}
