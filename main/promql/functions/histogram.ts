/**
 * Histogram functions over classic histograms (`le` buckets as float series) and native ones:
 * histogram_quantile, histogram_quantiles and histogram_fraction read both; the native-only
 * functions (histogram_count, _sum, _avg, _stddev, _stdvar) are in ./native-histogram.ts.
 */
import type { PosRange } from '../../../app/promql/ast.js';
import type { Labels } from '../../tsdb/labels.js';
import { getLabel, labelsKey, metricNameLabel, normalizeLabels } from '../../tsdb/labels.js';
import { NotSupportedError } from '../errors.js';
import type { NativeHistogram } from '../histogram.js';
import { histogramFraction as nativeFraction, histogramQuantile as nativeQuantile, observationsInBuckets } from '../histogram.js';
import type { Bucket } from '../mathutil.js';
import { bucketFraction, bucketQuantile, parseGoFloat } from '../mathutil.js';
import { formatGoFloatFixed } from '../../util/go-float.js';
import type { EvalValue, StepSeries } from '../value.js';
import { newStepSeries } from '../value.js';
import { scalarArg, stringArg, vector, vectorArg } from './helpers.js';
import type { FnCall, FunctionImpl } from './types.js';

interface BucketGroup {
  readonly labels: Labels;
  readonly members: { s: StepSeries; le: number }[];
  dropName: boolean;
}

/** Series identity without the metric name and `le`: a classic group and a native series that share it collide. */
function signature(labels: Labels): string {
  return labelsKey(labels.filter((l) => l.name !== 'le' && l.name !== metricNameLabel));
}

/**
 * Groups classic buckets (series with `le`) by their other labels and reduces each group's
 * buckets per step; malformed `le` values are warned about and skipped, as in Prometheus.
 * Native histogram samples go to `native` instead; where a native histogram and a classic group
 * share their labels (the metric name aside) at a step, both are dropped with Prometheus' warning.
 */
function overBucketGroups(
  c: FnCall,
  vecArg: number,
  reduce: (buckets: Bucket[], step: number) => number,
  afterGroup?: (g: BucketGroup, forced: boolean) => void,
  native?: (h: NativeHistogram, step: number, s: StepSeries) => number | null,
): EvalValue {
  const input = vectorArg(c, vecArg);
  const n = c.grid.length;
  const vecPos = c.call.args[vecArg]?.pos ?? c.call.pos;
  const groups = new Map<string, BucketGroup>();
  const natives: StepSeries[] = [];
  for (const s of input.series) {
    if (s.h !== undefined) natives.push(s);
    if (s.h !== undefined && s.h.every((h, i) => h !== undefined || !s.has[i])) continue;
    const leText = getLabel(s.labels, 'le');
    const le = leText === '' ? NaN : parseGoFloat(leText);
    if (Number.isNaN(le)) {
      c.env.annotations.warn(`bucket label "le" is missing or has a malformed value of ${JSON.stringify(leText)} for metric name ${JSON.stringify(getLabel(s.labels, metricNameLabel))}`, vecPos);
      continue;
    }
    const labels = s.labels.filter((l) => l.name !== 'le');
    const key = labelsKey(labels);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, members: [], dropName: true }));
    g.members.push({ s, le });
  }
  // Steps where a native histogram and a classic group with the same identity meet.
  const nativeAt = new Map<string, Uint8Array>();
  for (const s of natives) {
    const sig = signature(s.labels);
    const at = nativeAt.get(sig) ?? new Uint8Array(n);
    for (let i = 0; i < n; i++) if (s.has[i] && s.h![i] !== undefined) at[i] = 1;
    nativeAt.set(sig, at);
  }
  const conflict = new Map<string, Uint8Array>();
  for (const g of groups.values()) {
    const sig = signature(g.labels);
    const at = nativeAt.get(sig);
    if (!at) continue;
    const both = new Uint8Array(n);
    let anyBoth = false;
    for (let i = 0; i < n; i++) {
      if (at[i] && g.members.some((m) => m.s.has[i] && m.s.h?.[i] === undefined)) {
        both[i] = 1;
        anyBoth = true;
      }
    }
    if (!anyBoth) continue;
    conflict.set(sig, both);
    c.env.annotations.warn(`vector contains a mix of classic and native histograms for metric name ${JSON.stringify(getLabel(g.labels, metricNameLabel).replace(/_bucket$/, ''))}`, vecPos);
  }
  const out: StepSeries[] = [];
  if (native) {
    for (const s of natives) {
      const clash = conflict.get(signature(s.labels));
      const r = newStepSeries(s.labels, n, true);
      let any = false;
      for (let i = 0; i < n; i++) {
        const h = s.h![i];
        if (!s.has[i] || h === undefined || clash?.[i]) continue;
        const y = native(h, i, s);
        if (y === null) continue;
        r.v[i] = y;
        r.has[i] = 1;
        any = true;
      }
      if (any) out.push(r);
    }
  }
  for (const g of groups.values()) {
    c.env.check();
    const clash = conflict.get(signature(g.labels));
    const r = newStepSeries(g.labels, n, true);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (clash?.[i]) continue;
      const buckets: Bucket[] = [];
      for (const m of g.members) if (m.s.has[i] && m.s.h?.[i] === undefined) buckets.push({ upperBound: m.le, count: m.s.v[i]! });
      if (buckets.length === 0) continue;
      r.v[i] = reduce(buckets, i);
      r.has[i] = 1;
      any = true;
    }
    afterGroup?.(g, false);
    if (any) out.push(r);
  }
  return vector(out);
}

