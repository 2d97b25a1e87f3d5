/**
 * Functions over native histogram samples (Prometheus' promql/functions.go semantics): the
 * histogram_* readers, and the range functions that have histogram meanings (rate, increase,
 * delta, irate, idelta, resets, changes, sum/avg/count/last/first/present_over_time). A range
 * function given a matrix without histograms runs its float implementation unchanged.
 */
import type { PosRange } from '../../../app/promql/ast.js';
import type { NativeHistogram } from '../../tsdb/interface.js';
import { getLabel, metricNameLabel, type Labels } from '../../tsdb/labels.js';
import type { CombineNotes } from '../histogram.js';
import {
  combineHistograms,
  compactHistogram,
  detectReset,
  divideHistogram,
  histogramsMatch,
  histogramVariance,
  HistogramLayoutError,
  newNotes,
  scaleHistogram,
  sumHistogramList,
  usesCustomBuckets,
  withHint,
} from '../histogram.js';
import type { EvalValue, MatrixValue, RangeSeries, StepSeries } from '../value.js';
import { hasHistograms, newStepSeries } from '../value.js';
import { matrixArg, overWindows, vector, vectorArg } from './helpers.js';
import { extendedHistogramRate } from './extended-histogram.js';
import { avgWindow, counting, rangeFunctions, rateWindow, sumWindow } from './range.js';
import { extrapolationFactor } from '../../tsdb/step-kernels.js';
import type { FnCall, FunctionImpl } from './types.js';

const nameOf = (labels: Labels): string => JSON.stringify(getLabel(labels, metricNameLabel));

/** histogram_count and friends: a float per histogram sample; float samples are dropped. */
function readHistogram(f: (h: NativeHistogram) => number): FunctionImpl {
  return (c) => {
    const v = vectorArg(c, 0);
    const n = c.grid.length;
    const out: StepSeries[] = [];
    for (const s of v.series) {
      if (s.h === undefined) continue;
      const r = newStepSeries(s.labels, n, true);
      let any = false;
      for (let i = 0; i < n; i++) {
        const h = s.h[i];
        if (!s.has[i] || h === undefined) continue;
        r.v[i] = f(h);
        r.has[i] = 1;
        any = true;
      }
      if (any) out.push(r);
    }
    return vector(out);
  };
}

/** A window function that also gets the position for annotations (the matrix argument's). */
type PosWindowFn = (s: RangeSeries, lo: number, hi: number, end: number, pos: PosRange) => number | NativeHistogram | null;

function overMixedWindows(c: FnCall, m: MatrixValue, f: PosWindowFn, dropName = true): Promise<EvalValue> {
  const pos = c.call.args[0]?.pos ?? c.call.pos;
  return overWindows(c, m, (s, lo, hi, end) => f(s, lo, hi, end, pos), dropName);
}

/** Whether the window [lo, hi) holds histograms only (true), floats only (false) or both (null). */
function windowKind(s: RangeSeries, lo: number, hi: number): boolean | null {
  if (s.h === undefined) return false;
  let hists = 0;
  for (let i = lo; i < hi; i++) if (s.h[i] !== undefined) hists++;
  if (hists === 0) return false;
  return hists === hi - lo ? true : null;
}

/** Runs the float implementation when the matrix has no histograms, else the mixed one. */
function rangeWithHistograms(floatImpl: FunctionImpl, f: PosWindowFn, dropName = true): FunctionImpl {
  return (c) => {
    const m = matrixArg(c, 0);
    if (!hasHistograms(m)) return floatImpl(c);
    return overMixedWindows(c, m, f, dropName);
  };
}

