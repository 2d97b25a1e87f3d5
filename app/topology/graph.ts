/**
 * Pure operations on a topology answer shared by the page, exports and dashboards: comparing
 * with an earlier graph, and Grafana's `nodeGraph` panel frames.
 */
import type { TopologyEdge, TopologyNode, TopologyResponse } from '../api/topology.js';

export type EdgeChange = 'new' | 'gone' | 'degraded' | 'same';

/**
 * How each edge changed since `before`: new, gone (only in `before`), degraded (success rate
 * down by more than `drop`, or health worse), or the same.
 */
export function compareGraphs(now: Pick<TopologyResponse, 'edges'>, before: Pick<TopologyResponse, 'edges'>, drop = 0.01): Map<string, EdgeChange> {
  const rank = { good: 0, unknown: 0, warning: 1, poor: 2 } as const;
  const prev = new Map(before.edges.map((e) => [e.id, e]));
  const out = new Map<string, EdgeChange>();
  for (const e of now.edges) {
    const p = prev.get(e.id);
    if (p === undefined) out.set(e.id, 'new');
    else {
      const worse = rank[e.health] > rank[p.health] || (e.successRate !== null && p.successRate !== null && p.successRate - e.successRate > drop);
      out.set(e.id, worse ? 'degraded' : 'same');
    }
  }
  for (const id of prev.keys()) if (!out.has(id)) out.set(id, 'gone');
  return out;
}

/** One data frame as Grafana's panels read it (field names, types and values). */
export interface GrafanaFrame {
  name: string;
  meta: { preferredVisualisationType: 'nodeGraph' };
  fields: Array<{ name: string; type: 'string' | 'number'; values: Array<string | number | null>; config?: { displayName?: string; unit?: string; color?: { mode: 'fixed'; fixedColor: string } } }>;
}

const healthColour = { good: 'green', warning: 'yellow', poor: 'red', unknown: 'gray' } as const;

/**
 * The nodes and edges frames of Grafana's Node Graph panel: nodes with `id`, `title`,
 * `subtitle`, `mainstat`, `secondarystat` and `arc__*` fields (success and failure shares),
 * edges with `id`, `source`, `target`, `mainstat`, `secondarystat`.
 */
export function toNodeGraphFrames(graph: { nodes: readonly TopologyNode[]; edges: readonly TopologyEdge[] }): { nodes: GrafanaFrame; edges: GrafanaFrame } {
  const n = graph.nodes;
  const success = (t: TopologyNode) => t.inbound.rps > 0 ? t.inbound.successRate : t.outbound.successRate;
  const e = graph.edges;
  const meta = { preferredVisualisationType: 'nodeGraph' as const };
  return {
    nodes: {
      name: 'nodes',
      meta,
      fields: [
        { name: 'id', type: 'string', values: n.map((x) => x.id) },
        { name: 'title', type: 'string', values: n.map((x) => x.name) },
        { name: 'subtitle', type: 'string', values: n.map((x) => x.group ?? '') },
        { name: 'mainstat', type: 'number', values: n.map((x) => x.inbound.rps), config: { displayName: 'Requests in', unit: 'reqps' } },
        { name: 'secondarystat', type: 'number', values: n.map((x) => x.outbound.rps), config: { displayName: 'Requests out', unit: 'reqps' } },
        { name: 'arc__success', type: 'number', values: n.map((x) => success(x) ?? 0), config: { displayName: 'Success', color: { mode: 'fixed', fixedColor: healthColour.good } } },
        { name: 'arc__failed', type: 'number', values: n.map((x) => (success(x) === null ? 0 : 1 - success(x)!)), config: { displayName: 'Failed', color: { mode: 'fixed', fixedColor: healthColour.poor } } },
        { name: 'detail__health', type: 'string', values: n.map((x) => x.health), config: { displayName: 'Health' } },
      ],
    },
    edges: {
      name: 'edges',
      meta,
      fields: [
        { name: 'id', type: 'string', values: e.map((x) => x.id) },
        { name: 'source', type: 'string', values: e.map((x) => x.source) },
        { name: 'target', type: 'string', values: e.map((x) => x.target) },
        { name: 'mainstat', type: 'number', values: e.map((x) => x.rps), config: { displayName: 'Requests', unit: 'reqps' } },
        { name: 'secondarystat', type: 'number', values: e.map((x) => x.successRate), config: { displayName: 'Success rate', unit: 'percentunit' } },
        { name: 'detail__p95', type: 'number', values: e.map((x) => x.p95), config: { displayName: 'p95 latency', unit: 'ms' } },
      ],
    },
  };
}
