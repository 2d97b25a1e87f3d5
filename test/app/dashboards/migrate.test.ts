import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportDashboard } from '../../../app/dashboards/export.js';
import { DashboardImportError, migrateDashboard, parseDashboardJson } from '../../../app/dashboards/migrate.js';
import { vigilDatasource, type Panel } from '../../../app/dashboards/model.js';
import { maxDashboardJsonBytes } from '../../../app/api/dashboards.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/dashboards/${name}`, import.meta.url), 'utf8');
const opts = { newUid: () => 'new-uid' };
const migrate = (text: string) => migrateDashboard(parseDashboardJson(text), opts);
const byTitle = (panels: Panel[], title: string): Panel => {
  for (const p of panels) {
    if (p.title === title) return p;
    const nested = p.panels?.find((n) => n.title === title);
    if (nested) return nested;
  }
  throw new Error(`no panel ${title}`);
};

describe('import of a Grafana 5-era dashboard (rows[] / span, graph, singlestat, ${DS_X})', () => {
  const { dashboard: d, report } = migrate(fixture('grafana-5-rows.json'));

  it('lays rows out on the 24-column grid as Grafana’s schema-16 migration does', () => {
    // Row "Overview" (showTitle): a row panel at y 0, then panels at y 1; height 250px → 7 grid units.
    const top = d.panels.map((p) => [p.type, p.title, p.gridPos]);
    expect(top).toEqual([
      ['row', 'Overview', { x: 0, y: 0, w: 24, h: 7 }],
      ['stat', 'Uptime', { x: 0, y: 1, w: 6, h: 7 }],
      ['gauge', 'Root FS used', { x: 6, y: 1, w: 6, h: 7 }],
      ['timeseries', 'CPU', { x: 12, y: 1, w: 12, h: 7 }],
      ['row', 'Details', { x: 0, y: 8, w: 24, h: 8 }],
    ]);
    const details = d.panels[4]!;
    expect(details.collapsed).toBe(true);
    // A collapsed row keeps its panels inside it; ids as Grafana assigns them (max + 1 onwards, row panels included).
    expect(details.panels?.map((p) => [p.id, p.type, p.gridPos])).toEqual([
      [12, 'timeseries', { x: 0, y: 9, w: 24, h: 8 }],
      [9, 'grafana-piechart-panel', { x: 0, y: 17, w: 8, h: 8 }],
      [10, 'text', { x: 8, y: 17, w: 16, h: 8 }],
    ]);
    expect(JSON.stringify(d)).not.toContain('"span"');
    expect('rows' in d).toBe(false);
  });

  it('maps singlestat to stat (and to gauge when its gauge was shown) with unit, reducer, thresholds and mappings', () => {
    const uptime = byTitle(d.panels, 'Uptime');
    expect(uptime.fieldConfig?.defaults).toMatchObject({
      unit: 's',
      decimals: 1,
      thresholds: { mode: 'absolute', steps: [{ color: '#d44a3a', value: null }, { color: 'rgba(237, 129, 40, 0.89)', value: 3600 }, { color: '#299c46', value: 86400 }] },
      mappings: [{ type: 'special', options: { match: 'null', result: { text: 'N/A' } } }],
      color: { mode: 'fixed', fixedColor: 'rgb(31, 120, 193)' },
    });
    expect(uptime.options).toMatchObject({ reduceOptions: { calcs: ['lastNotNull'] }, graphMode: 'area', colorMode: 'value' });
    const fs = byTitle(d.panels, 'Root FS used');
    expect(fs.type).toBe('gauge');
    expect(fs.fieldConfig?.defaults).toMatchObject({ unit: 'percent', min: 0, max: 100 });
    expect(fs.options).toMatchObject({ reduceOptions: { calcs: ['mean'] } });
  });

  it('maps graph to timeseries: axis format → unit, stacking, legend, series overrides', () => {
    const cpu = byTitle(d.panels, 'CPU');
    expect(cpu.fieldConfig?.defaults).toMatchObject({ unit: 'percentunit', min: 0, custom: { drawStyle: 'line', lineWidth: 2, fillOpacity: 10, stacking: { mode: 'normal' } } });
    expect(cpu.options).toMatchObject({ legend: { displayMode: 'table', placement: 'bottom', calcs: ['max', 'mean', 'lastNotNull'] }, tooltip: { mode: 'multi', sort: 'desc' } });
    expect(cpu.fieldConfig?.overrides).toEqual([
      { matcher: { id: 'byRegexp', options: 'idle' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: '#7EB26D' } }, { id: 'custom.fillOpacity', value: 0 }] },
      { matcher: { id: 'byName', options: 'iowait' }, properties: [{ id: 'custom.axisPlacement', value: 'right' }] },
      { matcher: { id: 'byName', options: 'user' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: '#EAB839' } }] },
    ]);
    expect(byTitle(d.panels, 'Network').fieldConfig?.defaults.custom).toMatchObject({ drawStyle: 'bars' });
    // Old fields stay (nothing is dropped); Grafana ignores them for a timeseries panel.
    expect(cpu['seriesOverrides']).toBeDefined();
  });

  it('maps ${DS_PROMETHEUS} and datasource names to Vigil’s engine; leaves Grafana’s own and absent ones', () => {
    expect(byTitle(d.panels, 'Uptime').datasource).toEqual(vigilDatasource);
    expect(byTitle(d.panels, 'Root FS used').datasource).toEqual(vigilDatasource);
    expect(byTitle(d.panels, 'Network').datasource).toBeNull();
    expect(d.templating.list[0]?.datasource).toEqual(vigilDatasource);
    expect(d.annotations.list[0]?.datasource).toBe('-- Grafana --');
    expect('__inputs' in d || '__requires' in d).toBe(false);
  });

  it('moves old text panel content into options, raises schemaVersion, keeps unknown fields and reports', () => {
    expect(byTitle(d.panels, 'Notes').options).toEqual({ mode: 'markdown', content: '# Notes' });
    expect(d.schemaVersion).toBe(39);
    expect(d['myCustomField']).toEqual({ kept: true });
    expect(report.kept.map((k) => k.message).join()).toContain('myCustomField');
    expect(report.unsupported.map((u) => u.message).join('\n')).toContain('panel type "grafana-piechart-panel"');
    expect(report.mapped.some((m) => m.message.includes('singlestat → stat'))).toBe(true);
  });
});

