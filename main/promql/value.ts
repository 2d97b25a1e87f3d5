/**
 * Values flowing between AST nodes during evaluation. Every node is evaluated once for all
 * steps of the query: an instant vector is a list of series, each with one value slot per step
 * (`has[i]` says whether step i has a sample); a range vector keeps each series' raw samples
 * plus the window end of every step, so range functions slide a window instead of re-reading.
 */
import type { Labels } from '../tsdb/labels.js';

export interface StepSeries {
  labels: Labels;
  readonly v: Float64Array;
  readonly has: Uint8Array;
  /** Delayed name removal: `__name__` is dropped when the query finishes (Prometheus 3 flag). */
  dropName: boolean;
}

export interface RangeSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly dropName: boolean;
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
}
export interface Sample {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
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
