// The topology view and a dashboard with a datasource variable on a remote VictoriaMetrics source,
// in Chromium against `vigil serve` (which holds none of the data): the Linkerd mesh history lives
// only in VictoriaMetrics, so every node, edge, variable option and line comes through the engine.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpFamilies } from '../../main/workload/dump.js';
import { meshFamilies, meshModel } from '../../main/workload/mesh.js';
import { freePort } from '../main/interop/peers.js';
import { Proc } from '../main/interop/remote-peers.js';
import { callChannel, chromiumMissingReason, openBrowser, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason() ?? (existsSync('/usr/bin/victoria-metrics') ? null : 'victoria-metrics not installed');
const stepMs = 15_000;
const samples = 81;
// VictoriaMetrics hides the newest 30 s from queries: the history ends three minutes ago.
const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 180_000;
const startMs = endMs - (samples - 1) * stepMs;

describe.skipIf(missing !== null)(`Topology and dashboard variables on a remote VictoriaMetrics source${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;
  let vm: Proc;
  let sourceUid = '';

  beforeAll(async () => {
    vm = new Proc('victoria-metrics', await freePort(), (dir, port) => ({
      bin: '/usr/bin/victoria-metrics',
      args: [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'data')}`, '-retentionPeriod=100y', '-loggerLevel=ERROR'],
    }), '/health');
    await vm.start();
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-source-pages-')), 'mesh.prom');
    dumpFamilies({ out: file, format: 'prometheus', samples, stepMs, startMs }, [meshFamilies(meshModel(3), 'linkerd', { startSec: 5000, integer: false })]);
    const res = await fetch(`${vm.url}/api/v1/import/prometheus`, { method: 'POST', body: readFileSync(file) });
    expect(res.status).toBe(204);
    await fetch(`${vm.url}/internal/force_flush`);
    serve = await startServe();
    browser = await openBrowser();
    await browser.page.goto(serve.url);
    sourceUid = (await callChannel<{ uid: string }>(browser.page, 'saveRemoteSource', { name: 'Mesh VM', kind: 'victoriametrics', url: vm.url, auth: { kind: 'none' } })).uid;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await vm?.destroy();
  });

  it('draws the mesh from the source chosen on the topology page, and nothing from this engine', async () => {
    const { page } = browser;
    await page.goto(`${serve.url}#/topology?time=${endMs}`);
    await page.reload();
    const source = { uid: sourceUid };
    await page.getByTestId('topology-dialect').filter({ hasText: 'no mesh metrics' }).waitFor();
    await page.getByTestId('source-picker').selectOption(source.uid);
    await page.getByTestId('topology-dialect').filter({ hasText: /^linkerd · / }).waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-edge-id]').length >= 10, undefined, { timeout: 30_000 });
    const graph = await callChannel<{ edges: { id: string }[] }>(page, 'topology', { time: endMs, source: source.uid });
    const drawn = await page.locator('[data-edge-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-edge-id')).sort());
    expect(drawn).toEqual(graph.edges.map((e) => e.id).sort());
    await screenshot(page, 'remote-source-topology');
    // The address names the source: a reload (or a shared link) comes back to the same graph.
    await page.waitForFunction((uid) => window.location.hash.includes(`source=${uid}`), source.uid);
    await page.reload();
    await page.getByTestId('topology-dialect').filter({ hasText: /^linkerd · / }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('source-picker').locator('option:checked').textContent()).toBe('Mesh VM');
    // Back to this engine: it holds no mesh.
    await page.getByTestId('source-picker').selectOption('vigil');
    await page.getByTestId('topology-dialect').filter({ hasText: 'no mesh metrics' }).waitFor();

    // The browser never addressed VictoriaMetrics itself.
    const port = new URL(vm.url).port;
    expect(browser.requests.filter((u) => new URL(u, serve.url).port === port)).toEqual([]);
  }, 120_000);

  it('a dashboard’s datasource variable lists the sources; its query variable and panel read from the one picked', async () => {
    const { page } = browser;
    await page.goto(`${serve.url}#/dashboards`);
    const uid = sourceUid;
    const board = {
      uid: 'on-source',
      title: 'Mesh on a source',
      schemaVersion: 39,
      tags: [],
      editable: true,
      time: { from: String(startMs), to: String(endMs) },
      panels: [
        {
          id: 1,
          type: 'timeseries',
          title: 'Inbound requests by deployment',
          gridPos: { x: 0, y: 0, w: 24, h: 9 },
          datasource: { type: 'prometheus', uid: '${ds}' },
          fieldConfig: { defaults: { unit: 'reqps' }, overrides: [] },
          targets: [{ refId: 'A', expr: 'sum by (deployment) (rate(response_total{direction="inbound",deployment=~"$deployment"}[1m]))', legendFormat: '{{deployment}}' }],
        },
      ],
      templating: {
        list: [
          { name: 'ds', type: 'datasource', query: 'prometheus', current: { value: uid } },
          { name: 'deployment', type: 'query', query: 'label_values(response_total{direction="inbound"}, deployment)', datasource: { type: 'prometheus', uid: '$ds' }, multi: true, includeAll: true, current: { value: ['$__all'] }, sort: 1 },
        ],
      },
      annotations: { list: [] },
      links: [],
    };
    await callChannel(page, 'saveDashboard', { dashboard: board });
    await page.goto(`${serve.url}#/dashboards?uid=on-source`);
    await page.reload();
    const ds = page.getByLabel('Variable ds');
    await ds.waitFor();
    await page.waitForFunction(() => (document.querySelector('[aria-label="Variable ds"]') as HTMLSelectElement | null)?.options.length === 2, undefined, { timeout: 30_000 });
    expect(await ds.locator('option').allTextContents()).toEqual(['Vigil', 'Mesh VM']);
    const deployments = page.getByLabel('Variable deployment');
    await page.waitForFunction(() => ((document.querySelector('[aria-label="Variable deployment"]') as HTMLSelectElement | null)?.options.length ?? 0) > 3, undefined, { timeout: 30_000 });
    const options = (await deployments.locator('option').allTextContents()).filter((t) => t !== 'All');
    const expected = (await callChannel<{ values: string[] }>(page, 'labelValues', { name: 'deployment', match: ['response_total{direction="inbound"}'], start: startMs, end: endMs, source: uid })).values;
    expect(options.sort()).toEqual(expected.sort());
    const panel = page.locator('.dash-panel[data-panel-id="1"]');
    await page.waitForFunction(() => document.querySelector('.dash-panel[data-panel-id="1"]')?.getAttribute('data-panel-state') === 'ok', undefined, { timeout: 30_000 });
    await panel.locator('canvas').first().waitFor();
    await screenshot(page, 'remote-source-dashboard-variables');
    // One cursor point per drawn series: a line per deployment.
    expect(await panel.locator('.u-cursor-pt').count()).toBe(expected.length);

    // Picking Vigil: the variable and the panel read this engine, which has no mesh.
    await ds.selectOption('vigil');
    await page.waitForFunction(() => ((document.querySelector('[aria-label="Variable deployment"]') as HTMLSelectElement | null)?.options.length ?? 99) <= 1, undefined, { timeout: 30_000 });
    await page.waitForFunction(() => window.location.hash.includes('var-ds=vigil'));
    await screenshot(page, 'remote-source-dashboard-vigil');
    expect(browser.consoleErrors).toEqual([]);
  }, 120_000);
});
