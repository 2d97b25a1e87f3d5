import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../app/api/errors.js';
import { walkPanels } from '../../../app/dashboards/migrate.js';
import type { Dashboard } from '../../../app/dashboards/model.js';
import { parseExpr } from '../../../app/promql/parser.js';
import { shippedDashboardsDir } from '../../../main/dashboards/provisioning.js';
import { Dashboards } from '../../../main/dashboards/service.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/dashboards/${name}`, import.meta.url), 'utf8');
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function open(extra: { extraDirs?: string[]; dataDir?: string } = {}): { svc: Dashboards; dataDir: string } {
  const t = tempDir('vigil-dash-');
  const dataDir = extra.dataDir ?? t.dir;
  let now = 1_000;
  const svc = new Dashboards({ dataDir, extraDirs: extra.extraDirs ?? [], logger: silentLogger, now: () => (now += 1000) });
  cleanups.push(t.cleanup, () => svc.close());
  return { svc, dataDir };
}

async function errorOf(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('dashboard store: versions, diff, restore, stars, search', () => {
  it('the engine’s scrape interval travels with each dashboard (the panels’ smallest step), null when not known', async () => {
    const t = tempDir('vigil-dash-');
    let intervalMs: number | null = 1000;
    const svc = new Dashboards({ dataDir: t.dir, logger: silentLogger, scrapeIntervalMs: () => intervalMs });
    cleanups.push(t.cleanup, () => svc.close());
    const { uid } = await svc.importDashboard({ json: fixture('node-exporter-full-shaped.json'), author: 'ann' }).then((r) => r.dashboard);
    expect((await svc.dashboard({ uid })).meta.scrapeIntervalMs).toBe(1000);
    intervalMs = 5000; // a config reload
    expect((await svc.dashboard({ uid })).meta.scrapeIntervalMs).toBe(5000);
    // A provisioned one too; a service without a config (the CLI) does not know it.
    expect((await svc.dashboard({ uid: 'vigil-health' })).meta).toMatchObject({ provisioned: true, scrapeIntervalMs: 5000 });
    expect((await open().svc.dashboard({ uid: 'vigil-health' })).meta.scrapeIntervalMs).toBeNull();
  });
  it('keeps a version per save with author and message, diffs two and restores as a new version', async () => {
    const { svc } = open();
    const imported = await svc.importDashboard({ json: fixture('node-exporter-full-shaped.json'), author: 'ann' });
    expect(imported.version).toBe(1);
    const uid = imported.dashboard.uid;
    const edited: Dashboard = { ...imported.dashboard, title: 'Edited', tags: ['linux', 'edited'] };
    expect(await svc.saveDashboard({ dashboard: edited, author: 'bob', message: 'retitle', baseVersion: 1 })).toEqual({ uid, version: 2 });
    const versions = (await svc.dashboardVersions({ uid })).versions;
    expect(versions.map((v) => [v.version, v.author, v.message])).toEqual([
      [2, 'bob', 'retitle'],
      [1, 'ann', 'imported'],
    ]);
    const { changes } = await svc.diffDashboardVersions({ uid, from: 1, to: 2 });
    expect(changes).toEqual([
      { path: 'title', kind: 'changed', before: 'Node Exporter Full (shaped)', after: 'Edited' },
      { path: 'tags[1]', kind: 'added', after: 'edited' },
    ]);
    expect(await svc.restoreDashboardVersion({ uid, version: 1, author: 'cy' })).toEqual({ uid, version: 3 });
    const latest = await svc.dashboard({ uid });
    expect(latest.dashboard).toEqual(imported.dashboard);
    expect(latest.meta).toMatchObject({ version: 3, latest: true, provisioned: false, canSave: true });
    expect((await svc.dashboard({ uid, version: 2 })).dashboard.title).toBe('Edited');
    // A save from a stale editor is refused, naming both versions.
    expect((await errorOf(svc.saveDashboard({ dashboard: edited, baseVersion: 1 }))).message).toMatch(/changed since version 1 \(now version 3\)/);
  });

  it('stars, searches by title and tag, and filters starred', async () => {
    const { svc } = open();
    const { dashboard } = await svc.importDashboard({ json: fixture('grafana-5-rows.json') });
    await svc.starDashboard({ uid: dashboard.uid, starred: true });
    const all = await svc.dashboards({});
    expect(all.dashboards[0]).toMatchObject({ uid: 'old-rows', starred: true, folder: 'General', provisioned: false, version: 1 });
    expect(all.dashboards.map((d) => d.title)).toEqual(expect.arrayContaining(['Vigil', 'Fleet', 'Certificates', 'This machine']));
    expect((await svc.dashboards({ query: 'OLD' })).dashboards.map((d) => d.uid)).toEqual(['old-rows']);
    expect((await svc.dashboards({ tags: ['legacy'] })).dashboards.map((d) => d.uid)).toEqual(['old-rows']);
    expect((await svc.dashboards({ starred: true })).dashboards.map((d) => d.uid)).toEqual(['old-rows']);
    expect(all.tags).toEqual(expect.arrayContaining(['legacy', 'vigil']));
  });

  it('a failed import changes no stored dashboard', async () => {
    const { svc } = open();
    const first = await svc.importDashboard({ json: fixture('grafana-5-rows.json') });
    const broken = fixture('grafana-5-rows.json').replace('"title": "Old rows dashboard"', '"title": "Changed", "templating": {"list": [{"name": "a", "type": "query", "query": "$a"}]}, "x":');
    const malformed = await errorOf(svc.importDashboard({ json: broken, overwrite: true }));
    expect(malformed.message).toMatch(/not valid JSON at line \d+, column \d+/);
    const loop = JSON.stringify({ ...JSON.parse(fixture('grafana-5-rows.json')), title: 'Changed', templating: { list: [{ name: 'a', type: 'query', query: 'label_values(up{x="$a"}, job)' }] } });
    expect((await errorOf(svc.importDashboard({ json: loop, overwrite: true }))).message).toMatch(/loop \(\$a → \$a\)/);
    // Same uid without overwrite: refused, naming the existing dashboard.
    const again = JSON.stringify({ ...JSON.parse(fixture('grafana-5-rows.json')), title: 'Changed' });
    expect((await errorOf(svc.importDashboard({ json: again }))).message).toMatch(/uid old-rows exists \("Old rows dashboard"\)/);
    const dry = await svc.importDashboard({ json: again, dryRun: true, overwrite: true });
    expect(dry.version).toBeNull();
    expect(await svc.dashboard({ uid: 'old-rows' })).toMatchObject({ dashboard: first.dashboard, meta: { version: 1 } });
  });
});

describe('provisioning', () => {
  it('loads files from <data>/dashboards and --dashboards folders read-only; save is refused, save as copy works', async () => {
    const t = tempDir('vigil-prov-');
    cleanups.push(t.cleanup);
    mkdirSync(join(t.dir, 'data', 'dashboards'), { recursive: true });
    writeFileSync(join(t.dir, 'data', 'dashboards', 'old.json'), fixture('grafana-5-rows.json'));
    mkdirSync(join(t.dir, 'extra'));
    writeFileSync(join(t.dir, 'extra', 'Node Full.json'), fixture('node-exporter-full-shaped.json').replace('"uid": "rYdddlPWk"', '"uid": null'));
    writeFileSync(join(t.dir, 'extra', 'broken.json'), '{"title": ');
    const { svc } = open({ dataDir: join(t.dir, 'data'), extraDirs: [join(t.dir, 'extra')] });
    expect(svc.problems).toEqual([expect.stringMatching(/broken\.json.*not valid JSON at line 1, column 11/)]);
    const list = (await svc.dashboards({})).dashboards.filter((d) => d.folder === 'Provisioned');
    expect(list.map((d) => [d.uid, d.provisioned])).toEqual([
      ['node-full', true],
      ['old-rows', true],
    ]);
    const got = await svc.dashboard({ uid: 'old-rows' });
    expect(got.meta).toMatchObject({ provisioned: true, canSave: false, provisionedFrom: join(t.dir, 'data', 'dashboards', 'old.json') });
    const refused = await errorOf(svc.saveDashboard({ dashboard: got.dashboard }));
    expect(refused.kind).toBe('forbidden');
    expect(refused.message).toContain('provisioned from');
    expect(refused.message).toContain('Save it as a copy');
    expect((await errorOf(svc.deleteDashboard({ uid: 'old-rows' }))).kind).toBe('forbidden');
    const copy = await svc.saveDashboard({ dashboard: got.dashboard, asCopy: true });
    expect(copy.uid).not.toBe('old-rows');
    expect((await svc.dashboard({ uid: copy.uid })).dashboard.title).toBe('Old rows dashboard (copy)');
    // The file is untouched.
    expect(readFileSync(join(t.dir, 'data', 'dashboards', 'old.json'), 'utf8')).toBe(fixture('grafana-5-rows.json'));
  });

  it('exports a provisioned dashboard for sharing externally', async () => {
    const { svc } = open();
    const out = await svc.exportDashboard({ uid: 'vigil-health', external: true });
    expect(out.filename).toBe('vigil.json');
    const json = JSON.parse(out.json) as Record<string, unknown>;
    expect(json['__inputs']).toHaveLength(1);
    expect(out.json).not.toContain('"uid": "vigil"');
  });
});

describe('the shipped dashboards', () => {
  const files = readdirSync(shippedDashboardsDir).filter((f) => f.endsWith('.json'));

  it('are the four of the issue and load without problems', async () => {
    const { svc } = open();
    expect(svc.problems).toEqual([]);
    const shipped = (await svc.dashboards({})).dashboards.filter((d) => d.folder === 'Vigil');
    expect(shipped.map((d) => d.title).sort()).toEqual(['Certificates', 'Fleet', 'This machine', 'Vigil']);
    expect(files.sort()).toEqual(['certificates.json', 'fleet.json', 'this-machine.json', 'vigil.json']);
  });

  it('have only queries Vigil’s parser accepts (with variables substituted as Grafana would)', () => {
    const substitute = (expr: string) => expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$\{?\w+\}?/g, 'x');
    let count = 0;
    for (const file of files) {
      const d = JSON.parse(readFileSync(join(shippedDashboardsDir, file), 'utf8')) as Dashboard;
      walkPanels(d.panels, (panel, where) => {
        for (const t of (panel['targets'] ?? []) as Array<{ expr?: string }>) {
          if (t.expr === undefined) continue;
          count++;
          expect(() => parseExpr(substitute(t.expr!)), `${file} ${where}: ${t.expr}`).not.toThrow();
        }
      });
    }
    expect(count).toBeGreaterThan(30);
  });
});
