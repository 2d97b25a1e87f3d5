/**
 * The columns of Grafana's table panel and how each is shown: the fields a Prometheus answer
 * gives (a column per label and `Value` — `Value #A` per query when several — for instant or
 * `format: table` answers, rows joined by a `merge` or `joinByField` transformation; `Time` and a column per series for range answers), then the
 * `organize` transformation (hide, order, rename), then the field config — defaults for value
 * columns, and overrides matched by name (original or renamed), regex, type or query —
 * for unit, decimals, display name, width, alignment, hiding and cell colouring by thresholds
 * or value mappings (`custom.cellOptions.type` `color-text`/`color-background`, or the older
 * `custom.displayMode`). Pure: the table component draws what this returns.
 */
import type { Panel } from '../../app/dashboards/model.js';
import { displayValue, formatValue, type DisplayOptions, type Thresholds, type ValueMapping } from '../../app/dashboards/units.js';
import { displayOptions, matches } from './field-config.js';
import type { PanelData } from './panel-data.js';

type CellColoring = 'none' | 'text' | 'background';

interface TableColumn {
  /** The field's name as Grafana names it (what `byName` matchers and `organize` refer to). */
  name: string;
  /** The header: renamed by `organize`, or an override's `displayName`. */
  title: string;
  kind: 'label' | 'value' | 'time';
  options: DisplayOptions;
  width: number | null;
  align: 'left' | 'right' | 'center' | null;
  coloring: CellColoring;
}

interface TableCell {
  text: string;
  color: string | null;
}

export interface TableModel {
  columns: TableColumn[];
  rows: TableCell[][];
}

interface Organize {
  excludeByName?: Record<string, boolean>;
  indexByName?: Record<string, number>;
  renameByName?: Record<string, string>;
}

/** The panel's `organize` transformations merged (Grafana applies them in order; later ones win). */
function organizeOf(panel: Panel): Organize {
  const out: Required<Organize> = { excludeByName: {}, indexByName: {}, renameByName: {} };
  for (const t of panel.transformations ?? []) {
    if (t.id !== 'organize' || typeof t.options !== 'object' || t.options === null) continue;
    const o = t.options as Organize;
    Object.assign(out.excludeByName, o.excludeByName);
    Object.assign(out.indexByName, o.indexByName);
    Object.assign(out.renameByName, o.renameByName);
  }
  return out;
}

function coloringOf(custom: Record<string, unknown>): CellColoring | null {
  const cell = custom['cellOptions'];
  const type = typeof cell === 'object' && cell !== null ? (cell as { type?: unknown }).type : custom['displayMode'];
  if (type === 'color-text') return 'text';
  if (type === 'color-background' || type === 'color-background-solid') return 'background';
  if (type === 'auto' || type === 'basic') return 'none';
  return null;
}

const alignOf = (v: unknown): TableColumn['align'] => (v === 'left' || v === 'right' || v === 'center' ? v : null);
const widthOf = (v: unknown): number | null => (typeof v === 'number' && v > 0 ? v : null);

interface Field {
  name: string;
  kind: TableColumn['kind'];
  refId: string | null;
  cell: (row: number) => TableCell;
}

/** One table row of instant answers: its labels and a value per query (refId). */
interface TableRow {
  labels: Record<string, string>;
  values: Map<string, number>;
}

/**
 * How the queries' rows become table rows. Without a join transformation, one row per answer
 * row. Grafana's `merge` joins rows with equal label sets, and `joinByField` (formerly
 * `seriesToColumns`) joins rows with the same value of its `byField` label (`mode: 'inner'`
 * keeps only values every query has): one row, a `Value #A`, `Value #B` … cell per query.
 */
function joinRows(panel: Panel, instant: PanelData['instant']): TableRow[] {
  const t = (panel.transformations ?? []).find((x) => x.id === 'merge' || x.id === 'joinByField' || x.id === 'seriesToColumns');
  if (!t) return instant.map((r) => ({ labels: r.labels, values: new Map([[r.refId, r.value]]) }));
  const opts = (typeof t.options === 'object' && t.options !== null ? t.options : {}) as { byField?: unknown; mode?: unknown };
  const byField = t.id !== 'merge' && typeof opts.byField === 'string' && opts.byField !== '' ? opts.byField : null;
  const key = (labels: Record<string, string>) =>
    byField !== null
      ? (labels[byField] ?? '')
      : JSON.stringify(
          Object.keys(labels)
            .sort()
            .map((k) => [k, labels[k]]),
        );
  const rows = new Map<string, TableRow>();
  for (const r of instant) {
    const k = key(r.labels);
    const row = rows.get(k);
    // A second answer row of the same query with the same key is a row of its own, as Grafana keeps it.
    if (!row || row.values.has(r.refId)) {
      rows.set(row ? `${k}\u0000${rows.size}` : k, { labels: { ...r.labels }, values: new Map([[r.refId, r.value]]) });
      continue;
    }
    for (const [name, v] of Object.entries(r.labels)) if (!(name in row.labels)) row.labels[name] = v;
    row.values.set(r.refId, r.value);
  }
  const all = [...rows.values()];
  if (byField === null || opts.mode !== 'inner') return all;
  const refIds = new Set(instant.map((r) => r.refId));
  return all.filter((r) => r.values.size === refIds.size);
}