describe('import of a current dashboard shaped like Node Exporter Full', () => {
  const text = fixture('node-exporter-full-shaped.json');
  const { dashboard: d, report } = migrate(text);

  it('maps the ${ds_prometheus} variable references to Vigil and keeps layout, ids and plugin fields', () => {
    const original = JSON.parse(text) as { panels: Panel[] };
    expect(d.panels.map((p) => [p.id, p.gridPos])).toEqual(original.panels.map((p) => [p.id, p.gridPos]));
    expect(byTitle(d.panels, 'CPU Busy').datasource).toEqual(vigilDatasource);
    expect(byTitle(d.panels, 'Memory Basic').targets?.[0]?.datasource).toEqual(vigilDatasource);
    expect(byTitle(d.panels, 'Status map')['someUnknownOption']).toEqual({ x: [1, 2, 3] });
    expect(d.templating.list.map((v) => v.name)).toEqual(['ds_prometheus', 'job', 'node', 'diskdevices']);
    expect(report.unsupported.map((u) => u.where)).toEqual(expect.arrayContaining([expect.stringContaining('Status map'), expect.stringContaining('Filesystems')]));
  });

  it('round trip: import → export → import gives the same dashboard, every unknown field included', () => {
    const again = migrate(JSON.stringify(exportDashboard(d, { external: false }))).dashboard;
    expect(again).toEqual(d);
    const external = exportDashboard(d, { external: true });
    expect(migrate(JSON.stringify(external)).dashboard).toEqual({ ...d, id: null });
  });

  it('keeps every field of the original that it did not map (deep comparison of the unmapped parts)', () => {
    const original = JSON.parse(text) as Record<string, unknown>;
    const strip = (v: unknown): unknown =>
      JSON.parse(JSON.stringify(v, (k, val: unknown) => (k === 'datasource' ? undefined : val)));
    expect(strip(d)).toEqual(strip(original));
  });
});

