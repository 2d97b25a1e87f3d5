/**
 * Values flowing between AST nodes during evaluation. Every node is evaluated once for all
 * steps of the query: an instant vector is a list of series, each with one value slot per step
 * (`has[i]` says whether step i has a sample); a range vector keeps each series' raw samples
 * plus the window end of every step, so range functions slide a window instead of re-reading.
 */
import type { NativeHistogram } from '../tsdb/interface.js';
import type { Labels } from '../tsdb/labels.js';

/** Per-slot native histograms beside a float column: where `h[i]` is set, slot i holds it. */
export type HistogramColumn = (NativeHistogram | undefined)[];

export interface StepSeries {
  labels: Labels;
  readonly v: Float64Array;
  readonly has: Uint8Array;
  /**
   * Native histogram samples: present only when the series has any; a step with `has[i]` and
   * `h[i]` set holds that histogram (and `v[i]` means nothing). Code that reads only `v` must not
   * see such series: the evaluator refuses them before they reach float-only code.
   */
  h?: HistogramColumn;
  /** Delayed name removal: `__name__` is dropped when the query finishes (Prometheus 3 flag). */
  dropName: boolean;
}

export interface RangeSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly dropName: boolean;
  /** Native histogram samples parallel to `t`, when the series has any. */
  readonly h?: HistogramColumn;
}

interface ScalarValue {
  readonly kind: 'scalar';
  readonly v: Float64Array;
}
export interface VectorValue {
  readonly kind: 'vector';
  readonly series: StepSeries[];
}
export interface MatrixValue {
  readonly kind: 'matrix';
  readonly series: RangeSeries[];
  /** Window end (inclusive) per step, after offset and `@`; windows are (end - range, end]. */
  readonly ends: Float64Array;
  readonly range: number;
  /**
   * An `anchored` / `smoothed` selector's matrix: the series hold samples from one lookback
   * before each window (and one after, smoothed), for extended-range.ts to take the edges from.
   */
  readonly extended?: { readonly smoothed: boolean; readonly lookback: number };
}
interface StringEvalValue {
  readonly kind: 'string';
  readonly s: string;
}

export type EvalValue = ScalarValue | VectorValue | MatrixValue | StringEvalValue;

// ---------------------------------------------------------------------------------------------
// Public results, shaped like Prometheus' API values but columnar.

export interface SeriesPoints {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** Native histogram points parallel to `t` (where set, the point is that histogram). */
  readonly h?: HistogramColumn;
}
export interface Sample {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
  /** Set when the sample is a native histogram. */
  readonly h?: NativeHistogram;
}
export interface Matrix {
  readonly type: 'matrix';
  readonly series: readonly SeriesPoints[];
}
interface Vector {
  readonly type: 'vector';
  readonly samples: readonly Sample[];
}
interface Scalar {
  readonly type: 'scalar';
  readonly t: number;
  readonly v: number;
}
interface StringValue {
  readonly type: 'string';
  readonly t: number;
  readonly value: string;
}
export type QueryResultValue = Matrix | Vector | Scalar | StringValue;

export function newStepSeries(labels: Labels, n: number, dropName: boolean): StepSeries {
  return { labels, v: new Float64Array(n), has: new Uint8Array(n), dropName };
}

/** Whether the value carries any native histogram sample. */
export function hasHistograms(v: EvalValue): boolean {
  if (v.kind !== 'vector' && v.kind !== 'matrix') return false;
  return v.series.some((s) => s.h !== undefined && s.h.some((x) => x !== undefined));
}

/** The series with their histogram samples removed (series left empty are dropped). */
export function floatsOnly<T extends StepSeries | RangeSeries>(series: readonly T[], strip: (s: T) => T | null): T[] {
  const out: T[] = [];
  for (const s of series) {
    if (s.h === undefined) out.push(s);
    else {
      const f = strip(s);
      if (f !== null) out.push(f);
    }
  }
  return out;
}

export function stripStepHistograms(s: StepSeries): StepSeries | null {
  const has = s.has.slice();
  let any = false;
  for (let i = 0; i < has.length; i++) {
    if (s.h![i] !== undefined) has[i] = 0;
    if (has[i]) any = true;
  }
  return any ? { labels: s.labels, v: s.v, has, dropName: s.dropName } : null;
}

export function stripRangeHistograms(s: RangeSeries): RangeSeries | null {
  const keep: number[] = [];
  for (let i = 0; i < s.t.length; i++) if (s.h![i] === undefined) keep.push(i);
  if (keep.length === 0) return null;
  return { labels: s.labels, t: Float64Array.from(keep, (i) => s.t[i]!), v: Float64Array.from(keep, (i) => s.v[i]!), dropName: s.dropName };
}
