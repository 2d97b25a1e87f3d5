/** Routing-tree matching with Alertmanager's semantics (depth first, `continue` to keep going). */
import type { Route } from './config.js';
import { matchesLabels } from './matchers.js';

const maxRouteDepth = 100;

export function matchRoutes(route: Route, labels: Record<string, string>, depth = 0): Route[] {
  if (depth > maxRouteDepth || !matchesLabels(route.matchers, labels)) return [];
  const all: Route[] = [];
  for (const child of route.routes) {
    const m = matchRoutes(child, labels, depth + 1);
    all.push(...m);
    if (m.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [route];
}

/** The labels an alert is grouped by on a route. */
export function groupLabels(route: Route, labels: Record<string, string>): Record<string, string> {
  if (route.groupBy === 'all') return { ...labels };
  const out: Record<string, string> = {};
  for (const name of route.groupBy) {
    const v = labels[name];
    if (v !== undefined && v !== '') out[name] = v;
  }
  return out;
}

/** Alertmanager's group key: `route-id:{label="value",…}` with labels sorted. */
export function groupKey(route: Route, group: Record<string, string>): string {
  const parts = Object.keys(group)
    .sort()
    .map((k) => `${k}=${JSON.stringify(group[k] ?? '')}`);
  return `${route.id}:{${parts.join(', ')}}`;
}
