/**
 * Panel type → component. Types not listed are drawn by UnsupportedPanel; `graph` and
 * `singlestat` (older Grafana) are drawn as time series and stat if an import left them.
 */
import type { ComponentType } from 'react';
import type { PanelProps } from './panel-props.js';
import { TimeSeriesPanel } from './TimeSeriesPanel.js';
import { StatPanel } from './StatPanel.js';
import { GaugePanel } from './GaugePanel.js';
import { BarGaugePanel } from './BarGaugePanel.js';
import { TablePanel } from './TablePanel.js';
import { HeatmapPanel } from './HeatmapPanel.js';
import { TextPanel } from './TextPanel.js';
import { TopologyPanel } from './TopologyPanel.js';
import { topologyPanelType } from '../../../app/dashboards/topology-panel.js';

export const panelComponents: Readonly<Record<string, ComponentType<PanelProps>>> = {
  timeseries: TimeSeriesPanel,
  graph: TimeSeriesPanel,
  stat: StatPanel,
  singlestat: StatPanel,
  gauge: GaugePanel,
  bargauge: BarGaugePanel,
  table: TablePanel,
  heatmap: HeatmapPanel,
  text: TextPanel,
  [topologyPanelType]: TopologyPanel,
};

/** Panels that draw without querying. */
export const staticPanelTypes: ReadonlySet<string> = new Set(['text']);
