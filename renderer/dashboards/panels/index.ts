/**
 * Panel type → component. Types not listed are drawn by UnsupportedPanel; `graph` and
 * `singlestat` (older Grafana) are drawn as time series and stat if an import left them.
 */
import { createElement, lazy, Suspense, type ComponentType } from 'react';
import type { PanelProps } from './panel-props.js';
import { TimeSeriesPanel } from './TimeSeriesPanel.js';
import { StatPanel } from './StatPanel.js';
import { GaugePanel } from './GaugePanel.js';
import { BarGaugePanel } from './BarGaugePanel.js';
import { TablePanel } from './TablePanel.js';
import { HeatmapPanel } from './HeatmapPanel.js';
import { topologyPanelType } from '../../../app/dashboards/topology-panel.js';

/**
 * A panel kind that brings a library of its own (text: Markdown and its sanitiser; topology: the
 * graph view) lives in its own chunk, fetched when a panel of that kind is first drawn, so
 * dashboards without one do not parse it before their first paint.
 */
function lazyPanel(load: () => Promise<ComponentType<PanelProps>>): ComponentType<PanelProps> {
  const Lazy = lazy(() => load().then((component) => ({ default: component })));
  const Panel = (props: PanelProps) => createElement(Suspense, { fallback: null }, createElement(Lazy, props));
  return Panel;
}

const TextPanel = lazyPanel(() => import('./TextPanel.js').then((m) => m.TextPanel));
const TopologyPanel = lazyPanel(() => import('./TopologyPanel.js').then((m) => m.TopologyPanel));

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
