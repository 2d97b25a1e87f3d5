/**
 * `load_with_nhcb`: besides the classic series, each classic histogram (X_bucket{le} with
 * optional X_count and X_sum, same other labels) is stored as a native histogram with custom
 * buckets (schema −53) named X, as Prometheus' test loader does through its NHCB conversion. The
 * finite `le` bounds become the custom values; bucket counts are the differences of the
 * cumulative ones; the count is X_count (else the highest bucket) and the sum X_sum (else 0).
 */
import type { HistogramBucket, NativeHistogram } from '../../tsdb/interface.js';
import type { Labels } from '../../tsdb/labels.js';
import { getLabel, labelsKey, metricNameLabel } from '../../tsdb/labels.js';
import { customBucketsSchema } from '../histogram.js';
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
    for (let i = 0; i < steps; i++) {
      // Cumulative count per distinct bound at this step (spellings of one bound, like 0.2 and 2e-1, merge).
      const byLe = new Map<number, number>();
      for (const b of g.buckets) {
        const v = b.line.values[i];
        if (v === undefined || v.omitted || v.histogram !== undefined) continue;
        byLe.set(b.le, Math.max(byLe.get(b.le) ?? -Infinity, v.value));
      }
      if (byLe.size === 0) continue;
      const bounds = [...byLe.keys()].filter((x) => x !== Infinity).sort((a, b) => a - b);
      // Without a +Inf bucket the highest bound's cumulative count is the total.
      const all = byLe.has(Infinity) ? [...bounds, Infinity] : bounds;
      const inf = byLe.get(all[all.length - 1]!)!;
      const positive: HistogramBucket[] = [];
      let prev = 0;
      all.forEach((le, index) => {
        const cum = byLe.get(le)!;
        positive.push({ index, count: cum - prev });
        prev = cum;
      });
      const count = g.count?.values[i];
      const sum = g.sum?.values[i];
      values.set(i, {
        schema: customBucketsSchema,
        zeroThreshold: 0,
        zeroCount: 0,
        count: count !== undefined && !count.omitted ? count.value : inf,
        sum: sum !== undefined && !sum.omitted ? sum.value : 0,
        positive,
        negative: [],
        customValues: bounds,
        counterResetHint: 'unknown',
      });
    }
    if (values.size > 0) out.push({ labels: g.labels, values });
  }
  return out;
}