/** The fields of the answer, before any transformation but the row join, with the number of rows. */
function fieldsOf(panel: Panel, data: PanelData, format: (name: string, v: number | null) => TableCell): { fields: Field[]; rows: number } {
  if (data.instant.length > 0) {
    const rows = joinRows(panel, data.instant);
    const labels = [...new Set(rows.flatMap((r) => Object.keys(r.labels)))].sort();
    const refIds = [...new Set(data.instant.map((r) => r.refId))];
    const valueName = (refId: string) => (refIds.length > 1 ? `Value #${refId}` : 'Value');
    const fields: Field[] = labels.map((l) => ({ name: l, kind: 'label', refId: null, cell: (i) => ({ text: rows[i]!.labels[l] ?? '', color: null }) }));
    for (const refId of refIds) {
      const name = valueName(refId);
      fields.push({
        name,
        kind: 'value',
        refId,
        cell: (i) => {
          const v = rows[i]!.values.get(refId);
          return v === undefined ? { text: '', color: null } : format(name, v);
        },
      });
    }
    return { fields, rows: rows.length };
  }
  // Newest first, at most 500 rows.
  const n = Math.min(500, data.timestamps.length);
  const at = (k: number) => data.timestamps.length - 1 - k;
  const fields: Field[] = [{ name: 'Time', kind: 'time', refId: null, cell: (k) => ({ text: formatValue(data.timestamps[at(k)]!, 'dateTimeAsIso'), color: null }) }];
  for (const s of data.series) fields.push({ name: s.name, kind: 'value', refId: s.refId, cell: (k) => format(s.name, s.values[at(k)] ?? null) });
  return { fields, rows: n };
}

/** A panel's table: columns (organized and configured) and formatted, coloured cells. */
export function tableModel(panel: Panel, data: PanelData): TableModel {
  const organize = organizeOf(panel);
  const defaults = displayOptions(panel, data.queries);
  const defaultCustom = panel.fieldConfig?.defaults.custom ?? {};
  const configs = new Map<string, { column: TableColumn; hidden: boolean }>();

  const configure = (f: Field): { column: TableColumn; hidden: boolean } => {
    const renamed = organize.renameByName?.[f.name];
    const column: TableColumn = {
      name: f.name,
      title: renamed || f.name,
      kind: f.kind,
      options: f.kind === 'value' ? { ...defaults } : {},
      width: widthOf(defaultCustom['width']),
      align: alignOf(defaultCustom['align']),
      coloring: f.kind === 'value' ? (coloringOf(defaultCustom) ?? 'none') : 'none',
    };
    let hidden = organize.excludeByName?.[f.name] === true || defaultCustom['hidden'] === true;
    const type = f.kind === 'value' ? 'number' : f.kind === 'time' ? 'time' : 'string';
    for (const o of panel.fieldConfig?.overrides ?? []) {
      const hit = matches(o.matcher, f.name, f.refId ?? '', type) || (renamed !== undefined && matches(o.matcher, renamed, f.refId ?? '', type));
      if (!hit) continue;
      for (const p of o.properties) {
        const v = p.value;
        if (p.id === 'unit' && typeof v === 'string') column.options.unit = v;
        else if (p.id === 'decimals' && (typeof v === 'number' || v === null)) column.options.decimals = v;
        else if (p.id === 'displayName' && typeof v === 'string') column.title = v;
        else if (p.id === 'thresholds' && typeof v === 'object' && v !== null) column.options.thresholds = v as Thresholds;
        else if (p.id === 'mappings' && Array.isArray(v)) column.options.mappings = v as ValueMapping[];
        else if (p.id === 'min' && (typeof v === 'number' || v === null)) column.options.min = v;
        else if (p.id === 'max' && (typeof v === 'number' || v === null)) column.options.max = v;
        else if (p.id === 'custom.width' || p.id === 'custom.minWidth') column.width = widthOf(v) ?? column.width;
        else if (p.id === 'custom.align') column.align = alignOf(v);
        else if (p.id === 'custom.hidden') hidden = v === true;
        else if (p.id === 'custom.cellOptions' || p.id === 'custom.displayMode') {
          const c = coloringOf(p.id === 'custom.cellOptions' ? { cellOptions: v } : { displayMode: v });
          if (c !== null) column.coloring = c;
        }
      }
    }
    return { column, hidden };
  };

  const format = (name: string, v: number | null): TableCell => {
    const c = configs.get(name)!.column;
    const d = displayValue(v, c.options);
    return { text: d.text, color: c.coloring === 'none' ? null : d.color };
  };
  const { fields, rows } = fieldsOf(panel, data, format);
  for (const f of fields) configs.set(f.name, configure(f));

  // Organize's order: listed fields by their index, the others after them in answer order.
  const index = (f: Field) => organize.indexByName?.[f.name] ?? Number.MAX_SAFE_INTEGER;
  const shown = fields.map((f, k) => ({ f, k })).filter(({ f }) => !configs.get(f.name)!.hidden);
  shown.sort((a, b) => index(a.f) - index(b.f) || a.k - b.k);
  return {
    columns: shown.map(({ f }) => configs.get(f.name)!.column),
    rows: Array.from({ length: rows }, (_, i) => shown.map(({ f }) => f.cell(i))),
  };
}
