import type { Dashboard } from '../../app/dashboards/model.js';
import { parseGrafanaRange, type DashboardView as DashboardRoute, type TimeRange } from '../../app/app-urls.js';
import { resolveVariables, type ResolvedVariable, type VariableModel } from '../../app/dashboards/variables.js';
import { api } from '../api/client.js';
import { rangeBounds } from './panel-data.js';
import { variableSource } from './variable-source.js';

/** The dashboard's saved time (`now-6h`…`now`, or epoch ms), else the last hour. */
export function savedRange(d: Dashboard): TimeRange {
  return parseGrafanaRange(d.time.from, d.time.to) ?? { kind: 'relative', durationMs: 3_600_000 };
}

type Resolved = ReadonlyMap<string, ResolvedVariable>;

/** What a resolution depends on: the definitions, the range and the values chosen in the address. */
export const variablesKey = (defs: readonly VariableModel[], range: TimeRange, values: Readonly<Record<string, string[]>>): string => JSON.stringify([defs, range, values]);

/** An early resolution is used only this soon after it started (later, the view asks again). */
const earlyMaxAgeMs = 10_000;
let early: { key: string; atMs: number; result: Promise<Resolved> } | null = null;

/**
 * Opened straight on a dashboard, its variables (whose values most panels wait for) resolve as
 * soon as the dashboard's JSON arrives, while the dashboard's code still loads and renders; the
 * view takes this resolution instead of starting its own (pages/registry.tsx starts it).
 */
export function resolveEarly(dashboard: Dashboard, route: DashboardRoute): void {
  const defs = dashboard.templating.list as VariableModel[];
  const range = route.range ?? savedRange(dashboard);
  const { fromMs, toMs } = rangeBounds(range, Date.now());
  early = { key: variablesKey(defs, range, route.vars), atMs: Date.now(), result: resolveVariables(defs, { fromMs, toMs, source: variableSource(api), urlValues: route.vars }) };
}

/** The early resolution for these inputs, once (null when there is none, or it is for others). */
export function takeEarlyVariables(key: string): Promise<Resolved> | null {
  const e = early;
  early = null;
  return e !== null && e.key === key && Date.now() - e.atMs <= earlyMaxAgeMs ? e.result : null;
}