function warnQuantiles(c: FnCall, q: Float64Array): void {
  const qPos = c.call.args[0]?.pos ?? c.call.pos;
  const warned = new Set<number>();
  for (const x of q) {
    if (!(x >= 0 && x <= 1) && !warned.has(x)) {
      warned.add(x);
      c.env.annotations.warn(`quantile value should be between 0 and 1, got ${formatGoFloatFixed(x)}`, qPos);
    }
  }
}

function monotonicInfo(c: FnCall, labels: Labels, pos: PosRange): void {
  c.env.annotations.info(
    `input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name ${JSON.stringify(getLabel(labels, metricNameLabel))}`,
    pos,
  );
}

function histogramQuantile(c: FnCall): EvalValue {
  const q = scalarArg(c, 0);
  warnQuantiles(c, q);
  const vecPos = c.call.args[1]?.pos ?? c.call.pos;
  let forced = false;
  return overBucketGroups(
    c,
    1,
    (buckets, i) => {
      const res = bucketQuantile(q[i]!, buckets);
      if (res.forcedMonotonic) forced = true;
      return res.value;
    },
    (g) => {
      if (forced) monotonicInfo(c, g.labels, vecPos);
      forced = false;
    },
    (h, i, s) => {
      if (Number.isNaN(h.sum) && h.count > 0) nanObservationsInfo(c, s.labels, q[i]!, h, vecPos);
      return nativeQuantile(q[i]!, h);
    },
  );
}

/**
 * Prometheus' info for histograms with NaN observations (their sum is NaN and their buckets hold
 * fewer observations than the count): the quantile is skewed towards the top, or NaN when it lies
 * among the NaN observations.
 */
function nanObservationsInfo(c: FnCall, labels: Labels, q: number, h: NativeHistogram, pos: PosRange): void {
  const inBuckets = observationsInBuckets(h);
  if (!(inBuckets < h.count)) return;
  const name = JSON.stringify(getLabel(labels, metricNameLabel));
  const result = q * h.count > inBuckets ? 'result is NaN' : 'result is skewed higher';
  c.env.annotations.info(`input to histogram_quantile has NaN observations, ${result} for metric name ${name}`, pos);
}

/** Several quantiles at once; each output series carries its φ in the named label. */
function histogramQuantiles(c: FnCall): EvalValue {
  const label = stringArg(c, 1);
  const out: StepSeries[] = [];
  const forced = new Set<string>();
  for (let k = 2; k < c.args.length; k++) {
    const q = scalarArg(c, k);
    const qPos = c.call.args[k]?.pos ?? c.call.pos;
    const seen = new Set<number>();
    for (const x of q) {
      if (!(x >= 0 && x <= 1) && !seen.has(x)) {
        seen.add(x);
        c.env.annotations.warn(`quantile value should be between 0 and 1, got ${formatGoFloatFixed(x)}`, qPos);
      }
    }
    const res = overBucketGroups(
      c,
      0,
      (buckets, i) => {
        const r = bucketQuantile(q[i]!, buckets);
        if (r.forcedMonotonic) forced.add('');
        return r.value;
      },
      (g) => {
        if (forced.size > 0) monotonicInfo(c, g.labels, c.call.args[0]?.pos ?? c.call.pos);
        forced.clear();
      },
      (h, i, s) => {
        if (Number.isNaN(h.sum) && h.count > 0) nanObservationsInfo(c, s.labels, q[i]!, h, c.call.args[0]?.pos ?? c.call.pos);
        return nativeQuantile(q[i]!, h);
      },
    );
    if (res.kind !== 'vector') continue;
    const text = formatGoFloatFixed(q[0]!);
    const qText = /^-?\d+$/.test(text) ? `${text}.0` : text;
    for (const s of res.series) out.push({ ...s, labels: normalizeLabels([...s.labels, { name: label, value: qText }]) });
  }
  return vector(out);
}

function histogramFraction(c: FnCall): EvalValue {
  const lower = scalarArg(c, 0);
  const upper = scalarArg(c, 1);
  return overBucketGroups(
    c,
    2,
    (buckets, i) => bucketFraction(lower[i]!, upper[i]!, buckets),
    undefined,
    (h, i, s) => {
      if (Number.isNaN(h.sum) && h.count > observationsInBuckets(h)) {
        const name = JSON.stringify(getLabel(s.labels, metricNameLabel));
        c.env.annotations.info(`input to histogram_fraction has NaN observations, which are excluded from all fractions for metric name ${name}`, c.call.args[2]?.pos ?? c.call.pos);
      }
      return nativeFraction(lower[i]!, upper[i]!, h);
    },
  );
}

export const histogramFunctions = {
  histogram_quantile: histogramQuantile,
  histogram_fraction: histogramFraction,
  histogram_quantiles: histogramQuantiles,
  // info() needs storage access and an unevaluated selector argument: see ../info.ts.
  info: (): EvalValue => {
    throw new NotSupportedError('info() is evaluated by the evaluator, not through the function table');
  },
  start_timestamp: (): EvalValue => {
    throw new NotSupportedError('not supported: start_timestamp() (experimental; start timestamps are not stored)');
  },
  integral: (): EvalValue => {
    throw new NotSupportedError('not supported: integral() (experimental)');
  },
} satisfies Record<string, FunctionImpl>;
