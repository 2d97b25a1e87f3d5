/**
 * Turns engine results into what the chart and table draw. This is the one place data is
 * reshaped for display (wire values → numbers, stacking, labels, colours), so charts stay dumb.
 */
import type { AlignedData } from 'uplot';
import type { ColumnValues, RangeColumns } from '../api/range-columns.js';

const palette = ['#4ea1ff', '#3ecf8e', '#f5b942', '#ff6b6b', '#b48cff', '#4fd1c5', '#f687b3', '#a3e635', '#fb923c', '#94a3b8'];

export function colorFor(index: number): string {
  return palette[index % palette.length]!;
}

/** `up{instance="a", job="b"}`, Prometheus' way of naming a series. */
export function seriesName(labels: Readonly<Record<string, string>>): string {
  const name = labels['__name__'] ?? '';
  const rest = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(', ');
  return rest === '' ? name || '{}' : `${name}{${rest}}`;
}

interface PlotSeries {
  panel: number;
  label: string;
  labels: Record<string, string>;
  color: string;
  /** Float64Array when the series has no gaps; null marks a gap otherwise. */
  values: ColumnValues;
}

export interface PlotData {
  timestamps: Float64Array;
  series: PlotSeries[];
}

/** Merges the results of several query panels onto one time axis (they share start/end/step). */
export function mergeRange(results: ReadonlyArray<{ panel: number; result: RangeColumns } | null>): PlotData {
  const first = results.find((r) => r !== null);
  const timestamps = first ? first.result.timestamps : new Float64Array(0);
  const series: PlotSeries[] = [];
  for (const r of results) {
    if (!r) continue;
    for (const s of r.result.series) {
      series.push({ panel: r.panel, label: seriesName(s.labels), labels: s.labels, color: colorFor(series.length), values: s.values });
    }
  }
  return { timestamps, series };
}

/**
 * uPlot columns: x in seconds, then each series. `true` (or `'normal'`) stacks the visible series
 * bottom-up; `'percent'` stacks each one's share of the visible total at that time (Grafana's
 * `stacking.mode: percent`: value ÷ sum of |values|, so the top reaches 1; a time where every
 * value is 0 or missing stays unstacked at 0).
 */
export function toAligned(data: PlotData, stacked: boolean | 'normal' | 'percent', hidden: ReadonlySet<string>): AlignedData {
  const xs = new Float64Array(data.timestamps.length);
  for (let i = 0; i < xs.length; i++) xs[i] = data.timestamps[i]! / 1000;
  if (stacked === false) return [xs, ...data.series.map((s) => s.values)];
  const visible = data.series.filter((s) => !hidden.has(s.label));
  let total: Float64Array | null = null;
  if (stacked === 'percent') {
    const sums = new Float64Array(xs.length);
    for (const s of visible)
      for (let i = 0; i < xs.length; i++) {
        const v = s.values[i];
        if (v !== null && v !== undefined && Number.isFinite(v)) sums[i]! += Math.abs(v);
      }
    total = sums;
  }
  const acc = new Float64Array(xs.length);
  return [
    xs,
    ...data.series.map((s): ColumnValues => {
      if (hidden.has(s.label)) return s.values;
      const v = s.values;
      const add = (x: number, i: number) => (acc[i]! += total === null ? x : total[i] === 0 ? 0 : x / total[i]!);
      if (v instanceof Float64Array) {
        const out = new Float64Array(v.length);
        for (let i = 0; i < v.length; i++) out[i] = Number.isFinite(v[i]!) ? add(v[i]!, i) : v[i]!;
        return out;
      }
      return v.map((x, i) => (x === null || !Number.isFinite(x) ? x : add(x, i)));
    }),
  ];
}

/** CSV of what is shown: one row per timestamp, one column per visible series. */
export function toCsv(data: PlotData, hidden: ReadonlySet<string>): string {
  const visible = data.series.filter((s) => !hidden.has(s.label));
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const rows = [['timestamp', ...visible.map((s) => quote(s.label))].join(',')];
  data.timestamps.forEach((t, i) => {
    rows.push([new Date(t).toISOString(), ...visible.map((s) => (s.values[i] === null ? '' : String(s.values[i])))].join(','));
  });
  return rows.join('\n') + '\n';
}
