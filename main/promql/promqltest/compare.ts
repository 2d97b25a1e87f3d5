/** Result comparison for test scripts: Prometheus' rules (1e-6 relative, NaN = NaN, stale bits). */
import { isStaleNaN } from '../../tsdb/interface.js';
import type { Labels } from '../../tsdb/labels.js';
import { formatLabels, labelsKey } from '../../tsdb/labels.js';
import { almostEqual } from '../mathutil.js';
import { histogramsMatch, histogramText } from '../histogram.js';
import type { NativeHistogram } from '../../tsdb/interface.js';
import type { SequenceValue } from '../series-notation.js';
import type { QueryResultValue, SeriesPoints } from '../value.js';
import type { EvalCmd, ExpectedSeries } from './script.js';

function floatsMatch(expected: number, got: number): boolean {
  if (isStaleNaN(expected) || isStaleNaN(got)) return isStaleNaN(expected) && isStaleNaN(got);
  return almostEqual(expected, got, 1e-6);
}

const show = (v: number): string => (isStaleNaN(v) ? 'stale' : String(v));
const showPoint = (v: number, h: NativeHistogram | undefined): string => (h ? histogramText(h) : show(v));
const showExpected = (e: SequenceValue | undefined): string => (e === undefined ? 'nothing' : showPoint(e.value, e.histogram));

/** Compares one expected value with one result point (float or histogram), as promqltest does. */
function pointMatches(want: SequenceValue, v: number, h: NativeHistogram | undefined): boolean {
  if (want.histogram !== undefined || h !== undefined) {
    if (want.histogram === undefined || h === undefined) return false;
    return histogramsMatch(want.histogram, h, (a, b) => almostEqual(a, b, 1e-6));
  }
  return floatsMatch(want.value, v);
}

function expectedByKey(cmd: EvalCmd): Map<string, ExpectedSeries> {
  const m = new Map<string, ExpectedSeries>();
  for (const e of cmd.expected) m.set(labelsKey(e.labels), e);
  return m;
}

/** Returns null when the result matches, else a short "expected … got …" description. */
export function compareResult(cmd: EvalCmd, res: QueryResultValue, range: { start: number; end: number; step: number } | null): string | null {
  switch (res.type) {
    case 'string':
      if (cmd.expectedString === null) return `expected no string result, got string ${JSON.stringify(res.value)}`;
      return res.value === cmd.expectedString ? null : `expected string ${JSON.stringify(cmd.expectedString)}, got ${JSON.stringify(res.value)}`;
    case 'scalar':
      if (cmd.expectedScalar === null) return `expected vector or matrix result, got scalar ${show(res.v)}`;
      return floatsMatch(cmd.expectedScalar, res.v) ? null : `expected scalar ${show(cmd.expectedScalar)}, got ${show(res.v)}`;
    case 'vector': {
      if (cmd.expectedScalar !== null) return `expected scalar ${show(cmd.expectedScalar)}, got a vector of ${res.samples.length}`;
      if (cmd.expectedString !== null) return `expected string, got a vector`;
      const exp = expectedByKey(cmd);
      const seen = new Set<string>();
      for (let i = 0; i < res.samples.length; i++) {
        const s = res.samples[i]!;
        const key = labelsKey(s.labels);
        const e = exp.get(key);
        if (!e) return `unexpected series ${formatLabels(s.labels)} ${showPoint(s.v, s.h)}`;
        if (cmd.ordered && e.pos !== i + 1) return `expected ${formatLabels(s.labels)} at position ${e.pos}, got it at ${i + 1}`;
        const want = e.values[0];
        if (want === undefined || want.omitted) return `expected no value for ${formatLabels(s.labels)}`;
        if (!pointMatches(want, s.v, s.h)) return `${formatLabels(s.labels)}: expected ${showExpected(want)}, got ${showPoint(s.v, s.h)}`;
        seen.add(key);
      }
      for (const [key, e] of exp) if (!seen.has(key)) return `expected ${formatLabels(e.labels)} ${showExpected(e.values[0])}, not in result`;
      return null;
    }
    case 'matrix': {
      if (cmd.ordered) return 'expected ordered result, but query returned a matrix';
      if (cmd.expectedScalar !== null) return 'expected scalar result, but got matrix';
      const r = range ?? cmd.range;
      if (r === null) return 'unexpected range vector result (no `expect range vector`)';
      for (let i = 1; i < res.series.length; i++) {
        if (compareLabelsOrder(res.series[i - 1]!.labels, res.series[i]!.labels) >= 0) return 'matrix is not sorted by labels';
      }
      const exp = expectedByKey(cmd);
      const seen = new Set<string>();
      for (const s of res.series) {
        const key = labelsKey(s.labels);
        const e = exp.get(key);
        if (!e) return `unexpected series ${formatLabels(s.labels)} ${pointsText(s)}`;
        seen.add(key);
        const wantT: number[] = [];
        const wantV: SequenceValue[] = [];
        for (let i = 0; i < e.values.length; i++) {
          const t = r.start + i * r.step;
          if (t > r.end) return `expected ${e.values.length} points for ${formatLabels(e.labels)}, more than the range has`;
          if (!e.values[i]!.omitted) {
            wantT.push(t);
            wantV.push(e.values[i]!);
          }
        }
        const mismatch = `${formatLabels(s.labels)}: expected ${wantT.map((t, i) => `${showExpected(wantV[i])}@${t / 1000}`).join(' ')}, got ${pointsText(s)}`;
        if (wantT.length !== s.t.length) return mismatch;
        for (let i = 0; i < wantT.length; i++) {
          if (wantT[i] !== s.t[i] || !pointMatches(wantV[i]!, s.v[i]!, s.h?.[i])) return mismatch;
        }
      }
      for (const [key, e] of exp) if (!seen.has(key)) return `expected series ${formatLabels(e.labels)} not in result`;
      return null;
    }
  }
}

function pointsText(s: SeriesPoints): string {
  const parts: string[] = [];
  for (let i = 0; i < s.t.length; i++) parts.push(`${showPoint(s.v[i]!, s.h?.[i])}@${s.t[i]! / 1000}`);
  return parts.join(' ');
}

function compareLabelsOrder(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}
