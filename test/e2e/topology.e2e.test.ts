import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callChannel, chromiumMissingReason, dataDirWithExposition, openBrowser, serveAndBrowser, repoRoot, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

/** `vigil workload serve --mesh <dialect>` as a child; resolves with its target address. */
async function startMesh(dialect: string): Promise<{ target: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(repoRoot, 'main/bin/vigil.js'), 'workload', 'serve', '--mesh', dialect], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const target = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`workload serve printed no targets:\n${out}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /"targets":\["([^"]+)"\]/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`workload serve exited with ${code}:\n${out}`)));
  });
  return { target, child };
}

describe.skipIf(missing !== null).each(['linkerd', 'istio', 'otel'])('Topology of the %s demo mesh in Chromium', (dialect) => {
  let serve: ServeHandle;
  let browser: BrowserHandle;
  let mesh: { target: string; child: ChildProcess };

  beforeAll(async () => {
    mesh = await startMesh(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-topology-'));
    const config = join(dir, 'vigil.yml');
    writeFileSync(config, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: mesh\n    static_configs:\n      - targets: ['${mesh.target}']\n`);
    serve = await startServe(['--config', config]);
    browser = await openBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    mesh?.child.kill('SIGTERM');
  });

  it('renders the graph; a node and an edge open their panels; Explore shows the same number; scrubbing changes the picture', async () => {
    const { page } = browser;
    // Live first, until a few scrapes give rates.
    await page.goto(`${serve.url}#/topology`);
    await page.waitForFunction(() => document.querySelectorAll('[data-edge-id]').length >= 50, undefined, { timeout: 60_000 });
    // Then pinned at a time (a few scrapes later, so it has at least two samples in the window),
    // so every number below is evaluated at the same instant.
    await new Promise((r) => setTimeout(r, 3000));
    const time = Math.floor(Date.now() / 1000) * 1000 - 1000;
    await page.goto(`${serve.url}#/topology?time=${time}`);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('[data-edge-id]').length >= 50, undefined, { timeout: 30_000 }).catch(async (err: unknown) => {
      await screenshot(page, `topology-${dialect}-failed`);
      throw err;
    });
    expect(await page.getByTestId('topology-dialect').textContent()).toContain(dialect);
    const nodes = await page.locator('[data-node-id]').count();
    expect(nodes).toBeGreaterThanOrEqual(28);
    expect(await page.locator('[data-edge-id][data-health="poor"]').count()).toBeGreaterThanOrEqual(1);
    for (const el of await page.locator('[data-node-id]').all()) expect(await el.getAttribute('data-health')).toMatch(/^(good|warning|poor|unknown)$/);
    await screenshot(page, `topology-${dialect}`);

    const scorer = page.locator('[data-node-id$="ml-scorer"]');
    await scorer.dispatchEvent('click');
    await page.getByTestId('node-inbound').waitFor();
    expect(await page.getByTestId('node-health').textContent()).toBe('poor');

    const edge = page.locator('[data-edge-id$="ml-scorer"]').first();
    const edgeId = await edge.getAttribute('data-edge-id');
    await edge.locator('path').last().dispatchEvent('click');
    await page.getByTestId('edge-figures').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.topology-chart canvas').length >= 1, undefined, { timeout: 20_000 });
    await screenshot(page, `topology-${dialect}-edge`);
    const rpsText = (await page.locator('[data-testid="edge-figures"] [data-figure="rps"]').textContent())!;
    const rps = Number(rpsText.replace(/ req\/s$/, ''));
    expect(rps).toBeGreaterThan(0);
    expect(edgeId).toMatch(/recommendations->.*ml-scorer$/);

    const href = await page.getByTestId('open-in-explore').getAttribute('href');
    await page.goto(`${serve.url}${href}`);
    await page.getByRole('tab', { name: 'Table' }).click();
    await page.getByTestId('result-table').first().waitFor({ timeout: 30_000 });
    const cell = await page.getByTestId('result-table').first().locator('td').last().textContent();
    expect(Number(Number(cell).toPrecision(3))).toBe(rps);
    await screenshot(page, `topology-${dialect}-explore`);

    // Scrub back five minutes: before the mesh was scraped, the picture empties.
    await page.goto(`${serve.url}#/topology?time=${time}`);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('[data-edge-id]').length >= 50, undefined, { timeout: 30_000 });
    await page.getByTestId('scrubber').focus();
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => document.querySelectorAll('[data-edge-id]').length === 0, undefined, { timeout: 30_000 });
    expect(await page.getByTestId('scrub-time').textContent()).toMatch(/min\)/);
    expect(await page.getByTestId('topology-notes').textContent()).toMatch(/no mesh metrics|no .* traffic/);
    await screenshot(page, `topology-${dialect}-scrubbed`);
    expect(browser.consoleErrors).toEqual([]);
  }, 180_000);

  it('embeds the graph as a dashboard panel: its saved options filter it, a node opens the Topology page, export keeps the options', async () => {
    const { page } = browser;
    const uid = `mesh-${dialect}`;
    const board = {
      uid,
      title: `Mesh (${dialect})`,
      tags: [],
      time: { from: 'now-5m', to: 'now' },
      schemaVersion: 39,
      editable: true,
      links: [],
      annotations: { list: [] },
      templating: { list: [] },
      panels: [
        { id: 1, type: 'vigil-topology-panel', title: 'Whole mesh', gridPos: { x: 0, y: 0, w: 12, h: 16 }, options: {} },
        { id: 2, type: 'vigil-topology-panel', title: 'Unhealthy only', gridPos: { x: 12, y: 0, w: 12, h: 16 }, options: { onlyUnhealthy: true } },
      ],
    };
    await page.goto(`${serve.url}#/dashboards`);
    await callChannel(page, 'saveDashboard', { dashboard: board });
    // A 5 s refresh, so the panels fill in once the mesh has been scraped long enough for rates.
    await page.goto(`${serve.url}#/dashboards?uid=${uid}&refresh=5s`);
    await page.reload();
    await page
      .waitForFunction(
        () => [...document.querySelectorAll('.dash-panel')].every((p) => p.getAttribute('data-panel-state') === 'ok') && document.querySelectorAll('[data-panel-id="1"] [data-edge-id]').length >= 50,
        undefined,
        { timeout: 60_000 },
      )
      .catch(async (err: unknown) => {
        await screenshot(page, `topology-${dialect}-panel-failed`);
        throw err;
      });
    const all = await page.locator('[data-panel-id="1"] [data-edge-id]').count();
    const unhealthy = page.locator('[data-panel-id="2"] [data-edge-id]');
    expect(await unhealthy.count()).toBeGreaterThanOrEqual(1);
    expect(await unhealthy.count()).toBeLessThan(all);
    for (const el of await unhealthy.all()) expect(await el.getAttribute('data-health')).toMatch(/^(warning|poor)$/);
    expect(await page.locator('[data-panel-id="1"] a.panel-link').getAttribute('href')).toMatch(/^#\/explore\?q0=/);
    await screenshot(page, `topology-${dialect}-panel`);

    const exported = JSON.parse((await callChannel<{ json: string }>(page, 'exportDashboard', { uid, external: true })).json) as { panels: Array<{ type: string; options: unknown }> };
    expect(exported.panels[1]).toMatchObject({ type: 'vigil-topology-panel', options: { onlyUnhealthy: true } });

    await page.locator('[data-panel-id="2"] [data-node-id$="ml-scorer"]').dispatchEvent('click');
    await page.getByTestId('node-inbound').waitFor({ timeout: 30_000 });
    expect(page.url()).toMatch(/#\/topology\?.*select=/);
    expect(browser.consoleErrors).toEqual([]);
  }, 120_000);
});

