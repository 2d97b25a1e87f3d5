/**
 * The topology view as a dashboard panel. Its type is a plugin id Grafana does not have
 * (`vigil-topology-panel`): Grafana shows such a panel as "plugin not found" and keeps it, so a
 * dashboard with one still opens there. What the panel shows is in its `options` (saved in the
 * dashboard JSON): the graph's request (dialect, rate window, edge cap) and the view's filters
 * (namespace, minimum rate, only unhealthy, search, focus with hops, grouping by namespace).
 * Options that do not parse fall back to their defaults and are named, never fatal.
 */
import { z } from 'zod';
import type { Panel } from './model.js';

export const topologyPanelType = 'vigil-topology-panel';

const OptionsSchema = z.object({
  /** Default: detected from the metric names present. */
  dialect: z.enum(['linkerd', 'istio', 'otel', 'custom']).optional(),
  /** Rate window, ms; default the engine's (max(1m, 4 × scrape interval)). */
  windowMs: z.number().int().positive().max(86_400_000).optional(),
  maxEdges: z.number().int().positive().max(100_000).optional(),
  namespace: z.string().default(''),
  minRps: z.number().min(0).default(0),
  onlyUnhealthy: z.boolean().default(false),
  search: z.string().default(''),
  /** A node id to centre on, with its neighbourhood of `hops`. */
  focus: z.string().nullable().default(null),
  hops: z.number().int().min(1).max(5).default(1),
  groupByNamespace: z.boolean().default(false),
});
export type TopologyPanelOptions = z.infer<typeof OptionsSchema>;

/** The panel's options with defaults filled in; each unusable option is named in `problems`. */
export function topologyPanelOptions(panel: Pick<Panel, 'options'>): { options: TopologyPanelOptions; problems: string[] } {
  const raw = { ...(panel.options ?? {}) };
  const problems: string[] = [];
  for (;;) {
    const r = OptionsSchema.safeParse(raw);
    if (r.success) return { options: r.data, problems };
    // Drop each failing option (keeping the rest) and try again: one bad option never hides the graph.
    for (const issue of r.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (!(key in raw)) return { options: OptionsSchema.parse({}), problems: [...problems, issue.message] };
      problems.push(`option ${key}: ${issue.message}; using the default`);
      delete raw[key];
    }
  }
}

/** The `topology` channel request a panel's options make, at `time`. */
export function topologyRequest(o: TopologyPanelOptions, time: number): { time: number; dialect?: TopologyPanelOptions['dialect']; windowMs?: number; maxEdges?: number } {
  return { time, ...(o.dialect ? { dialect: o.dialect } : {}), ...(o.windowMs ? { windowMs: o.windowMs } : {}), ...(o.maxEdges ? { maxEdges: o.maxEdges } : {}) };
}
