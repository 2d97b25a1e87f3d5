import { useEffect, useMemo, useRef, useState } from 'react';
import { appHash } from '../../../app/app-urls.js';
import { topologyPanelOptions } from '../../../app/dashboards/topology-panel.js';
import { StableLayout, type Point } from '../../topology/layout.js';
import { TopologyGraph } from '../../topology/TopologyGraph.js';
import { viewOf } from '../../topology/view-model.js';
import type { PanelProps } from './panel-props.js';

/**
 * The topology view as a panel: the graph the panel's data holds (fetched by the panel frame like
 * any panel, at the end of the dashboard's range), filtered by the panel's options, laid out in
 * the worker with positions kept across refreshes. A click opens the Topology page on that node
 * or edge (at the panel's time when it is not live).
 */
export function TopologyPanel({ panel, data, height }: PanelProps) {
  const options = useMemo(() => topologyPanelOptions(panel).options, [panel.options]);
  const graph = data.topology ?? null;
  const view = useMemo(() => (graph ? viewOf(graph.nodes, graph.edges, options) : { nodes: [], edges: [] }), [graph, options]);
  const layout = useRef<StableLayout | null>(null);
  const [positions, setPositions] = useState<ReadonlyMap<string, Point>>(new Map());
  const [layoutError, setLayoutError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    layout.current ??= new StableLayout();
    layout.current
      .place(
        view.nodes.map((n) => n.id),
        view.edges,
      )
      .then((p) => live && p !== null && setPositions(new Map(p)))
      .catch((err: unknown) => live && setLayoutError(String(err)));
    return () => {
      live = false;
    };
  }, [view]);

  const open = (id: string | null) => {
    if (id === null || graph === null) return;
    const live = Date.now() - graph.time < 120_000;
    window.location.hash = appHash({ page: 'topology', select: id, ...(live ? {} : { time: graph.time }) });
  };
  return (
    <div className="dash-topology" data-edges-shown={view.edges.length}>
      {layoutError && <p className="error">{layoutError}</p>}
      {data.warnings.length > 0 && (
        <p className="muted dash-topology-notes" title={data.warnings.join('\n')}>
          {data.warnings.length} note{data.warnings.length > 1 ? 's' : ''}: {data.warnings[0]}
        </p>
      )}
      <TopologyGraph nodes={view.nodes} edges={view.edges} positions={positions} onSelect={open} height={Math.max(80, height - 6 - (data.warnings.length > 0 ? 18 : 0))} />
    </div>
  );
}