/** A mesh Vigil does not know: `rpc_calls_total{caller, callee, code}`, 15 s samples for the last 10 minutes. */
function rpcExposition(): string {
  const edges = [
    { caller: 'web', callee: 'api', code: 'OK', perS: 10 },
    { caller: 'api', callee: 'db', code: 'OK', perS: 5 },
    { caller: 'api', callee: 'cache', code: 'OK', perS: 1 },
    { caller: 'api', callee: 'cache', code: 'ERR', perS: 1 },
  ];
  const end = Math.floor(Date.now() / 15_000) * 15;
  const lines = ['# TYPE rpc_calls counter'];
  for (const e of edges) for (let k = 40; k >= 0; k--) lines.push(`rpc_calls_total{caller="${e.caller}",callee="${e.callee}",code="${e.code}"} ${(40 - k) * 15 * e.perS} ${end - k * 15}`);
  return `${lines.join('\n')}\n# EOF\n`;
}

describe.skipIf(missing !== null)('Topology of a custom dialect defined in the form', () => {
  const env = serveAndBrowser(() => dataDirWithExposition(rpcExposition()));

  it('names the counter and labels of an unknown mesh; bad fields and bad matchers are refused by name; the graph appears', async () => {
    const { page } = env.browser;
    await page.goto(`${env.serve.url}#/topology`);
    await page.getByTestId('topology-notes').waitFor();
    expect(await page.getByTestId('topology-notes').textContent()).toMatch(/no mesh metrics/);
    await page.getByRole('button', { name: 'Custom dialect…' }).click();
    const form = page.getByRole('form', { name: 'Custom dialect' });
    await form.getByLabel('Request counter').fill('rpc_calls_total');
    // The labels of the named counter are offered.
    await page.waitForFunction(() => [...document.querySelectorAll('#custom-labels option')].map((o) => o.getAttribute('value')).includes('callee'));
    await form.getByLabel('Source label').fill('caller');
    await form.getByLabel('Destination label', { exact: true }).fill('caller');
    await form.getByRole('button', { name: 'Save dialect' }).click();
    expect(await form.locator('.error').first().textContent()).toBe('must differ from the source label');

    await form.getByLabel('Destination label', { exact: true }).fill('callee');
    await form.getByLabel('Failed requests').fill('code=~"(');
    await form.getByRole('button', { name: 'Save dialect' }).click();
    await page.getByTestId('custom-dialect-error').waitFor();
    expect(await page.getByTestId('custom-dialect-error').textContent()).toMatch(/parse|regex|unexpected|missing/i);

    await form.getByLabel('Failed requests').fill('code="ERR"');
    await form.getByRole('button', { name: 'Save dialect' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-edge-id]').length === 3, undefined, { timeout: 30_000 });
    expect(await page.getByTestId('topology-dialect').textContent()).toContain('custom');
    const health = await page.locator('[data-edge-id]').evaluateAll((es) => Object.fromEntries(es.map((e) => [e.getAttribute('data-edge-id'), e.getAttribute('data-health')])));
    expect(Object.keys(health).sort()).toEqual([expect.stringMatching(/api->.*cache$/), expect.stringMatching(/api->.*db$/), expect.stringMatching(/web->.*api$/)]);
    expect(Object.entries(health).find(([id]) => id.endsWith('cache'))![1]).toBe('poor');
    expect(Object.entries(health).find(([id]) => id.endsWith('db'))![1]).toBe('good');
    const saved = await callChannel<{ custom: unknown }>(page, 'topologySettings', {});
    expect(saved.custom).toEqual({ metric: 'rpc_calls_total', sourceLabel: 'caller', destinationLabel: 'callee', errorMatch: 'code="ERR"' });
    await screenshot(page, 'topology-custom-dialect');
    expect(env.browser.consoleErrors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });
});
