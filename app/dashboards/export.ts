import { currentSchemaVersion, vigilDatasource, type Dashboard } from './model.js';
import { isObject, walkPanels } from './migrate.js';
import { withoutRepeatCopies } from './repeats.js';
import { topologyPanelType } from './topology-panel.js';

/**
 * Export to Grafana's dashboard JSON model. Plain export is the stored model as it is (every
 * unknown field included). "For sharing externally" is Grafana's option of the same name: the
 * datasource becomes an input (`__inputs` DS_PROMETHEUS, `${DS_PROMETHEUS}` in every reference),
 * `__requires` lists Grafana, the Prometheus datasource and each panel plugin, and the
 * instance-specific `id` is cleared. Repeat copies are never written. Dashboards hold no credentials; URLs in links lose any
 * `user:password@` part in external exports.
 */

type Json = Record<string, unknown>;

const inputName = 'DS_PROMETHEUS';
const externalRef = { type: 'prometheus', uid: `\${${inputName}}` };

/** The Grafana version external exports declare they need (the one schemaVersion 39 came with). */
const requiredGrafana = '11.0.0';

const panelNames: Record<string, string> = {
  timeseries: 'Time series',
  stat: 'Stat',
  gauge: 'Gauge',
  bargauge: 'Bar gauge',
  table: 'Table',
  heatmap: 'Heatmap',
  text: 'Text',
};

export function exportDashboard(dashboard: Dashboard, options: { external: boolean }): Json {
  // Repeat copies are drawn, never written (Grafana's save model drops them too).
  const d = JSON.parse(JSON.stringify({ ...dashboard, panels: withoutRepeatCopies(dashboard.panels) })) as Json;
  if (typeof d['schemaVersion'] !== 'number' || d['schemaVersion'] < currentSchemaVersion) d['schemaVersion'] = currentSchemaVersion;
  if (!options.external) return d;

  const isVigil = (ref: unknown) => isObject(ref) && ref['uid'] === vigilDatasource.uid && ref['type'] === vigilDatasource.type;
  const replace = (obj: Json) => {
    if (isVigil(obj['datasource'])) obj['datasource'] = { ...externalRef };
  };
  const panelTypes = new Set<string>();
  walkPanels(d['panels'] as unknown[], (panel) => {
    replace(panel);
    if (Array.isArray(panel['targets'])) for (const t of panel['targets']) if (isObject(t)) replace(t);
    // Vigil's own topology panel is no Grafana plugin anyone can install: Grafana shows it as
    // "plugin not found" and keeps it, so it is not declared as a requirement.
    if (typeof panel['type'] === 'string' && panel['type'] !== 'row' && panel['type'] !== topologyPanelType) panelTypes.add(panel['type']);
    if (Array.isArray(panel['links'])) panel['links'].forEach(stripCredentials);
  });
  for (const v of (d['templating'] as { list: Json[] }).list) replace(v);
  for (const a of (d['annotations'] as { list: Json[] }).list) replace(a);
  (d['links'] as Json[]).forEach(stripCredentials);
  d['id'] = null;

  const requires: Json[] = [
    { type: 'grafana', id: 'grafana', name: 'Grafana', version: requiredGrafana },
    { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
    ...[...panelTypes].sort().map((id) => ({ type: 'panel', id, name: panelNames[id] ?? id, version: '' })),
  ];
  return {
    __inputs: [{ name: inputName, label: 'Prometheus', description: '', type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus' }],
    __elements: {},
    __requires: requires,
    ...d,
  };
}

function stripCredentials(link: unknown): void {
  if (!isObject(link) || typeof link['url'] !== 'string') return;
  link['url'] = link['url'].replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

/** A download file name from a title: `Node Exporter Full` → `node-exporter-full.json`. */
export function exportFileName(dashboard: Dashboard): string {
  const slug = dashboard.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || dashboard.uid}.json`;
}
