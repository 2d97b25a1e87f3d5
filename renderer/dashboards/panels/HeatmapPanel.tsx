import { HeatmapCanvas } from '../../charts/HeatmapCanvas.js';
import type { PanelProps } from './panel-props.js';

/** Grafana's heatmap from classic histogram buckets or native histograms: time across, buckets up, colour by count. */
export function HeatmapPanel({ data, width, height }: PanelProps) {
  const hm = data.heatmap;
  if (!hm) return <p className="muted">No histogram buckets (series with an le label) in the result.</p>;
  return <HeatmapCanvas heatmap={hm} width={width} height={height} />;
}
