/**
 * `anchored` / `smoothed` rate, increase and delta over windows that hold native histograms
 * (extended-range.ts has the float rules and the window edges). The edges are histograms picked
 * or interpolated between the samples around the window's start and end (counter aware: across
 * a reset the counter restarts from zero, so the later histogram is scaled down); resets inside
 * the window add the histogram before them, as for floats. Two cases differ from a plain
 * comparison because a histogram's reset hint says "reset" whatever it is compared with: the
 * first sample after a left edge interpolated across its reset, and a right edge interpolated
 * across the same reset as the left one, are not counted again.
 */
import type { PosRange } from '../../../app/promql/ast.js';
import type { NativeHistogram } from '../../tsdb/interface.js';
import { getLabel, metricNameLabel, type Labels } from '../../tsdb/labels.js';
import { edgeIndices, extendedRateWindow, innerRange, interpolateHistogram } from '../extended-range.js';
import { combineHistograms, compactHistogram, detectReset, HistogramLayoutError, newNotes, scaleHistogram, usesCustomBuckets, withHint } from '../histogram.js';
import type { MatrixValue, RangeSeries } from '../value.js';
import type { FnCall } from './types.js';

const nameOf = (labels: Labels): string => JSON.stringify(getLabel(labels, metricNameLabel));

/** One window of an anchored / smoothed rate-like function over a series that holds histograms. */
export function extendedHistogramRate(c: FnCall, m: MatrixValue, s: RangeSeries, lo: number, hi: number, end: number, isCounter: boolean, isRate: boolean, pos: PosRange): number | NativeHistogram | null {
  const smoothed = m.extended!.smoothed;
  const rangeStart = end - m.range;
  const ix = edgeIndices(s.t, lo, hi, rangeStart, end, smoothed);
  if (ix === null) return null;
  const { first, last } = ix;
  const hs = s.h!;
  let hists = 0;
  for (let i = first; i <= last; i++) if (hs[i] !== undefined) hists++;
  if (hists === 0) return extendedRateWindow(s, lo, hi, end, m.range, smoothed, isCounter, isRate);
  if (hists !== last - first + 1) {
    c.env.annotations.warn(`encountered a mix of histograms and floats for metric name ${nameOf(s.labels)}`, pos);
    return null;
  }
  const layout = (): null => {
    c.env.annotations.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${nameOf(s.labels)}`, pos);
    return null;
  };
  const custom = usesCustomBuckets(hs[first]!);
  for (let i = first; i <= last; i++) if (usesCustomBuckets(hs[i]!) !== custom) return layout();
  if (isCounter) {
    for (let i = first; i <= last; i++) {
      if (hs[i]!.counterResetHint !== 'gauge') continue;
      c.env.annotations.warn(`this native histogram metric is not a counter: ${nameOf(s.labels)}`, pos);
      break;
    }
  } else if (hs[first]!.counterResetHint !== 'gauge' || hs[last]!.counterResetHint !== 'gauge') {
    c.env.annotations.warn(`this native histogram metric is not a gauge: ${nameOf(s.labels)}`, pos);
  }
  const notes = newNotes();
  try {
    const leftInterp = smoothed && s.t[first]! < rangeStart;
    const rightInterp = smoothed && last > lo && s.t[last]! > end;
    const left = leftInterp ? interpolateHistogram(s, first, first + 1, rangeStart, isCounter, notes) : hs[first]!;
    const right = rightInterp ? interpolateHistogram(s, last - 1, last, end, isCounter, notes) : hs[last]!;
    let h = combineHistograms(right, left, -1, notes);
    if (isCounter) {
      const leftAcrossReset = leftInterp && detectReset(hs[first + 1]!, hs[first]!);
      const [a, b] = innerRange(s.t, first, last, rangeStart, end);
      let prev = left;
      for (let i = a; i <= b; i++) {
        const cur = hs[i]!;
        if (!(i === first + 1 && leftAcrossReset) && detectReset(cur, prev)) h = combineHistograms(h, prev, 1, notes);
        prev = cur;
      }
      const sameReset = leftAcrossReset && rightInterp && first + 1 === last;
      if (!sameReset && detectReset(right, prev)) h = combineHistograms(h, prev, 1, notes);
    }
    if (notes.customReconciled) c.env.annotations.info('mismatched custom buckets were reconciled during subtraction', pos);
    if (isRate) h = scaleHistogram(h, 1000 / m.range);
    return compactHistogram(withHint(h, 'gauge'));
  } catch (e) {
    if (!(e instanceof HistogramLayoutError)) throw e;
    return layout();
  }
}