function layoutWarning(c: FnCall, labels: Labels, pos: PosRange): void {
  c.env.annotations.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${nameOf(labels)}`, pos);
}

function reconciledInfo(c: FnCall, notes: CombineNotes, what: string, pos: PosRange): void {
  if (notes.customReconciled) c.env.annotations.info(`mismatched custom buckets were reconciled during ${what}`, pos);
}

/** rate / increase / delta: floats, histograms, and anchored / smoothed windows of either. */
function rateLike(isCounter: boolean, isRate: boolean, floatImpl: FunctionImpl): FunctionImpl {
  return (c) => {
    const m = matrixArg(c, 0);
    if (!hasHistograms(m)) return floatImpl(c);
    if (m.extended) {
      const pos = c.call.args[0]?.pos ?? c.call.pos;
      return overWindows(c, m, (s, lo, hi, end) => extendedHistogramRate(c, m, s, lo, hi, end, isCounter, isRate, pos));
    }
    return overMixedWindows(c, m, histogramRate(c, isCounter, isRate));
  };
}

/** Prometheus' histogramRate plus the extrapolation of extrapolatedRate. */
function histogramRate(c: FnCall, isCounter: boolean, isRate: boolean): PosWindowFn {
  const m = matrixArg(c, 0);
  return (s, lo, hi, end, pos) => {
    const kind = windowKind(s, lo, hi);
    if (kind === false) return rateWindow(s, lo, hi, end, m.range, isCounter, isRate);
    if (hi - lo < 2) return null;
    if (kind === null) {
      c.env.annotations.warn(`encountered a mix of histograms and floats for metric name ${nameOf(s.labels)}`, pos);
      return null;
    }
    const hs = s.h!;
    const first = hs[lo]!;
    const last = hs[hi - 1]!;
    // As Prometheus: a reset between the first two samples (a switch between exponential and
    // custom buckets is one) makes the first one an empty histogram of the second's layout, so
    // its layout does not matter; every later sample must share that layout.
    let start = first;
    if (isCounter && detectReset(hs[lo + 1]!, first)) start = emptyLike(hs[lo + 1]!);
    const custom = usesCustomBuckets(start);
    for (let i = lo + 1; i < hi; i++) {
      if (usesCustomBuckets(hs[i]!) !== custom) {
        layoutWarning(c, s.labels, pos);
        return null;
      }
    }
    if (isCounter && (first.counterResetHint === 'gauge' || last.counterResetHint === 'gauge')) {
      c.env.annotations.warn(`this native histogram metric is not a counter: ${nameOf(s.labels)}`, pos);
    }
    const notes = newNotes();
    let h = combineHistograms(last, start, -1, notes);
    if (isCounter) {
      let prev = start;
      for (let i = lo + 1; i < hi; i++) {
        if (detectReset(hs[i]!, prev)) h = combineHistograms(h, prev, 1, notes);
        prev = hs[i]!;
      }
    } else if (first.counterResetHint !== 'gauge' || last.counterResetHint !== 'gauge') {
      c.env.annotations.warn(`this native histogram metric is not a gauge: ${nameOf(s.labels)}`, pos);
    }
    reconciledInfo(c, notes, 'subtraction', pos);
    const zeroRatio = isCounter && h.count > 0 && first.count >= 0 ? first.count / h.count : null;
    const factor = extrapolationFactor(s.t[lo]!, s.t[hi - 1]!, hi - lo, end, m.range, isRate, zeroRatio);
    return compactHistogram(withHint(scaleHistogram(h, factor), 'gauge'));
  };
}

/** An empty histogram with h's bucket layout (schema and custom bounds). */
function emptyLike(h: NativeHistogram): NativeHistogram {
  return { schema: h.schema, zeroThreshold: 0, zeroCount: 0, count: 0, sum: 0, positive: [], negative: [], customValues: h.customValues, counterResetHint: 'unknown' };
}

function instantHistogram(c: FnCall, isRate: boolean): PosWindowFn {
  return (s, lo, hi, _end, pos) => {
    if (hi - lo < 2) return null;
    const a = s.h?.[hi - 2];
    const b = s.h?.[hi - 1];
    if (a === undefined && b === undefined) {
      const last = s.v[hi - 1]!;
      const prev = s.v[hi - 2]!;
      const interval = s.t[hi - 1]! - s.t[hi - 2]!;
      if (interval === 0) return null;
      const result = isRate && last < prev ? last : last - prev;
      return isRate ? result / (interval / 1000) : result;
    }
    if (a === undefined || b === undefined) {
      c.env.annotations.warn(`encountered a mix of histograms and floats for metric name ${nameOf(s.labels)}`, pos);
      return null;
    }
    const interval = s.t[hi - 1]! - s.t[hi - 2]!;
    if (interval === 0) return null;
    if (isRate && (a.counterResetHint === 'gauge' || b.counterResetHint === 'gauge')) c.env.annotations.warn(`this native histogram metric is not a counter: ${nameOf(s.labels)}`, pos);
    if (!isRate && (a.counterResetHint !== 'gauge' || b.counterResetHint !== 'gauge')) c.env.annotations.warn(`this native histogram metric is not a gauge: ${nameOf(s.labels)}`, pos);
    let h = b;
    if (!isRate || !detectReset(b, a)) {
      if (usesCustomBuckets(a) !== usesCustomBuckets(b)) {
        layoutWarning(c, s.labels, pos);
        return null;
      }
      const notes = newNotes();
      h = combineHistograms(b, a, -1, notes);
      reconciledInfo(c, notes, 'subtraction', pos);
    }
    h = compactHistogram(withHint(h, 'gauge'));
    return isRate ? divideHistogram(h, interval / 1000) : h;
  };
}

/** sum_over_time / avg_over_time of histograms (a mix with floats warns and gives nothing). */
function sumHistograms(c: FnCall, average: boolean): PosWindowFn {
  return (s, lo, hi, _end, pos) => {
    const kind = windowKind(s, lo, hi);
    if (kind === false) return null; // never called for float-only matrices; see rangeWithHistograms
    if (kind === null) {
      c.env.annotations.warn(`encountered a mix of histograms and floats for metric name ${nameOf(s.labels)}`, pos);
      return null;
    }
    const notes = newNotes();
    let acc: NativeHistogram;
    try {
      acc = sumHistogramList(s.h!.slice(lo, hi) as NativeHistogram[], average, notes);
    } catch (e) {
      if (!(e instanceof HistogramLayoutError)) throw e;
      layoutWarning(c, s.labels, pos);
      return null;
    }
    if (notes.resetCollision) c.env.annotations.warn('conflicting counter resets during histogram aggregation', pos);
    reconciledInfo(c, notes, 'aggregation', pos);
    return compactHistogram(acc);
  };
}

/** A float-only window result for series that also have histogram windows. */
function floatWindow(impl: (s: RangeSeries, lo: number, hi: number) => number, mixed: (s: RangeSeries, lo: number, hi: number) => number | NativeHistogram | null): PosWindowFn {
  return (s, lo, hi) => (windowKind(s, lo, hi) === false ? impl(s, lo, hi) : mixed(s, lo, hi));
}

function sameSample(s: RangeSeries, i: number, j: number): boolean {
  const a = s.h?.[i];
  const b = s.h?.[j];
  if (a === undefined && b === undefined) {
    const x = s.v[i]!;
    const y = s.v[j]!;
    return x === y || (Number.isNaN(x) && Number.isNaN(y));
  }
  if (a === undefined || b === undefined) return false;
  return histogramsMatch(a, b, (x, y) => x === y || (Number.isNaN(x) && Number.isNaN(y)));
}

function isReset(s: RangeSeries, prev: number, cur: number): boolean {
  const a = s.h?.[prev];
  const b = s.h?.[cur];
  if (a === undefined && b === undefined) return s.v[cur]! < s.v[prev]!;
  if (a === undefined || b === undefined) return true;
  return detectReset(b, a);
}

export const nativeHistogramFunctions = {
  histogram_count: readHistogram((h) => h.count),
  histogram_sum: readHistogram((h) => h.sum),
  histogram_avg: readHistogram((h) => h.sum / h.count),
  histogram_stdvar: readHistogram((h) => histogramVariance(h)),
  histogram_stddev: readHistogram((h) => Math.sqrt(histogramVariance(h))),
  rate: rateLike(true, true, rangeFunctions.rate),
  increase: rateLike(true, false, rangeFunctions.increase),
  delta: rateLike(false, false, rangeFunctions.delta),
  irate: (c: FnCall) => (hasHistograms(matrixArg(c, 0)) ? overMixedWindows(c, matrixArg(c, 0), instantHistogram(c, true)) : rangeFunctions.irate(c)),
  idelta: (c: FnCall) => (hasHistograms(matrixArg(c, 0)) ? overMixedWindows(c, matrixArg(c, 0), instantHistogram(c, false)) : rangeFunctions.idelta(c)),
  resets: counting((s, i, j) => (isReset(s, i, j) ? 1 : 0)),
  changes: counting((s, i, j) => (sameSample(s, i, j) ? 0 : 1)),
  sum_over_time: (c: FnCall) => {
    const sums = sumHistograms(c, false);
    return rangeWithHistograms(rangeFunctions.sum_over_time, floatWindow(sumWindow, (s, lo, hi) => sums(s, lo, hi, 0, c.call.args[0]?.pos ?? c.call.pos)))(c);
  },
  avg_over_time: (c: FnCall) => {
    const avgs = sumHistograms(c, true);
    return rangeWithHistograms(rangeFunctions.avg_over_time, floatWindow(avgWindow, (s, lo, hi) => avgs(s, lo, hi, 0, c.call.args[0]?.pos ?? c.call.pos)))(c);
  },
  count_over_time: rangeWithHistograms(rangeFunctions.count_over_time, (_s, lo, hi) => hi - lo),
  present_over_time: rangeWithHistograms(rangeFunctions.present_over_time, () => 1),
  last_over_time: rangeWithHistograms(rangeFunctions.last_over_time, (s, _lo, hi) => s.h?.[hi - 1] ?? s.v[hi - 1]!, false),
  first_over_time: rangeWithHistograms(rangeFunctions.first_over_time, (s, lo) => s.h?.[lo] ?? s.v[lo]!, false),
} satisfies Record<string, FunctionImpl>;

/** Functions whose arguments may carry native histograms; the evaluator refuses them elsewhere. */
export const histogramAwareFunctions: ReadonlySet<string> = new Set([
  ...Object.keys(nativeHistogramFunctions),
  'histogram_quantile',
  'histogram_quantiles',
  'histogram_fraction',
  // These move whole series (labels or order) or read presence or timestamps only.
  'label_replace',
  'label_join',
  'timestamp',
  'sort_by_label',
  'sort_by_label_desc',
  'absent',
  'absent_over_time',
  'ts_of_last_over_time',
  'ts_of_first_over_time',
]);

/** Instant-vector functions over float values: histogram samples are dropped silently, as in Prometheus. */
export const histogramDroppingFunctions: ReadonlySet<string> = new Set([
  'abs', 'ceil', 'floor', 'exp', 'sqrt', 'ln', 'log2', 'log10', 'round', 'sgn', 'clamp', 'clamp_min', 'clamp_max',
  'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh', 'deg', 'rad',
  'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year',
  'scalar', 'sort', 'sort_desc',
]);

/**
 * Range functions over float values: histogram samples are left out, and a window holding both
 * kinds gets Prometheus' info annotation.
 */
export const histogramIgnoringRangeFunctions: ReadonlySet<string> = new Set([
  'min_over_time', 'max_over_time', 'stddev_over_time', 'stdvar_over_time', 'mad_over_time', 'quantile_over_time',
  'deriv', 'predict_linear', 'ts_of_min_over_time', 'ts_of_max_over_time', 'double_exponential_smoothing',
]);

/** Whether some step's window of `s` holds both floats and histograms. */
export function mixedWindow(s: RangeSeries, m: MatrixValue): boolean {
  if (s.h === undefined) return false;
  for (const end of m.ends) {
    let floats = 0;
    let hists = 0;
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i]!;
      if (t <= end - m.range || t > end) continue;
      if (s.h[i] === undefined) floats++;
      else hists++;
    }
    if (floats > 0 && hists > 0) return true;
  }
  return false;
}
