import { useMemo } from 'react';
import { TimeSeriesChart, type ChartSeries } from '../../charts/TimeSeriesChart.js';
import { colorFor, toAligned, type PlotData } from '../../explore/series-data.js';
import { displayOptions, seriesLook, stackingMode } from '../field-config.js';
import type { PanelProps } from './panel-props.js';

/**
 * Grafana's time series (and old graph) panel: lines, bars or points, fill, stacking (normal, or
 * percent drawn on a 0–100 % axis), overrides.
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
  const stacking = stackingMode(panel);
  const aligned = useMemo(() => toAligned(plot, stacking === 'none' ? false : stacking, hidden), [plot, stacking, hidden]);
  const series: ChartSeries[] = useMemo(() => plot.series.map((s, i) => ({ label: s.label, color: s.color, show: !looks[i]!.hidden, style: looks[i]!.style })), [plot, looks]);
  // Percent stacking draws shares: the axis is in percent whatever the values' unit.
  const unit = stacking === 'percent' ? 'percentunit' : (displayOptions(panel, data.queries).unit ?? null);
  const legend = (panel.options?.['legend'] as { showLegend?: boolean } | undefined)?.showLegend !== false && series.length <= 12;
  const fromZero = panel.fieldConfig?.defaults.min === 0 || stacking === 'percent';
  return <TimeSeriesChart data={aligned} series={series} unit={unit} yFromZero={fromZero} height={Math.max(60, height - (legend ? 40 : 0))} legend={legend} {...(onZoom ? { onZoom } : {})} />;
}
