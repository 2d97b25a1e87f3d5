/**
 * A panel's `fieldConfig` as the panels use it: display options (unit, decimals, thresholds,
 * mappings, min/max) from the defaults, and per-series overrides matched by name or regex
 * (Grafana's `byName` / `byRegexp` / `byType` / `byFrameRefID` matchers) for colour, draw style,
 * fill, unit. Table columns read the same overrides (`table-columns.ts`).
 */
import type { Panel } from '../../app/dashboards/model.js';
import { grafanaRegex } from '../../app/dashboards/grafana-regex.js';
import { inferSharedUnit } from '../../app/dashboards/unit-inference.js';
import { cssColor, type DisplayOptions, type Thresholds, type ValueMapping } from '../../app/dashboards/units.js';
import type { SeriesStyle } from '../charts/TimeSeriesChart.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Display options of the panel's defaults; without a chosen unit, the one its queries provably have. */
export function displayOptions(panel: Panel, queries: readonly string[]): DisplayOptions {
  const d = panel.fieldConfig?.defaults ?? {};
  return {
    unit: d.unit ?? inferSharedUnit(queries),
    decimals: d.decimals ?? null,
    ...(d.thresholds ? { thresholds: d.thresholds as Thresholds } : {}),
    ...(d.mappings ? { mappings: d.mappings as unknown as ValueMapping[] } : {}),
    min: d.min ?? null,
    max: d.max ?? null,
  };
}

export interface SeriesLook {
  color: string | null;
  style: SeriesStyle;
  unit?: string;
  hidden: boolean;
}

function styleFrom(custom: Record<string, unknown> | undefined, into: SeriesStyle): SeriesStyle {
  if (!custom) return into;
  const out = { ...into };
  const ds = custom['drawStyle'];
  if (ds === 'line' || ds === 'bars' || ds === 'points') out.drawStyle = ds;
  const lw = num(custom['lineWidth']);
  if (lw !== null) out.lineWidth = lw;
  const fo = num(custom['fillOpacity']);
  if (fo !== null) out.fillOpacity = fo;
  const ps = num(custom['pointSize']);
  if (ps !== null) out.pointSize = ps;
  return out;
}

/**
 * Whether an override's matcher picks a field: `byName`, `byRegexp` (Grafana's JavaScript regex
 * test), `byFrameRefID`, `byType` (`number`, `string`, `time`; series are numbers).
 */
export function matches(matcher: { id: string; options?: unknown }, name: string, refId: string, type: 'number' | 'string' | 'time' = 'number'): boolean {
  const opt = typeof matcher.options === 'string' ? matcher.options : '';
  switch (matcher.id) {
    case 'byType':
      return opt === type;
    case 'byName':
      return opt === name;
    case 'byRegexp':
      try {
        return grafanaRegex(opt).test(name);
      } catch {
        return false;
      }
    case 'byFrameRefID':
      return opt === refId;
    default:
      return false;
  }
}

/** How one series is drawn: defaults, then every matching override in order. */
export function seriesLook(panel: Panel, name: string, refId: string): SeriesLook {
  const d = panel.fieldConfig?.defaults;
  const fixed = d?.color?.mode === 'fixed' && d.color.fixedColor ? cssColor(d.color.fixedColor) : null;
  const look: SeriesLook = { color: fixed, style: styleFrom(d?.custom, {}), hidden: false };
  for (const o of panel.fieldConfig?.overrides ?? []) {
    if (!matches(o.matcher, name, refId)) continue;
    for (const p of o.properties) {
      if (p.id === 'color' && p.value && typeof p.value === 'object') {
        const c = (p.value as { fixedColor?: unknown }).fixedColor;
        if (typeof c === 'string') look.color = cssColor(c);
      } else if (p.id === 'unit' && typeof p.value === 'string') look.unit = p.value;
      else if (p.id === 'custom.hideFrom') look.hidden = typeof p.value === 'object' && p.value !== null && (p.value as { viz?: unknown }).viz === true;
      else if (p.id.startsWith('custom.')) look.style = styleFrom({ [p.id.slice(7)]: p.value }, look.style);
    }
  }
  return look;
}
