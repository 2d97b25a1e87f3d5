/**
 * `load_with_nhcb`: besides the classic series, each classic histogram (X_bucket{le} with
 * optional X_count and X_sum, same other labels) is stored as a native histogram with custom
 * buckets (schema −53) named X, as Prometheus' test loader does through its NHCB conversion — the
 * same conversion the scrape applies for `convert_classic_histograms_to_nhcb`
 * (main/tsdb/classic-histogram.ts), step by step.
 */
import type { NativeHistogram } from '../../tsdb/interface.js';
import { ClassicHistogram, ClassicHistogramError } from '../../tsdb/classic-histogram.js';
import type { Labels } from '../../tsdb/labels.js';
import { getLabel, labelsKey, metricNameLabel } from '../../tsdb/labels.js';
import { parseGoFloat } from '../mathutil.js';
import type { SeriesLine } from '../series-notation.js';

interface ClassicGroup {
  readonly labels: Labels;
  readonly buckets: { le: number; line: SeriesLine }[];
  count?: SeriesLine;
  sum?: SeriesLine;
}

/** The native histograms of a load block's classic histograms, per series, by step index. */
export function classicToNhcb(series: readonly SeriesLine[]): { labels: Labels; values: Map<number, NativeHistogram> }[] {
  const groups = new Map<string, ClassicGroup>();
  for (const line of series) {
    const m = /^(.*)_(bucket|count|sum)$/.exec(getLabel(line.labels, metricNameLabel));
    if (!m) continue;
    const labels = line.labels.filter((l) => l.name !== 'le').map((l) => (l.name === metricNameLabel ? { name: l.name, value: m[1]! } : l));
    const key = labelsKey(labels);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, buckets: [] }));
    if (m[2] === 'count') g.count = line;
    else if (m[2] === 'sum') g.sum = line;
    else {
      const le = parseGoFloat(getLabel(line.labels, 'le'));
      if (!Number.isNaN(le)) g.buckets.push({ le, line });
    }
  }
  const out: { labels: Labels; values: Map<number, NativeHistogram> }[] = [];
  for (const g of groups.values()) {
    if (g.buckets.length === 0) continue;
    const steps = Math.max(...g.buckets.map((b) => b.line.values.length));
    const values = new Map<number, NativeHistogram>();
    const h = new ClassicHistogram();
    for (let i = 0; i < steps; i++) {
      h.reset();
      let any = false;
      for (const b of g.buckets) {
        const v = b.line.values[i];
        if (v === undefined || v.omitted || v.histogram !== undefined) continue;
        h.setBucket(b.le, v.value);
        any = true;
      }
      if (!any) continue;
      const count = g.count?.values[i];
      if (count !== undefined && !count.omitted) h.setCount(count.value);
      const sum = g.sum?.values[i];
      if (sum !== undefined && !sum.omitted) h.setSum(sum.value);
      try {
        values.set(i, h.toNative());
      } catch (e) {
        // As Prometheus' loader: a step whose samples make no histogram is left out.
        if (!(e instanceof ClassicHistogramError)) throw e;
      }
    }
    if (values.size > 0) out.push({ labels: g.labels, values });
  }
  return out;
}
