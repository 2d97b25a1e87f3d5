/**
 * The page's transforms of a topology answer before layout: filters (namespace, minimum rate,
 * only unhealthy, search), focus on a node's n-hop neighbourhood, and grouping by namespace.
 */
import type { Health, TopologyEdge, TopologyNode } from '../../app/api/topology.js';

export interface ViewNode {
  id: string;
  label: string;
  group: string | null;
  kind: TopologyNode['kind'] | 'group';
  health: Health;
  rps: number;
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  rps: number;
  successRate: number | null;
  p95: number | null;
  health: Health;
}

export interface ViewGraph {
  nodes: ViewNode[];
  edges: ViewEdge[];
}

export interface Filters {
  namespace: string;
  minRps: number;
  onlyUnhealthy: boolean;
  search: string;
  focus: string | null;
  hops: number;
  groupByNamespace: boolean;
}

export const defaultFilters: Filters = { namespace: '', minRps: 0, onlyUnhealthy: false, search: '', focus: null, hops: 1, groupByNamespace: false };

const worst = (a: Health, b: Health): Health => {
  const rank = { unknown: 0, good: 1, warning: 2, poor: 3 } as const;
  return rank[a] >= rank[b] ? a : b;
};

export function viewOf(nodes: readonly TopologyNode[], edges: readonly TopologyEdge[], f: Filters): ViewGraph {
  let vn: ViewNode[] = nodes.map((n) => ({ id: n.id, label: n.name, group: n.group, kind: n.kind, health: n.health, rps: n.inbound.rps + n.outbound.rps }));
  let ve: ViewEdge[] = edges.map((e) => ({ id: e.id, source: e.source, target: e.target, rps: e.rps, successRate: e.successRate, p95: e.p95, health: e.health }));
  ve = ve.filter((e) => e.rps >= f.minRps);
  if (f.onlyUnhealthy) ve = ve.filter((e) => e.health === 'warning' || e.health === 'poor');
  if (f.namespace !== '') {
    const inNs = new Set(vn.filter((n) => n.group === f.namespace).map((n) => n.id));
    ve = ve.filter((e) => inNs.has(e.source) || inNs.has(e.target));
  }
  if (f.search.trim() !== '') {
    const s = f.search.trim().toLowerCase();
    const hit = new Set(vn.filter((n) => n.id.toLowerCase().includes(s)).map((n) => n.id));
    ve = ve.filter((e) => hit.has(e.source) || hit.has(e.target));
  }
  if (f.focus !== null) {
    const keep = new Set([f.focus]);
    for (let h = 0; h < f.hops; h++) {
      for (const e of ve) {
        if (keep.has(e.source) || keep.has(e.target)) {
          keep.add(e.source);
          keep.add(e.target);
        }
      }
    }
    ve = ve.filter((e) => keep.has(e.source) && keep.has(e.target));
  }
  const used = new Set(ve.flatMap((e) => [e.source, e.target]));
  const filtered = f.namespace !== '' || f.search.trim() !== '' || f.onlyUnhealthy || f.minRps > 0 || f.focus !== null;
  vn = vn.filter((n) => !filtered || used.has(n.id) || n.id === f.focus);
  if (!f.groupByNamespace) return { nodes: vn, edges: ve };
  // Grouped: one node per namespace (external callers stay one group), edges summed between groups.
  const groupOf = new Map(vn.map((n) => [n.id, `group:${n.group ?? n.id}`]));
  const groups = new Map<string, ViewNode>();
  for (const n of vn) {
    const id = groupOf.get(n.id)!;
    const g = groups.get(id) ?? { id, label: n.group ?? n.label, group: n.group, kind: 'group' as const, health: 'unknown' as Health, rps: 0 };
    g.health = worst(g.health, n.health);
    g.rps += n.rps;
    groups.set(id, g);
  }
  const edgesBy = new Map<string, ViewEdge & { ok: number; okRps: number }>();
  for (const e of ve) {
    const s = groupOf.get(e.source)!;
    const t = groupOf.get(e.target)!;
    if (s === t) continue;
    const id = `${s}->${t}`;
    const g = edgesBy.get(id) ?? { id, source: s, target: t, rps: 0, successRate: null, p95: null, health: 'unknown' as Health, ok: 0, okRps: 0 };
    g.rps += e.rps;
    if (e.successRate !== null) {
      g.ok += e.successRate * e.rps;
      g.okRps += e.rps;
    }
    g.p95 = e.p95 === null ? g.p95 : Math.max(g.p95 ?? 0, e.p95);
    g.health = worst(g.health, e.health);
    edgesBy.set(id, g);
  }
  return {
    nodes: [...groups.values()],
    edges: [...edgesBy.values()].map(({ ok, okRps, ...e }) => ({ ...e, successRate: okRps === 0 ? null : ok / okRps })),
  };
}
