/**
 * A range answer as the graph draws it: one Float64Array of values per series, straight from
 * the fetch worker's transferable buffers. Only a series with gaps (steps without a value, or
 * NaN, which a chart cannot place either) becomes a `(number | null)[]`, since uPlot breaks a
 * line only at `null`. A dense answer of 100 series × 10k points thus reaches the chart with no
 * per-value work on the page's main thread.
 */
import { fromWire, type RangeQueryResponse, type RangeResult, type WireHistogram } from '../../app/api/query.js';
import type { PackedRangeResponse, PackedSeries } from '../../app/api/range-packed.js';

export type ColumnValues = Float64Array | Array<number | null>;

interface ColumnSeries {
  labels: Record<string, string>;
  values: ColumnValues;
  /** Native histogram steps as the engine sent them (where set, the step is that histogram). */
  histograms?: (WireHistogram | null)[];
}

export interface RangeColumns {
  /** Step timestamps in ms. */
  timestamps: Float64Array;
  series: ColumnSeries[];
}

export type RangeColumnsResponse = Omit<RangeQueryResponse, 'result'> & { result: RangeColumns };

/** The [min, max] of columns handed out by plotValues that hold a finite value at every step. */
const finiteColumns = new WeakMap<object, readonly [number, number]>();
/** The same for other columns (gaps, ±Inf, stacked), found on first use. */
const otherExtents = new WeakMap<object, readonly [number, number]>();

/**
 * Whether `values` is a column from plotValues with a finite value at every step (the usual
 * answer): the chart then knows without a pass over it that its line has no gaps and no lone
 * points (1M values scanned in the frame that draws the chart).
 */
export function isFiniteColumn(values: object): boolean {
  return finiteColumns.has(values);
}

/**
 * A column's smallest and largest value as uPlot's auto-ranging finds them (its getMinMax over
 * the whole column: null skipped, ±Inf counted; [Infinity, -Infinity] when it has no value), so
 * the chart can range its y axis without that pass in the frame that draws it: for a column from
 * plotValues it was found in the pass plotValues makes anyway.
 */
export function columnExtent(values: ArrayLike<number | null | undefined>): readonly [number, number] {
  let found = finiteColumns.get(values) ?? otherExtents.get(values);
  if (found === undefined) {
    let lo: number | null | undefined;
    let hi: number | null | undefined;
    let i = 0;
    while (i < values.length && values[i] == null) i++;
    if (i < values.length) lo = hi = values[i];
    for (; i < values.length; i++) {
      const v = values[i];
      if (v == null) continue;
      if (v < lo!) lo = v;
      else if (v > hi!) hi = v;
    }
    otherExtents.set(values, (found = [lo ?? Infinity, hi ?? -Infinity]));
  }
  return found;
}

/** Values with absent steps and NaN as null, or the array itself when it has neither. */
export function plotValues(v: Float64Array, present: Uint8Array | null): ColumnValues {
  let finite = true;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x) || (present !== null && present[i] === 0)) {
      finite = false;
      break;
    }
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (finite) {
    finiteColumns.set(v, [lo, hi]);
    return v;
  }
  // Some step is absent, NaN or ±Inf (kept: a chart breaks its line there, the legend shows it).
  let gaps = false;
  for (let i = 0; i < v.length && !gaps; i++) gaps = (present !== null && present[i] === 0) || Number.isNaN(v[i]!);
  if (!gaps) return v;
  const out = new Array<number | null>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (present !== null && present[i] === 0) || Number.isNaN(v[i]!) ? null : v[i]!;
  return out;
}

function columnsFromPacked(timestamps: Float64Array, series: readonly PackedSeries[]): RangeColumns {
  return { timestamps, series: series.map((s) => (s.histograms ? { labels: s.labels, values: plotValues(s.v, s.present), histograms: s.histograms } : { labels: s.labels, values: plotValues(s.v, s.present) })) };
}

export function responseFromPacked(packed: PackedRangeResponse): RangeColumnsResponse {
  const { result, ...rest } = packed;
  return { ...rest, result: columnsFromPacked(result.timestamps, result.series) };
}

/** The same from the contract's wire values (IPC in the desktop app, or no worker). */
export function columnsFromWire(r: RangeResult): RangeColumns {
  return {
    timestamps: Float64Array.from(r.timestamps),
    series: r.series.map((s) => {
      const v = new Float64Array(s.values.length);
      let present: Uint8Array | null = null;
      s.values.forEach((x, i) => {
        if (x === null) (present ??= new Uint8Array(s.values.length).fill(1))[i] = 0;
        else v[i] = fromWire(x);
      });
      return s.histograms ? { labels: s.labels, values: plotValues(v, present), histograms: s.histograms } : { labels: s.labels, values: plotValues(v, present) };
    }),
  };
}
