/** Functions over range vectors: rates, deltas, counters, *_over_time, regression. */
import { KahanSum, kahanMean } from '../kahan.js';
import { linearRegression, quantile } from '../mathutil.js';
import { formatGoFloatFixed } from '../../util/go-float.js';
import { anchoredIndices, extendedRateWindow } from '../extended-range.js';
import { rateSteps, rateWindowOf } from '../../tsdb/step-kernels.js';
import type { EvalValue, RangeSeries, StepSeries } from '../value.js';
import { newStepSeries } from '../value.js';
import type { WindowFn } from './helpers.js';
import { matrixArg, overWindows, scalarArg, vector } from './helpers.js';
import type { FnCall, FunctionImpl } from './types.js';

const over = (f: WindowFn, dropName = true): FunctionImpl => (c) => overWindows(c, matrixArg(c, 0), f, dropName);

/** Prometheus' extrapolatedRate for rate / increase / delta over the float window [lo, hi). */
export function rateWindow(s: RangeSeries, lo: number, hi: number, end: number, range: number, isCounter: boolean, isRate: boolean): number | null {
  return hi - lo < 2 ? null : rateWindowOf(s.t, s.v, lo, hi, end, range, isCounter, isRate);
}

/**
 * overWindows with rateWindow called directly: the one call site stays monomorphic, so V8
 * inlines it and no boxed number is allocated per step (the generic path's window callback
 * returned one per step: a quarter of a wide rate's time went to it and to the GC).
 */
async function extrapolatedRate(c: FnCall, isCounter: boolean, isRate: boolean): Promise<EvalValue> {
  const m = matrixArg(c, 0);
  if (m.extended) return overWindows(c, m, (s, lo, hi, end) => extendedRateWindow(s, lo, hi, end, m.range, m.extended!.smoothed, isCounter, isRate));
  const n = c.grid.length;
  const { ends, range } = m;
  const out: StepSeries[] = [];
  let done = 0;
  for (const s of m.series) {
    if ((++done & 7) === 0 && c.env.due()) await c.env.pause();
    const r = newStepSeries(s.labels, n, true);
    if (rateSteps(s.t, s.v, s.t.length, ends, range, isCounter, isRate, r.v, r.has, 0) > 0) out.push(r);
  }
  return vector(out);
}

/**
 * changes() / resets(): `step(s, i, j)` is 1 for a change / reset from sample i to sample j, over
 * the window's samples, or over an anchored window's points (extended-range.ts).
 */
export function counting(step: (s: RangeSeries, i: number, j: number) => number): FunctionImpl {
  const plain = over((s, lo, hi) => {
    let n = 0;
    for (let i = lo + 1; i < hi; i++) n += step(s, i - 1, i);
    return n;
  });
  return (c) => {
    const m = matrixArg(c, 0);
    if (!m.extended) return plain(c);
    return overWindows(c, m, (s, lo, hi, end) => {
      const ix = anchoredIndices(s, lo, hi, end, m.range);
      if (ix === null) return null;
      let n = 0;
      for (let k = 1; k < ix.length; k++) n += step(s, ix[k - 1]!, ix[k]!);
      return n;
    });
  };
}

function instantValue(isRate: boolean): FunctionImpl {
  return over((s, lo, hi) => {
    if (hi - lo < 2) return null;
    const last = s.v[hi - 1]!;
    const prev = s.v[hi - 2]!;
    const interval = s.t[hi - 1]! - s.t[hi - 2]!;
    if (interval === 0) return null;
    let result = isRate && last < prev ? last : last - prev;
    if (isRate) result /= interval / 1000;
    return result;
  });
}

export function sumWindow(s: RangeSeries, lo: number, hi: number): number {
  const k = new KahanSum();
  for (let i = lo; i < hi; i++) k.add(s.v[i]!);
  return k.value();
}

/** Direct mean with Kahan; switches to an incremental mean if the sum would overflow. */
export function avgWindow(s: RangeSeries, lo: number, hi: number): number {
  return kahanMean(s.v, lo, hi);
}

function varianceWindow(s: RangeSeries, lo: number, hi: number): number {
  let count = 0;
  const mean = new KahanSum();
  const aux = new KahanSum();
  for (let i = lo; i < hi; i++) {
    const x = s.v[i]!;
    count++;
    const delta = x - (mean.sum + mean.c);
    mean.add(delta / count);
    aux.add(delta * (x - (mean.sum + mean.c)));
  }
  return (aux.sum + aux.c) / count;
}

function windowValues(s: RangeSeries, lo: number, hi: number): number[] {
  return Array.from(s.v.subarray(lo, hi));
}

