import { describe, expect, it } from 'vitest';
import type { Panel } from '../../../app/dashboards/model.js';
import { cssColor } from '../../../app/dashboards/units.js';
import type { PanelData } from '../../../renderer/dashboards/panel-data.js';
import { tableModel } from '../../../renderer/dashboards/table-columns.js';

const base = { timestamps: new Float64Array(0), series: [], heatmap: null, queries: ['node_filesystem_avail_bytes'], errors: [], warnings: [] };
const instant: PanelData = {
  ...base,
  instant: [
    { refId: 'A', name: 'a', labels: { instance: 'h1', job: 'node', mountpoint: '/' }, value: 2.5e9 },
    { refId: 'A', name: 'b', labels: { instance: 'h2', job: 'node', mountpoint: '/var' }, value: 9.5e9 },
  ],
};
const thresholds = { mode: 'absolute' as const, steps: [{ color: 'green', value: null }, { color: 'red', value: 5e9 }] };

function panel(extra: Partial<Panel>): Panel {
  return { id: 1, type: 'table', gridPos: { x: 0, y: 0, w: 12, h: 8 }, ...extra };
}

describe('table columns (Grafana table panel)', () => {
  it('without configuration: a column per label (sorted) then Value in the defaults’ unit, uncoloured', () => {
    const m = tableModel(panel({ fieldConfig: { defaults: { unit: 'bytes', thresholds }, overrides: [] } }), instant);
    expect(m.columns.map((c) => c.title)).toEqual(['instance', 'job', 'mountpoint', 'Value']);
    expect(m.rows[0]!.map((c) => c.text)).toEqual(['h1', 'node', '/', '2.33 GiB']);
    expect(m.rows.every((r) => r.every((c) => c.color === null))).toBe(true);
  });

  it('organize hides, orders and renames; overrides match the original or the new name', () => {
    const m = tableModel(
      panel({
        transformations: [{ id: 'organize', options: { excludeByName: { job: true }, indexByName: { Value: 0, mountpoint: 1, instance: 2 }, renameByName: { Value: 'Free', mountpoint: 'Mount' } } }],
        fieldConfig: {
          defaults: { unit: 'bytes', thresholds },
          overrides: [
            { matcher: { id: 'byName', options: 'Free' }, properties: [{ id: 'unit', value: 'decbytes' }, { id: 'decimals', value: 0 }, { id: 'custom.width', value: 120 }] },
            { matcher: { id: 'byName', options: 'instance' }, properties: [{ id: 'displayName', value: 'Host' }, { id: 'custom.align', value: 'center' }] },
          ],
        },
      }),
      instant,
    );
    expect(m.columns.map((c) => [c.name, c.title, c.width, c.align])).toEqual([
      ['Value', 'Free', 120, null],
      ['mountpoint', 'Mount', null, null],
      ['instance', 'Host', null, 'center'],
    ]);
    expect(m.rows.map((r) => r.map((c) => c.text))).toEqual([
      ['3 GB', '/', 'h1'],
      ['10 GB', '/var', 'h2'],
    ]);
  });

  it('cell colouring by thresholds: color-background (cellOptions) and color-text (older displayMode)', () => {
    const bg = tableModel(panel({ fieldConfig: { defaults: { thresholds }, overrides: [{ matcher: { id: 'byName', options: 'Value' }, properties: [{ id: 'custom.cellOptions', value: { type: 'color-background' } }] }] } }), instant);
    expect(bg.columns.at(-1)!.coloring).toBe('background');
    expect(bg.rows.map((r) => r.at(-1)!.color)).toEqual([cssColor('green'), cssColor('red')]);
    const text = tableModel(panel({ fieldConfig: { defaults: { thresholds, custom: { displayMode: 'color-text' } }, overrides: [] } }), instant);
    expect(text.columns.at(-1)!.coloring).toBe('text');
    expect(text.columns[0]!.coloring).toBe('none');
    expect(text.rows[1]!.at(-1)!.color).toBe(cssColor('red'));
  });

  it('byType and custom.hidden hide columns; several queries get Value #A / Value #B', () => {
    const two: PanelData = { ...instant, queries: ['count(up)', 'count(up)'], instant: [...instant.instant, { refId: 'B', name: 'c', labels: { instance: 'h1', job: 'node', mountpoint: '/' }, value: 1 }] };
    const m = tableModel(panel({ fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byType', options: 'string' }, properties: [{ id: 'custom.hidden', value: true }] }] } }), two);
    expect(m.columns.map((c) => c.name)).toEqual(['Value #A', 'Value #B']);
    expect(m.rows.map((r) => r.map((c) => c.text))).toEqual([
      ['2.50 Bil', ''],
      ['9.50 Bil', ''],
      ['', '1'],
    ]);
  });

  it('merge joins the queries’ rows with equal label sets into one row with Value #A, Value #B', () => {
    const two: PanelData = {
      ...base,
      queries: ['size', 'avail'],
      instant: [
        { refId: 'A', name: 'a', labels: { instance: 'h1', mountpoint: '/' }, value: 10 },
        { refId: 'A', name: 'b', labels: { instance: 'h2', mountpoint: '/' }, value: 20 },
        { refId: 'B', name: 'c', labels: { instance: 'h2', mountpoint: '/' }, value: 5 },
        { refId: 'B', name: 'd', labels: { instance: 'h1', mountpoint: '/' }, value: 4 },
        { refId: 'B', name: 'e', labels: { instance: 'h3', mountpoint: '/' }, value: 7 },
      ],
    };
    const cells = (m: ReturnType<typeof tableModel>) => m.rows.map((r) => r.map((c) => c.text));
    const merged = tableModel(panel({ transformations: [{ id: 'merge', options: {} }] }), two);
    expect(merged.columns.map((c) => c.name)).toEqual(['instance', 'mountpoint', 'Value #A', 'Value #B']);
    expect(cells(merged)).toEqual([
      ['h1', '/', '10', '4'],
      ['h2', '/', '20', '5'],
      ['h3', '/', '', '7'],
    ]);
    // Without the transformation each answer row stays a row of its own.
    expect(tableModel(panel({}), two).rows).toHaveLength(5);
    // joinByField on one label; inner keeps only rows every query has.
    const inner = tableModel(panel({ transformations: [{ id: 'joinByField', options: { byField: 'instance', mode: 'inner' } }] }), two);
    expect(cells(inner)).toEqual([
      ['h1', '/', '10', '4'],
      ['h2', '/', '20', '5'],
    ]);
    const outer = tableModel(panel({ transformations: [{ id: 'seriesToColumns', options: { byField: 'instance' } }] }), two);
    expect(outer.rows).toHaveLength(3);
  });

  it('a range answer: Time (newest first) and a column per series, overrides by series name', () => {
    const range: PanelData = {
      ...base,
      instant: [],
      timestamps: new Float64Array([0, 60_000]),
      series: [{ refId: 'A', name: 'rx', labels: {}, values: new Float64Array([1, 2]) }],
    };
    const m = tableModel(panel({ fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byRegexp', options: '^r' }, properties: [{ id: 'unit', value: 'percent' }] }] } }), range);
    expect(m.columns.map((c) => c.name)).toEqual(['Time', 'rx']);
    expect(m.rows.map((r) => r[1]!.text)).toEqual(['2%', '1%']);
    expect(m.rows[0]![0]!.text).toMatch(/^1970-01-01/);
  });
});
