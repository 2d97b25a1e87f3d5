import { describeZodError } from '../api/errors.js';
import type { ImportReport } from '../api/dashboards.js';
import { maxDashboardJsonBytes } from '../api/dashboards.js';
import {
  DashboardSchema,
  currentSchemaVersion,
  gridColumns,
  knownPanelTypes,
  knownVariableTypes,
  vigilDatasource,
  type Dashboard,
} from './model.js';
import { findVariableLoop } from './variable-refs.js';

/**
 * Import of Grafana dashboards (Grafana 7 to 12) into Vigil's current model: the old `rows[]` /
 * `span` layout becomes `gridPos` exactly as Grafana's schema-16 migration does, `graph` becomes
 * `timeseries` and `singlestat` becomes `stat` (as Grafana 8+ auto-migrates them), datasource
 * references (names, objects, `${DS_X}` inputs, `$datasource` variables) become Vigil's engine,
 * schemaVersion is raised to ≥ 39. Nothing is dropped: fields Vigil does not know stay where they
 * were, old panel fields stay beside the new ones, and the report says what was mapped, kept and
 * not supported.
 */

type Json = Record<string, unknown>;

export class DashboardImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DashboardImportError';
  }
}

export interface MigrateOptions {
  /** A uid for a dashboard that has none (Grafana's "new dashboard" exports have `uid: null`). */
  newUid: () => string;
  /**
   * Uids of the engine's remote data sources: a Prometheus reference naming one is kept (the
   * panel then queries that source); any other Prometheus reference becomes Vigil's engine.
   */
  keepSources?: ReadonlySet<string>;
}

export interface MigrateResult {
  dashboard: Dashboard;
  report: ImportReport;
}

