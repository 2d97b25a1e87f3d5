import { describe, expect, it } from 'vitest';
import type { Panel } from '../../../app/dashboards/model.js';
import { expandRepeats, repeatOptions, scopedVariables, withoutRepeatCopies, type ShownPanel } from '../../../app/dashboards/repeats.js';
import { allValue, interpolate, type ResolvedVariable } from '../../../app/dashboards/variables.js';
import { exportDashboard } from '../../../app/dashboards/export.js';

// Cases follow Grafana's DashboardModel.repeat tests (public/app/features/dashboard/state).
const p = (id: number, x: number, y: number, w: number, h: number, extra: Partial<Panel> = {}): Panel => ({ id, type: 'timeseries', gridPos: { x, y, w, h }, ...extra });
const row = (id: number, y: number, extra: Partial<Panel> = {}): Panel => ({ id, type: 'row', gridPos: { x: 0, y, w: 24, h: 1 }, ...extra });

function apps(selected: string[], values = ['se1', 'se2', 'se3'], includeAll = true): Map<string, ResolvedVariable> {
  const options = [...(includeAll ? [{ text: 'All', value: allValue }] : []), ...values.map((v) => ({ text: v, value: v }))];
  return new Map([['apps', { name: 'apps', type: 'custom', multi: true, includeAll, customAll: null, options, selected, error: null }]]);
}
const layout = (ps: ShownPanel[]) => ps.map((q) => [q.id, q.gridPos.x, q.gridPos.y, q.gridPos.w, q.repeatPanelId ?? null, q.scopedVars?.['apps']?.value ?? null]);

describe('panel repeats', () => {
  it('horizontal: one copy per selected value, sharing the row (24 / n wide), copies with new ids', () => {
    const out = expandRepeats([p(2, 0, 0, 24, 2, { repeat: 'apps', repeatDirection: 'h' })], apps(['se1', 'se2', 'se3']));
    expect(layout(out)).toEqual([
      [2, 0, 0, 8, null, 'se1'],
      [3, 8, 0, 8, 2, 'se2'],
      [4, 16, 0, 8, 2, 'se3'],
    ]);
    expect(out[1]!.repeat).toBeUndefined();
  });

  it('horizontal with maxPerRow wraps onto new lines and pushes the panels below down', () => {
    const out = expandRepeats([p(2, 0, 0, 6, 3, { repeat: 'apps', maxPerRow: 2 }), p(9, 0, 3, 24, 4)], apps(['se1', 'se2', 'se3', 'se4'], ['se1', 'se2', 'se3', 'se4']));
    expect(layout(out)).toEqual([
      [2, 0, 0, 12, null, 'se1'],
      [10, 12, 0, 12, 2, 'se2'],
      [11, 0, 3, 12, 2, 'se3'],
      [12, 12, 3, 12, 2, 'se4'],
      [9, 0, 6, 24, null, null],
    ]);
  });

  it('vertical: copies stack at the same x and width; the next row moves down', () => {
    const out = expandRepeats([row(1, 0), p(2, 5, 1, 8, 2, { repeat: 'apps', repeatDirection: 'v' }), row(3, 3)], apps(['se1', 'se2', 'se3']));
    expect(out.map((q) => [q.id, q.gridPos.x, q.gridPos.y, q.gridPos.w])).toEqual([
      [1, 0, 0, 24],
      [2, 5, 1, 8],
      [4, 5, 3, 8],
      [5, 5, 5, 8],
      [3, 0, 7, 24],
    ]);
  });

  it('a copy keeps its grid key when other copies come and go (its element and data stay its own)', () => {
    const key = (sel: string[]) => expandRepeats([p(2, 0, 0, 24, 2, { repeat: 'apps' })], apps(sel)).find((q) => q.scopedVars?.['apps']?.value === 'se3')!;
    expect(key(['se1', 'se2', 'se3']).id).not.toBe(key(['se1', 'se3']).id);
    expect(key(['se1', 'se2', 'se3']).gridKey).toBe(key(['se1', 'se3']).gridKey);
  });

  it('"All" repeats over every option; nothing selected (or an unknown variable) leaves the panel once', () => {
    expect(expandRepeats([p(2, 0, 0, 24, 2, { repeat: 'apps' })], apps([allValue]))).toHaveLength(3);
    expect(repeatOptions(apps([allValue]).get('apps')).map((o) => o.value)).toEqual(['se1', 'se2', 'se3']);
    expect(expandRepeats([p(2, 0, 0, 24, 2, { repeat: 'apps' })], apps([]))).toHaveLength(1);
    expect(expandRepeats([p(2, 0, 0, 24, 2, { repeat: 'nope' })], apps(['se1', 'se2']))).toHaveLength(1);
  });

  it('each copy’s queries see its own value, regex-escaped as Grafana sends a multi-value variable', () => {
    const vars = apps(['a.b', 'c']).set('apps', { ...apps([]).get('apps')!, options: [{ text: 'a.b', value: 'a.b' }, { text: 'c', value: 'c' }], selected: ['a.b', 'c'] });
    const [first, second] = expandRepeats([p(2, 0, 0, 24, 2, { repeat: 'apps' })], vars);
    expect(interpolate('up{app=~"$apps"}', { variables: vars })).toBe('up{app=~"(a\\\\.b|c)"}');
    expect(interpolate('up{app=~"$apps"}', { variables: scopedVariables(vars, first!.scopedVars) })).toBe('up{app=~"a\\\\.b"}');
    expect(interpolate('$apps', { variables: scopedVariables(vars, second!.scopedVars) }, 'text')).toBe('c');
  });
});

