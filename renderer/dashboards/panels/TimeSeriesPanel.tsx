import { useMemo } from 'react';
import { TimeSeriesChart, type ChartSeries } from '../../charts/TimeSeriesChart.js';
import { colorFor, type PlotData } from '../../explore/series-data.js';
import { displayOptions, seriesLook } from '../field-config.js';
import { seriesStacking, stackedColumns } from '../stacking.js';
import type { PanelProps } from './panel-props.js';
import { visibleTargets } from '../panel-data.js';
import { useExemplars } from '../../charts/use-exemplars.js';

/**
 * Grafana's time series (and old graph) panel: lines, bars or points, fill, stacking (normal, or
 * percent drawn on a 0–100 % axis; several stack groups per panel), overrides.
 */
export function TimeSeriesPanel({ panel, data, height, onZoom }: PanelProps) {
  const looks = useMemo(() => data.series.map((s) => seriesLook(panel, s.name, s.refId)), [panel, data]);
  const plot: PlotData = useMemo(
    () => ({
      timestamps: data.timestamps,
      series: data.series.map((s, i) => ({ panel: 0, label: s.name, labels: s.labels, color: looks[i]!.color ?? colorFor(i), values: s.values })),
    }),
    [data, looks],
  );
  const hidden = useMemo(() => new Set(plot.series.filter((_, i) => looks[i]!.hidden).map((s) => s.label)), [plot, looks]);
  const stacks = useMemo(() => data.series.map((s) => seriesStacking(panel, s.name, s.refId)), [panel, data]);
  const aligned = useMemo(
    () => stackedColumns(plot.timestamps, plot.series.map((s, i) => ({ values: s.values, stacking: stacks[i]!, hidden: hidden.has(s.label) }))),
    [plot, stacks, hidden],
  );
  const shownStacks = stacks.filter((_, i) => !looks[i]!.hidden);
  // Percent stacking of every series shown draws shares: the axis is then in percent.
  const stacking = shownStacks.length > 0 && shownStacks.every((s) => s.mode === 'percent') ? 'percent' : shownStacks.some((s) => s.mode === 'percent') ? 'mixed' : 'other';
  const series: ChartSeries[] = useMemo(() => plot.series.map((s, i) => ({ label: s.label, color: s.color, show: !looks[i]!.hidden, style: looks[i]!.style })), [plot, looks]);
  const unit = stacking === 'percent' ? 'percentunit' : (displayOptions(panel, data.queries).unit ?? null);
  const legend = (panel.options?.['legend'] as { showLegend?: boolean } | undefined)?.showLegend !== false && series.length <= 12;
  const fromZero = panel.fieldConfig?.defaults.min === 0 || stacking !== 'other';
  // Targets with Grafana's `exemplar: true` show their exemplars; data.queries follows the visible targets' order.
  const exemplarQueries = useMemo(() => {
    const targets = visibleTargets(panel);
    return data.queries.filter((_, i) => targets[i]?.exemplar === true);
  }, [panel, data.queries]);
  const n = data.timestamps.length;
  const exemplars = useExemplars(exemplarQueries, n > 0 ? data.timestamps[0]! : 0, n > 0 ? data.timestamps[n - 1]! : 0, data, unit);
  return (
    <TimeSeriesChart
      data={aligned}
      series={series}
      unit={unit}
      yFromZero={fromZero}
      height={Math.max(60, height - (legend ? 40 : 0))}
      legend={legend}
      exemplars={exemplars.overlay}
      {...(onZoom ? { onZoom } : {})}
    />
  );
}
