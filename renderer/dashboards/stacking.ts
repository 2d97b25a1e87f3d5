/**
 * Grafana's stacking with several stack groups in one panel: each series has a
 * `custom.stacking` of `{ mode: 'none' | 'normal' | 'percent', group }` (from the defaults, then
 * overrides). Series with the same mode and group stack on each other, in series order. In
 * percent mode each value is its share of the group's total at that time (absolute values
 * summed, as Grafana does). Series with mode `none` and hidden series are drawn as they are.
 */
import type { AlignedData } from 'uplot';
import type { Panel } from '../../app/dashboards/model.js';
import type { ColumnValues } from '../api/range-columns.js';
import { matches } from './field-config.js';

type StackMode = 'none' | 'normal' | 'percent';

export interface SeriesStacking {
  mode: StackMode;
  group: string;
}

function stackingFrom(value: unknown, into: SeriesStacking): SeriesStacking {
  if (typeof value !== 'object' || value === null) return into;
  const { mode, group } = value as { mode?: unknown; group?: unknown };
  return {
    mode: mode === 'none' || mode === 'normal' || mode === 'percent' ? mode : into.mode,
    group: typeof group === 'string' && group !== '' ? group : into.group,
  };
}

/** One series' stacking: the defaults' `custom.stacking`, then each matching override in order. */
export function seriesStacking(panel: Panel, name: string, refId: string): SeriesStacking {
  let s = stackingFrom(panel.fieldConfig?.defaults.custom?.['stacking'], { mode: 'none', group: 'A' });
  for (const o of panel.fieldConfig?.overrides ?? []) {
    if (!matches(o.matcher, name, refId)) continue;
    for (const p of o.properties) {
      if (p.id === 'custom.stacking') s = stackingFrom(p.value, s);
      else if (p.id === 'custom.stacking.mode') s = stackingFrom({ mode: p.value }, s);
      else if (p.id === 'custom.stacking.group') s = stackingFrom({ group: p.value }, s);
    }
  }
  return s;
}

const finite = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);

/** uPlot's columns (x in seconds) with each stack group accumulated. */
export function stackedColumns(
  timestamps: Float64Array,
  series: ReadonlyArray<{ values: ColumnValues; stacking: SeriesStacking; hidden: boolean }>,
): AlignedData {
  const n = timestamps.length;
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = timestamps[i]! / 1000;
  const key = (s: SeriesStacking) => `${s.mode}\u0000${s.group}`;
  const stacks = new Map<string, { acc: Float64Array; total: Float64Array | null }>();
  for (const s of series) {
    if (s.hidden || s.stacking.mode === 'none') continue;
    let g = stacks.get(key(s.stacking));
    if (!g) {
      g = { acc: new Float64Array(n), total: s.stacking.mode === 'percent' ? new Float64Array(n) : null };
      stacks.set(key(s.stacking), g);
    }
    if (g.total) for (let i = 0; i < n; i++) if (finite(s.values[i])) g.total[i]! += Math.abs(s.values[i]!);
  }
  const columns = series.map((s): ColumnValues => {
    const g = s.hidden || s.stacking.mode === 'none' ? undefined : stacks.get(key(s.stacking));
    if (!g) return s.values;
    const out: (number | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const x = s.values[i];
      if (!finite(x)) {
        out[i] = x ?? null;
        continue;
      }
      g.acc[i]! += g.total === null ? x : g.total[i] === 0 ? 0 : x / g.total[i]!;
      out[i] = g.acc[i]!;
    }
    return out;
  });
  return [xs, ...columns] as AlignedData;
}