describe('export for sharing externally', () => {
  const { dashboard } = migrate(fixture('node-exporter-full-shaped.json'));
  const out = exportDashboard(dashboard, { external: true });

  it('declares the DS_PROMETHEUS input and requirements, and uses the placeholder everywhere', () => {
    expect(out['__inputs']).toEqual([{ name: 'DS_PROMETHEUS', label: 'Prometheus', description: '', type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus' }]);
    const requires = out['__requires'] as Array<{ type: string; id: string }>;
    expect(requires.map((r) => `${r.type}:${r.id}`)).toEqual([
      'grafana:grafana',
      'datasource:prometheus',
      'panel:bargauge',
      'panel:flant-statusmap-panel',
      'panel:gauge',
      'panel:heatmap',
      'panel:stat',
      'panel:table',
      'panel:text',
      'panel:timeseries',
    ]);
    const text = JSON.stringify(out);
    expect(text).not.toContain('"uid":"vigil"');
    expect(text).toContain('"uid":"${DS_PROMETHEUS}"');
    expect(out['id']).toBeNull();
    expect(out['schemaVersion']).toBeGreaterThanOrEqual(39);
  });
});

describe('bad input', () => {
  it('names line and column of malformed JSON', () => {
    expect(() => parseDashboardJson('{\n  "title": "x",\n  "panels": [}\n}')).toThrow(/line 3, column 14/);
  });

  it('refuses a 20 MB dashboard naming the limit', () => {
    const big = `{"title":"big","pad":"${'x'.repeat(20 * 1024 * 1024)}"}`;
    expect(() => parseDashboardJson(big)).toThrow(`the limit is ${maxDashboardJsonBytes / 1024 / 1024} MB`);
  });

  it('imports 500 panels of unknown types with unknown fields, each kept and reported', () => {
    const panels = Array.from({ length: 500 }, (_, i) => ({ id: i + 1, type: `plugin-${i % 7}`, gridPos: { x: 0, y: i * 8, w: 12, h: 8 }, weird: { i } }));
    const started = Date.now();
    const { dashboard, report } = migrate(JSON.stringify({ uid: 'many', title: 'Many', schemaVersion: 39, panels }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(dashboard.panels).toHaveLength(500);
    expect(dashboard.panels[499]).toMatchObject({ type: 'plugin-2', weird: { i: 499 } });
    expect(report.unsupported).toHaveLength(500);
  });

  it('refuses a variable loop, naming it', () => {
    const templating = {
      list: [
        { name: 'a', type: 'query', query: 'label_values(up{job="$b"}, instance)' },
        { name: 'b', type: 'query', query: 'label_values(up{instance="${a}"}, job)' },
      ],
    };
    expect(() => migrate(JSON.stringify({ uid: 'loop', title: 'Loop', templating }))).toThrow(/loop \(\$a → \$b → \$a\)/);
  });

  it('says which field does not fit the model', () => {
    expect(() => migrate(JSON.stringify({ uid: 'bad', title: 'Bad', panels: [{ id: 1, type: 'stat', gridPos: { x: 0, y: 0, w: 6, h: 4 }, targets: [{ expr: 'up' }] }] }))).toThrow(
      DashboardImportError,
    );
    expect(() => migrate(JSON.stringify({ uid: 'bad', title: 'Bad', panels: [{ id: 1, type: 'stat', gridPos: { x: 0, y: 0, w: 6, h: 4 }, targets: [{ expr: 'up' }] }] }))).toThrow(
      /panels\.0\.targets\.0\.refId/,
    );
  });
});

describe('datasource references naming a remote data source', () => {
  it('are kept when the engine has that source; other Prometheus references become Vigil', () => {
    const json = JSON.stringify({
      uid: 'd1',
      title: 'remote',
      schemaVersion: 39,
      panels: [
        { id: 1, type: 'timeseries', gridPos: { x: 0, y: 0, w: 12, h: 8 }, datasource: { type: 'prometheus', uid: 'vm1' }, targets: [{ refId: 'A', expr: 'up' }] },
        { id: 2, type: 'timeseries', gridPos: { x: 12, y: 0, w: 12, h: 8 }, datasource: { type: 'prometheus', uid: 'other' }, targets: [{ refId: 'A', expr: 'up' }] },
      ],
    });
    const kept = migrateDashboard(parseDashboardJson(json), { ...opts, keepSources: new Set(['vm1']) });
    expect(kept.dashboard.panels.map((p) => p.datasource)).toEqual([{ type: 'prometheus', uid: 'vm1' }, vigilDatasource]);
    expect(kept.report.kept.some((k) => k.message.includes('remote data source'))).toBe(true);
    const plain = migrate(json);
    expect(plain.dashboard.panels.map((p) => p.datasource)).toEqual([vigilDatasource, vigilDatasource]);
  });
});