/** Parses dashboard JSON text; errors name line and column, and the size limit. */
export function parseDashboardJson(text: string, source = 'dashboard JSON'): unknown {
  if (text.length > maxDashboardJsonBytes) {
    throw new DashboardImportError(
      `${source} is ${(text.length / 1024 / 1024).toFixed(1)} MB; the limit is ${maxDashboardJsonBytes / 1024 / 1024} MB per dashboard — split it into several dashboards`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const { line, column } = errorPosition(text, message);
    throw new DashboardImportError(`${source}: not valid JSON at line ${line}, column ${column}: ${message}`);
  }
}

function errorPosition(text: string, message: string): { line: number; column: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  // V8 names no position for many errors ("Unexpected token '}', … is not valid JSON").
  const offset = pos ? Number(pos[1]) : jsonErrorOffset(text);
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** Offset of the first JSON syntax error (only called after JSON.parse failed). */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
  // JSON strings may not hold raw control characters, so the pattern must name them.
  // eslint-disable-next-line no-control-regex
  const str = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (close === '}') {
          ws();
          str.lastIndex = i;
          if (!str.test(text)) fail();
          i = str.lastIndex;
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    const re = c === '"' ? str : literal;
    re.lastIndex = i;
    if (!re.test(text)) fail();
    i = re.lastIndex;
  };
  try {
    value();
    ws();
    return i;
  } catch (at) {
    return typeof at === 'number' ? at : 0;
  }
}

/** Migrates parsed Grafana dashboard JSON to the current model, with a report. */
export function migrateDashboard(input: unknown, options: MigrateOptions): MigrateResult {
  if (!isObject(input)) throw new DashboardImportError('dashboard JSON: the top level must be an object (a Grafana dashboard)');
  // Grafana's API and some exports wrap the model as {"dashboard": {...}, "meta": {...}}.
  const raw = isObject(input['dashboard']) && !('panels' in input) && !('rows' in input) ? input['dashboard'] : input;
  const d = JSON.parse(JSON.stringify(raw)) as Json; // a deep copy: the input is JSON already
  const report: ImportReport = { mapped: [], kept: [], unsupported: [] };
  const ctx: Ctx = { report, datasources: datasourcePlaceholders(d, report), keepSources: options.keepSources ?? new Set() };

  const fromVersion = typeof d['schemaVersion'] === 'number' ? d['schemaVersion'] : 0;
  fillDashboardDefaults(d, options, report);
  if (Array.isArray(d['rows'])) upgradeToGridLayout(d, report);
  const panels = d['panels'] as unknown[];
  ensurePanels(panels, report);
  walkPanels(panels, (panel, where) => migratePanel(panel, where, ctx));
  const vars = (d['templating'] as Json)['list'] as unknown[];
  vars.forEach((v, i) => migrateVariable(v, `templating.list[${i}]`, ctx));
  const annotations = (d['annotations'] as Json)['list'] as unknown[];
  annotations.forEach((a, i) => {
    if (isObject(a) && a['builtIn'] !== 1) mapDatasourceField(a, `annotations.list[${i}]`, ctx);
  });
  if (fromVersion < currentSchemaVersion) {
    d['schemaVersion'] = currentSchemaVersion;
    report.mapped.push({ where: 'schemaVersion', message: `raised from ${fromVersion || '(none)'} to ${currentSchemaVersion}` });
  }
  reportUnknownFields(d, report);

  const parsed = DashboardSchema.safeParse(d);
  if (!parsed.success) throw new DashboardImportError(`dashboard JSON does not fit Grafana's dashboard model: ${describeZodError(parsed.error)}`);
  const loop = findVariableLoop(parsed.data.templating.list);
  if (loop) {
    throw new DashboardImportError(
      `templating: variables refer to each other in a loop (${loop.map((n) => '$' + n).join(' → ')}); change one of their queries so it no longer uses the next`,
    );
  }
  return { dashboard: parsed.data, report };
}

interface Ctx {
  report: ImportReport;
  /** `${DS_X}` inputs and `$var` datasource variables, by name, with their plugin type. */
  datasources: Map<string, string>;
  /** MigrateOptions.keepSources. */
  keepSources: ReadonlySet<string>;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fillDashboardDefaults(d: Json, options: MigrateOptions, report: ImportReport): void {
  if (typeof d['uid'] !== 'string' || d['uid'] === '' || d['uid'].length > 40) {
    const before = d['uid'];
    d['uid'] = options.newUid();
    report.mapped.push({ where: 'uid', message: `${before === undefined || before === null ? 'missing' : `"${String(before)}" is not a usable uid`}; assigned ${String(d['uid'])}` });
  }
  if (typeof d['title'] !== 'string') d['title'] = 'Imported dashboard';
  if (!Array.isArray(d['tags'])) d['tags'] = [];
  if (!isObject(d['time']) || typeof d['time']['from'] !== 'string' || typeof d['time']['to'] !== 'string') d['time'] = { from: 'now-6h', to: 'now' };
  if (typeof d['editable'] !== 'boolean') d['editable'] = true;
  if (!Array.isArray(d['panels'])) d['panels'] = [];
  if (!isObject(d['templating'])) d['templating'] = { list: [] };
  if (!Array.isArray((d['templating'] as Json)['list'])) (d['templating'] as Json)['list'] = [];
  if (!isObject(d['annotations'])) d['annotations'] = { list: [] };
  if (!Array.isArray((d['annotations'] as Json)['list'])) (d['annotations'] as Json)['list'] = [];
  if (!Array.isArray(d['links'])) d['links'] = [];
  // Export-only fields: the inputs are resolved below, the rest describes the exporting Grafana.
  for (const key of ['__inputs', '__requires', '__elements']) {
    if (key in d) {
      delete d[key];
      report.mapped.push({ where: key, message: 'export metadata resolved on import and removed' });
    }
  }
}

/** `__inputs` of type datasource and datasource variables: placeholder name → plugin type. */
function datasourcePlaceholders(d: Json, report: ImportReport): Map<string, string> {
  const out = new Map<string, string>();
  const inputs = Array.isArray(d['__inputs']) ? d['__inputs'] : [];
  for (const input of inputs) {
    if (isObject(input) && input['type'] === 'datasource' && typeof input['name'] === 'string') {
      const plugin = typeof input['pluginId'] === 'string' ? input['pluginId'] : 'prometheus';
      out.set(input['name'], plugin);
      if (plugin !== 'prometheus') report.unsupported.push({ where: `__inputs ${input['name']}`, message: `datasource of type "${plugin}": Vigil answers only PromQL; panels using it will show an error` });
    }
  }
  const list = isObject(d['templating']) && Array.isArray(d['templating']['list']) ? d['templating']['list'] : [];
  for (const v of list) {
    if (isObject(v) && v['type'] === 'datasource' && typeof v['name'] === 'string') out.set(v['name'], typeof v['query'] === 'string' ? v['query'] : 'prometheus');
  }
  return out;
}

const placeholder = /^\$\{?([A-Za-z0-9_]+)\}?$/;

/**
 * Maps one datasource reference to Vigil's engine when it is Prometheus (by type, by a
 * placeholder whose input/variable is Prometheus, or by a bare name: Vigil has only one source).
 * Returns the new reference, or undefined to leave it as it is.
 */
function mapDatasourceRef(ref: unknown, where: string, ctx: Ctx): unknown {
  if (ref === null || ref === undefined) return undefined;
  if (isObject(ref) && ref['type'] === vigilDatasource.type && ref['uid'] === vigilDatasource.uid) return undefined;
  const name = typeof ref === 'string' ? ref : isObject(ref) && typeof ref['uid'] === 'string' ? ref['uid'] : '';
  const type = isObject(ref) && typeof ref['type'] === 'string' ? ref['type'] : undefined;
  const ph = placeholder.exec(name);
  const pluginType = ph ? (ctx.datasources.get(ph[1] ?? '') ?? type ?? 'prometheus') : (type ?? 'prometheus');
  // Grafana's own sources: built-in annotations, "-- Mixed --", "-- Dashboard --".
  if (name.startsWith('-- ') || type === 'grafana' || type === 'datasource') return undefined;
  if (pluginType !== 'prometheus') {
    ctx.report.unsupported.push({ where, message: `datasource of type "${pluginType}" kept; Vigil answers only PromQL` });
    return undefined;
  }
  if (isObject(ref) && ctx.keepSources.has(name)) {
    ctx.report.kept.push({ where, message: `datasource ${JSON.stringify(ref)} names a remote data source of this engine; kept` });
    return undefined;
  }
  ctx.report.mapped.push({ where, message: `datasource ${JSON.stringify(ref)} → Vigil's engine` });
  return { ...vigilDatasource };
}

function mapDatasourceField(obj: Json, where: string, ctx: Ctx): void {
  const mapped = mapDatasourceRef(obj['datasource'], `${where} datasource`, ctx);
  if (mapped !== undefined) obj['datasource'] = mapped;
}

// --- rows[] / span → gridPos (Grafana's schema 16 migration) ---------------------------------

const defaultPanelSpan = 4;
const defaultRowHeight = 250;
const gridCellHeight = 30;
const gridCellVMargin = 8;
const minPanelHeight = gridCellHeight * 3;

function gridHeight(height: unknown): number {
  const px = typeof height === 'number' ? height : typeof height === 'string' ? Number.parseFloat(height) : NaN;
  const h = Number.isFinite(px) ? Math.max(px, minPanelHeight) : defaultRowHeight;
  return Math.ceil(h / (gridCellHeight + gridCellVMargin));
}

/** The free space of one old row as panels are placed into it, right to left as Grafana does. */
class RowArea {
  private area: number[];
  constructor(
    private readonly height: number,
    public yPos: number,
  ) {
    this.area = new Array<number>(gridColumns).fill(0);
  }
  add(pos: { x: number; y: number; w: number; h: number }): void {
    for (let i = pos.x; i < pos.x + pos.w && i < this.area.length; i++) {
      this.area[i] = Math.max(this.area[i] ?? 0, pos.y + pos.h - this.yPos);
    }
  }
  /** `width` ≤ 24 (callers clamp), so an empty row always fits it and the loop ends. */
  position(width: number): { x: number; y: number } {
    for (;;) {
      let start = 0;
      let end = 0;
      let found = false;
      for (let i = this.area.length - 1; i >= 0; i--) {
        if (this.height - (this.area[i] ?? 0) <= 0) break;
        if (!found) {
          end = i;
          found = true;
        } else if (i < this.area.length - 1 && (this.area[i] ?? 0) <= (this.area[i + 1] ?? 0)) {
          start = i;
        } else break;
      }
      if (found && end - start >= width - 1) {
        let y = 0;
        for (let i = start; i <= end; i++) y = Math.max(y, this.area[i] ?? 0);
        return { x: start, y };
      }
      this.yPos += this.height;
      this.area = new Array<number>(gridColumns).fill(0);
    }
  }
}

function upgradeToGridLayout(d: Json, report: ImportReport): void {
  const rows = (d['rows'] as unknown[]).filter(isObject);
  delete d['rows'];
  if (rows.length === 0) return;
  const panels = d['panels'] as unknown[];
  let maxId = 0;
  for (const row of rows) for (const p of asArray(row['panels'])) if (isObject(p) && typeof p['id'] === 'number') maxId = Math.max(maxId, p['id']);
  let nextId = maxId + 1;
  const showRows = rows.some((r) => r['collapse'] === true || r['showTitle'] === true || (typeof r['repeat'] === 'string' && r['repeat'] !== ''));
  const widthFactor = gridColumns / 12;
  let yPos = 0;
  rows.forEach((row, rowIndex) => {
    if (row['repeatIteration'] !== undefined && row['repeatIteration'] !== null) return;
    const rowHeight = gridHeight(row['height'] ?? defaultRowHeight);
    const collapsed = row['collapse'] === true;
    const rowPanels = asArray(row['panels']).filter(isObject);
    for (const p of rowPanels) if (p['id'] === undefined) p['id'] = nextId++;
    let rowPanel: Json | null = null;
    if (showRows) {
      rowPanel = {
        id: nextId++,
        type: 'row',
        title: typeof row['title'] === 'string' ? row['title'] : '',
        repeat: typeof row['repeat'] === 'string' ? row['repeat'] : '',
        panels: [],
        gridPos: { x: 0, y: yPos, w: gridColumns, h: rowHeight },
      };
      if ('collapse' in row) rowPanel['collapsed'] = collapsed;
      yPos++;
    }
    const area = new RowArea(rowHeight, yPos);
    for (const panel of rowPanels) {
      const span = typeof panel['span'] === 'number' ? panel['span'] : defaultPanelSpan;
      if (typeof panel['minSpan'] === 'number' && panel['minSpan'] > 0) panel['minSpan'] = Math.min(gridColumns, Math.trunc(widthFactor * panel['minSpan']));
      const w = Math.min(gridColumns, Math.max(1, Math.floor(span * widthFactor)));
      const h = panel['height'] !== undefined ? gridHeight(panel['height']) : rowHeight;
      const pos = area.position(w);
      yPos = area.yPos;
      const gridPos = { x: pos.x, y: yPos + pos.y, w, h };
      panel['gridPos'] = gridPos;
      area.add(gridPos);
      delete panel['span'];
      if (rowPanel && collapsed) (rowPanel['panels'] as unknown[]).push(panel);
      else panels.push(panel);
    }
    if (rowPanel) panels.push(rowPanel);
    if (!rowPanel || !collapsed) yPos += rowHeight;
    report.mapped.push({ where: `rows[${rowIndex}]${typeof row['title'] === 'string' ? ` "${row['title']}"` : ''}`, message: `${rowPanels.length} panels laid out on the 24-column grid (span × 2 → gridPos)` });
  });
  // Grafana sorts panels by position after loading; a row panel then precedes its panels.
  panels.sort((a, b) => posKey(a) - posKey(b));
}

function posKey(p: unknown): number {
  const g = isObject(p) && isObject(p['gridPos']) ? p['gridPos'] : {};
  return (typeof g['y'] === 'number' ? g['y'] : 0) * 1000 + (typeof g['x'] === 'number' ? g['x'] : 0);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Every panel gets a unique numeric id and a gridPos (some hand-written JSON has neither). */
function ensurePanels(panels: unknown[], report: ImportReport): void {
  const seen = new Set<number>();
  let maxId = 0;
  walkPanels(panels, (p) => {
    if (typeof p['id'] === 'number') maxId = Math.max(maxId, p['id']);
  });
  let bottom = 0;
  walkPanels(panels, (p, where) => {
    const given = p['id'];
    let id = typeof given === 'number' ? given : NaN;
    if (Number.isNaN(id) || seen.has(id)) {
      id = ++maxId;
      p['id'] = id;
      report.mapped.push({ where, message: `missing or repeated panel id; assigned ${id}` });
    }
    seen.add(id);
    if (typeof p['type'] !== 'string') p['type'] = 'timeseries';
    const g = p['gridPos'];
    if (!isObject(g) || ['x', 'y', 'w', 'h'].some((k) => typeof g[k] !== 'number')) {
      p['gridPos'] = { x: 0, y: bottom, w: 12, h: 8 };
      report.mapped.push({ where, message: 'no gridPos; placed at the bottom, 12 × 8' });
    }
    const pos = p['gridPos'] as { y: number; h: number };
    bottom = Math.max(bottom, pos.y + pos.h);
  });
}

/** Visits every panel, including the panels of collapsed rows. */
export function walkPanels(panels: unknown[], visit: (panel: Json, where: string) => void, prefix = 'panels'): void {
  panels.forEach((p, i) => {
    if (!isObject(p)) return;
    const where = `${prefix}[${i}]${typeof p['title'] === 'string' && p['title'] !== '' ? ` "${p['title']}"` : ''}`;
    visit(p, where);
    if (Array.isArray(p['panels'])) walkPanels(p['panels'], visit, `${prefix}[${i}].panels`);
  });
}

// --- panels ----------------------------------------------------------------------------------

function migratePanel(panel: Json, where: string, ctx: Ctx): void {
  mapDatasourceField(panel, where, ctx);
  asArray(panel['targets']).forEach((t, i) => {
    if (isObject(t)) mapDatasourceField(t, `${where} targets[${i}]`, ctx);
  });
  if (panel['type'] === 'graph') graphToTimeseries(panel, where, ctx.report);
  else if (panel['type'] === 'singlestat' || panel['type'] === 'grafana-singlestat-panel') singlestatToStat(panel, where, ctx.report);
  else if (panel['type'] === 'text' && (typeof panel['content'] === 'string' || typeof panel['mode'] === 'string')) {
    const options = objectField(panel, 'options');
    options['content'] ??= panel['content'];
    options['mode'] ??= panel['mode'];
    ctx.report.mapped.push({ where, message: 'text panel content/mode moved into options (Grafana 7.1+)' });
  }
  if (isObject(panel['fieldConfig'])) upgradeMappings(panel['fieldConfig'], where, ctx.report);
  const type = panel['type'] as string;
  if (!(knownPanelTypes as readonly string[]).includes(type)) {
    ctx.report.unsupported.push({ where, message: `panel type "${type}" is kept but Vigil cannot draw it (shown as a placeholder)` });
  }
  if (Array.isArray(panel['transformations']) && panel['transformations'].length > 0) {
    ctx.report.unsupported.push({ where, message: `${panel['transformations'].length} transformations kept but not applied by Vigil` });
  }
}

function objectField(obj: Json, key: string): Json {
  const v = obj[key];
  if (isObject(v)) return v;
  const fresh: Json = {};
  obj[key] = fresh;
  return fresh;
}

function fieldDefaults(panel: Json): Json {
  const fc = objectField(panel, 'fieldConfig');
  if (!Array.isArray(fc['overrides'])) fc['overrides'] = [];
  return objectField(fc, 'defaults');
}

/** Grafana's valueName → reducer id (stat's reduceOptions.calcs). */
const reducers: Record<string, string> = {
  min: 'min',
  max: 'max',
  avg: 'mean',
  mean: 'mean',
  median: 'median',
  sum: 'sum',
  count: 'count',
  first: 'firstNotNull',
  last: 'lastNotNull',
  name: 'lastNotNull',
  current: 'lastNotNull',
  total: 'sum',
  delta: 'delta',
  diff: 'diff',
  range: 'range',
};

function singlestatToStat(panel: Json, where: string, report: ImportReport): void {
  const from = panel['type'] as string;
  const defaults = fieldDefaults(panel);
  const gauge = isObject(panel['gauge']) && panel['gauge']['show'] === true ? panel['gauge'] : null;
  panel['type'] = gauge ? 'gauge' : 'stat';
  panel['autoMigrateFrom'] = from;
  const valueName = typeof panel['valueName'] === 'string' ? panel['valueName'] : 'avg';
  const options: Json = {
    reduceOptions: { calcs: [reducers[valueName] ?? 'mean'], fields: '', values: false },
    orientation: 'horizontal',
  };
  if (typeof panel['tableColumn'] === 'string' && panel['tableColumn'] !== '') (options['reduceOptions'] as Json)['fields'] = `/^${panel['tableColumn']}$/`;
  if (typeof panel['format'] === 'string') defaults['unit'] = panel['format'];
  if (typeof panel['decimals'] === 'number') defaults['decimals'] = panel['decimals'];
  if (typeof panel['nullText'] === 'string' && panel['nullText'] !== '') defaults['noValue'] = panel['nullText'];
  if (typeof panel['thresholds'] === 'string' && Array.isArray(panel['colors'])) {
    const values = panel['thresholds'].split(',').map((s) => Number.parseFloat(s.trim()));
    defaults['thresholds'] = {
      mode: 'absolute',
      steps: panel['colors'].map((color, i) => ({ color: String(color), value: i === 0 ? null : (values[i - 1] ?? null) })).filter((s, i) => i === 0 || Number.isFinite(s.value)),
    };
  }
  const mappings = [...asArray(panel['valueMaps']).map((m) => ({ ...(m as Json), type: 1 })), ...asArray(panel['rangeMaps']).map((m) => ({ ...(m as Json), type: 2 }))];
  const mappingType = panel['mappingType'];
  const used = mappings.filter((m) => mappingType === undefined || m.type === mappingType);
  if (used.length > 0) defaults['mappings'] = convertOldMappings(used);
  if (gauge) {
    if (typeof gauge['minValue'] === 'number') defaults['min'] = gauge['minValue'];
    if (typeof gauge['maxValue'] === 'number') defaults['max'] = gauge['maxValue'];
    options['showThresholdMarkers'] = gauge['thresholdMarkers'] !== false;
    options['showThresholdLabels'] = gauge['thresholdLabels'] === true;
  } else {
    const sparkline = isObject(panel['sparkline']) ? panel['sparkline'] : null;
    options['graphMode'] = sparkline?.['show'] === true ? 'area' : 'none';
    if (sparkline?.['show'] === true && typeof sparkline['lineColor'] === 'string') defaults['color'] = { mode: 'fixed', fixedColor: sparkline['lineColor'] };
    options['colorMode'] = panel['colorBackground'] === true ? 'background' : panel['colorValue'] === true ? 'value' : 'none';
    if (valueName === 'name') options['textMode'] = 'name';
  }
  if (defaults['unit'] === 'percent') {
    defaults['min'] ??= 0;
    defaults['max'] ??= 100;
  } else if (defaults['unit'] === 'percentunit') {
    defaults['min'] ??= 0;
    defaults['max'] ??= 1;
  }
  panel['options'] = { ...(isObject(panel['options']) ? panel['options'] : {}), ...options };
  report.mapped.push({ where, message: `${from} → ${panel['type'] as string} (valueName ${valueName} → ${String((options['reduceOptions'] as Json)['calcs'])}, format → unit, thresholds/colors → threshold steps); old fields kept` });
}

/** Grafana 6/7 value mappings ({type: 1|2, value|from/to, text}) → the current form (schema 30). */
function convertOldMappings(old: Json[]): Json[] {
  const out: Json[] = [];
  const valueOptions: Json = {};
  for (const m of old) {
    const text = typeof m['text'] === 'string' ? m['text'] : '';
    if (m['type'] === 1 || m['type'] === '1') {
      const value = String(m['value'] ?? '');
      if (value === 'null') out.push({ type: 'special', options: { match: 'null', result: { text } } });
      else valueOptions[value] = { text };
    } else if (m['type'] === 2 || m['type'] === '2') {
      const num = (v: unknown) => (v === null || v === undefined || v === '' || v === 'null' ? null : Number(v));
      out.push({ type: 'range', options: { from: num(m['from']), to: num(m['to']), result: { text } } });
    }
  }
  if (Object.keys(valueOptions).length > 0) out.unshift({ type: 'value', options: valueOptions });
  return out;
}

function upgradeMappings(fieldConfig: Json, where: string, report: ImportReport): void {
  const defaults = isObject(fieldConfig['defaults']) ? fieldConfig['defaults'] : null;
  const mappings = defaults ? asArray(defaults['mappings']).filter(isObject) : [];
  if (defaults && mappings.some((m) => typeof m['type'] === 'number')) {
    defaults['mappings'] = convertOldMappings(mappings);
    report.mapped.push({ where, message: 'value mappings converted to the current form (value/range/special)' });
  }
}

function graphToTimeseries(panel: Json, where: string, report: ImportReport): void {
  panel['type'] = 'timeseries';
  panel['autoMigrateFrom'] = 'graph';
  const defaults = fieldDefaults(panel);
  const custom = objectField(defaults, 'custom');
  const yaxes = asArray(panel['yaxes']).filter(isObject);
  const y = yaxes[0];
  if (y) {
    if (typeof y['format'] === 'string' && y['format'] !== 'short') defaults['unit'] = y['format'];
    if (typeof y['decimals'] === 'number') defaults['decimals'] = y['decimals'];
    const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
    const min = num(y['min']);
    const max = num(y['max']);
    if (min !== undefined) defaults['min'] = min;
    if (max !== undefined) defaults['max'] = max;
    if (y['logBase'] !== undefined && y['logBase'] !== 1) custom['scaleDistribution'] = { type: 'log', log: y['logBase'] };
    if (typeof y['label'] === 'string' && y['label'] !== '') custom['axisLabel'] = y['label'];
  }
  const bars = panel['bars'] === true;
  const points = panel['points'] === true;
  const lines = panel['lines'] !== false;
  custom['drawStyle'] = bars ? 'bars' : !lines && points ? 'points' : 'line';
  if (typeof panel['linewidth'] === 'number') custom['lineWidth'] = panel['linewidth'];
  if (typeof panel['fill'] === 'number') custom['fillOpacity'] = panel['fill'] * 10;
  custom['showPoints'] = points ? 'always' : 'never';
  if (typeof panel['pointradius'] === 'number') custom['pointSize'] = panel['pointradius'] * 2 + 1;
  if (panel['steppedLine'] === true) custom['lineInterpolation'] = 'stepAfter';
  if (panel['stack'] === true) custom['stacking'] = { mode: panel['percentage'] === true ? 'percent' : 'normal', group: 'A' };
  if (panel['nullPointMode'] === 'connected') custom['spanNulls'] = true;
  const legend = isObject(panel['legend']) ? panel['legend'] : {};
  const calcs = (['min', 'max', 'avg', 'current', 'total'] as const).filter((k) => legend[k] === true).map((k) => reducers[k] ?? k);
  const options = objectField(panel, 'options');
  options['legend'] ??= {
    showLegend: legend['show'] !== false,
    displayMode: legend['alignAsTable'] === true ? 'table' : 'list',
    placement: legend['rightSide'] === true ? 'right' : 'bottom',
    calcs,
  };
  const tooltip = isObject(panel['tooltip']) ? panel['tooltip'] : {};
  options['tooltip'] ??= { mode: tooltip['shared'] === false ? 'single' : 'multi', sort: tooltip['sort'] === 1 ? 'asc' : tooltip['sort'] === 2 ? 'desc' : 'none' };
  const overrides = (panel['fieldConfig'] as Json)['overrides'] as unknown[];
  for (const so of asArray(panel['seriesOverrides']).filter(isObject)) {
    const override = seriesOverride(so);
    if (override) overrides.push(override);
  }
  if (isObject(panel['aliasColors'])) {
    for (const [name, color] of Object.entries(panel['aliasColors'])) {
      overrides.push({ matcher: { id: 'byName', options: name }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }] });
    }
  }
  report.mapped.push({ where, message: 'graph → timeseries (y-axis format → unit, lines/bars/points/fill/stack → field options, series overrides → overrides); old fields kept' });
}

/** One graph series override (`alias` name or /regex/) as a field override. */
function seriesOverride(so: Json): Json | null {
  if (typeof so['alias'] !== 'string') return null;
  const alias = so['alias'];
  const regex = alias.length > 1 && alias.startsWith('/') && alias.endsWith('/');
  const properties: Json[] = [];
  const set = (id: string, value: unknown) => properties.push({ id, value });
  if (typeof so['color'] === 'string') set('color', { mode: 'fixed', fixedColor: so['color'] });
  if (typeof so['fill'] === 'number') set('custom.fillOpacity', so['fill'] * 10);
  if (typeof so['linewidth'] === 'number') set('custom.lineWidth', so['linewidth']);
  if (so['lines'] === false && so['points'] === true) set('custom.drawStyle', 'points');
  if (so['bars'] === true) set('custom.drawStyle', 'bars');
  if (so['yaxis'] === 2) set('custom.axisPlacement', 'right');
  if (so['transform'] === 'negative-Y') set('custom.transform', 'negative-Y');
  if (so['stack'] === false) set('custom.stacking', { mode: 'none', group: 'A' });
  if (so['dashes'] === true) set('custom.lineStyle', { fill: 'dash', dash: [10, 10] });
  if (properties.length === 0) return null;
  return { matcher: regex ? { id: 'byRegexp', options: alias.slice(1, -1) } : { id: 'byName', options: alias }, properties };
}

// --- variables -------------------------------------------------------------------------------

function migrateVariable(v: unknown, where: string, ctx: Ctx): void {
  if (!isObject(v)) return;
  const label = `${where}${typeof v['name'] === 'string' ? ` $${v['name']}` : ''}`;
  if (v['type'] !== 'datasource') mapDatasourceField(v, label, ctx);
  if (typeof v['type'] === 'string' && !(knownVariableTypes as readonly string[]).includes(v['type'])) {
    ctx.report.unsupported.push({ where: label, message: `variable type "${v['type']}" is kept but Vigil does not resolve it` });
  }
}

const knownDashboardFields = new Set(Object.keys(DashboardSchema.shape));

function reportUnknownFields(d: Json, report: ImportReport): void {
  const unknown = Object.keys(d).filter((k) => !knownDashboardFields.has(k));
  if (unknown.length > 0) report.kept.push({ where: 'dashboard', message: `fields kept as they are: ${unknown.join(', ')}` });
}