export const rangeFunctions = {
  rate: (c: FnCall) => extrapolatedRate(c, true, true),
  increase: (c: FnCall) => extrapolatedRate(c, true, false),
  delta: (c: FnCall) => extrapolatedRate(c, false, false),
  irate: instantValue(true),
  idelta: instantValue(false),
  deriv: over((s, lo, hi) => (hi - lo < 2 ? null : linearRegression(s.t, s.v, lo, hi, s.t[lo]!)[0])),
  predict_linear: (c: FnCall) => {
    const dur = scalarArg(c, 1);
    return overWindows(c, matrixArg(c, 0), (s, lo, hi, _end, i) => {
      if (hi - lo < 2) return null;
      const [slope, intercept] = linearRegression(s.t, s.v, lo, hi, c.grid[i]!);
      return slope * dur[i]! + intercept;
    });
  },
  resets: counting((s, i, j) => (s.v[j]! < s.v[i]! ? 1 : 0)),
  changes: counting((s, i, j) => {
    const a = s.v[j]!;
    const b = s.v[i]!;
    return a === b || (Number.isNaN(a) && Number.isNaN(b)) ? 0 : 1;
  }),
  sum_over_time: over(sumWindow),
  avg_over_time: over(avgWindow),
  count_over_time: over((_s, lo, hi) => hi - lo),
  min_over_time: over((s, lo, hi) => {
    let m = s.v[lo]!;
    for (let i = lo + 1; i < hi; i++) if (s.v[i]! < m || Number.isNaN(m)) m = s.v[i]!;
    return m;
  }),
  max_over_time: over((s, lo, hi) => {
    let m = s.v[lo]!;
    for (let i = lo + 1; i < hi; i++) if (s.v[i]! > m || Number.isNaN(m)) m = s.v[i]!;
    return m;
  }),
  stdvar_over_time: over(varianceWindow),
  stddev_over_time: over((s, lo, hi) => Math.sqrt(varianceWindow(s, lo, hi))),
  last_over_time: over((s, _lo, hi) => s.v[hi - 1]!, false),
  first_over_time: over((s, lo) => s.v[lo]!, false),
  present_over_time: over(() => 1),
  ts_of_last_over_time: over((s, _lo, hi) => s.t[hi - 1]! / 1000),
  ts_of_first_over_time: over((s, lo) => s.t[lo]! / 1000),
  ts_of_max_over_time: over((s, lo, hi) => {
    let m = lo;
    for (let i = lo + 1; i < hi; i++) if (s.v[i]! >= s.v[m]! || Number.isNaN(s.v[m]!)) m = i;
    return s.t[m]! / 1000;
  }),
  ts_of_min_over_time: over((s, lo, hi) => {
    let m = lo;
    for (let i = lo + 1; i < hi; i++) if (s.v[i]! <= s.v[m]! || Number.isNaN(s.v[m]!)) m = i;
    return s.t[m]! / 1000;
  }),
  mad_over_time: over((s, lo, hi) => {
    const vals = windowValues(s, lo, hi);
    if (vals.some((x) => Number.isNaN(x))) return NaN;
    const median = quantile(0.5, vals);
    return quantile(0.5, vals.map((x) => Math.abs(x - median)));
  }),
  quantile_over_time: (c: FnCall) => {
    const q = scalarArg(c, 0);
    const warned = new Set<number>();
    for (const x of q) {
      if (!(x >= 0 && x <= 1) && !warned.has(x)) {
        warned.add(x);
        c.env.annotations.warn(`quantile value should be between 0 and 1, got ${formatGoFloatFixed(x)}`, c.call.args[0]?.pos ?? c.call.pos);
      }
    }
    return overWindows(c, matrixArg(c, 1), (s, lo, hi, _end, i) => quantile(q[i]!, windowValues(s, lo, hi)));
  },
  double_exponential_smoothing: (c: FnCall) => {
    const sf = scalarArg(c, 1);
    const tf = scalarArg(c, 2);
    return overWindows(c, matrixArg(c, 0), (s, lo, hi, _end, i) => {
      const a = sf[i]!;
      const b = tf[i]!;
      if (!(a > 0 && a < 1) || !(b > 0 && b < 1) || hi - lo < 2) return null;
      let s0 = 0;
      let s1 = s.v[lo]!;
      let trend = s.v[lo + 1]! - s.v[lo]!;
      for (let k = lo + 1; k < hi; k++) {
        const x = s.v[k]!;
        if (k > lo + 1) trend = b * (s1 - s0) + (1 - b) * trend;
        s0 = s1;
        s1 = a * x + (1 - a) * (s0 + trend);
      }
      return s1;
    });
  },
} satisfies Record<string, FunctionImpl>;