describe('row repeats', () => {
  it('an expanded row is copied with its panels for each value, each block below the last', () => {
    const out = expandRepeats([row(1, 0, { repeat: 'apps' }), p(2, 0, 1, 12, 2), p(3, 12, 1, 12, 2), row(4, 3), p(5, 0, 4, 24, 2)], apps(['se1', 'se2']));
    expect(out.map((q) => [q.id, q.gridPos.y, q.repeatPanelId ?? null, q.repeatedByRow ?? false, q.scopedVars?.['apps']?.value ?? null])).toEqual([
      [1, 0, null, false, 'se1'],
      [2, 1, null, false, 'se1'],
      [3, 1, null, false, 'se1'],
      [6, 3, 1, false, 'se2'],
      [7, 4, 2, true, 'se2'],
      [8, 4, 3, true, 'se2'],
      [4, 6, null, false, null],
      [5, 7, null, false, null],
    ]);
  });

  it('a collapsed repeated row gives collapsed copies holding scoped panels', () => {
    const out = expandRepeats([row(1, 0, { repeat: 'apps', collapsed: true, panels: [p(2, 0, 1, 24, 4)] }), p(3, 0, 1, 24, 2)], apps([allValue]));
    expect(out.map((q) => [q.id, q.gridPos.y, q.panels?.map((c) => [c.id, (c as ShownPanel).scopedVars?.['apps']?.value]) ?? null])).toEqual([
      [1, 0, [[2, 'se1']]],
      [4, 1, [[5, 'se2']]],
      [6, 2, [[7, 'se3']]],
      [3, 3, null],
    ]);
  });

  it('a panel repeat inside a repeated row repeats within each copy', () => {
    const vars = apps(['se1', 'se2']);
    vars.set('host', { name: 'host', type: 'custom', multi: true, includeAll: false, customAll: null, options: [{ text: 'h1', value: 'h1' }, { text: 'h2', value: 'h2' }], selected: ['h1', 'h2'], error: null });
    const out = expandRepeats([row(1, 0, { repeat: 'apps' }), p(2, 0, 1, 24, 2, { repeat: 'host' })], vars);
    expect(out.filter((q) => q.type !== 'row').map((q) => `${q.scopedVars?.['apps']?.value}/${q.scopedVars?.['host']?.value}`)).toEqual(['se1/h1', 'se1/h2', 'se2/h1', 'se2/h2']);
  });
});

describe('save model', () => {
  const stored: Panel[] = [p(2, 0, 0, 24, 2, { repeat: 'apps' }), row(5, 2, { repeat: 'apps', collapsed: true, panels: [p(6, 0, 3, 24, 2)] })];
  it('dropping the copies gives back the stored panels', () => {
    const shown = expandRepeats(stored, apps([allValue]));
    expect(shown.length).toBeGreaterThan(stored.length);
    const saved = withoutRepeatCopies(shown);
    expect(saved.map((q) => q.id)).toEqual([2, 5]);
    expect(saved[1]!.panels!.map((q) => q.id)).toEqual([6]);
    expect(JSON.stringify(saved)).not.toMatch(/scopedVars|repeatPanelId|repeatedByRow/);
  });
  it('export writes no repeat copies, also when the JSON it is given holds some (older Grafana saves)', () => {
    const withCopies = [...stored, { ...p(9, 8, 0, 8, 2), repeatPanelId: 2, scopedVars: { apps: { text: 'se2', value: 'se2' } } } as Panel];
    const dashboard = { uid: 'u', title: 't', tags: [], time: { from: 'now-1h', to: 'now' }, schemaVersion: 39, editable: true, panels: withCopies, templating: { list: [] }, annotations: { list: [] }, links: [] };
    const out = exportDashboard(dashboard, { external: false }) as { panels: Panel[] };
    expect(out.panels.map((q) => q.id)).toEqual([2, 5]);
    expect(out.panels[0]!.repeat).toBe('apps');
  });
});
