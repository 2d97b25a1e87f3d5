// Remote data sources in Chromium: add Debian's VictoriaMetrics as a source in Explore, run a
// query against it, complete a label value from it; the page only ever talks to vigil serve.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWriteRequest, snappyCompress } from '../../main/remote/proto.js';
import { freePort } from '../main/interop/peers.js';
import { Proc } from '../main/interop/remote-peers.js';
import { chromiumMissingReason, openBrowser, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason() ?? (existsSync('/usr/bin/victoria-metrics') ? null : 'victoria-metrics not installed');

describe.skipIf(missing !== null)('Explore against a remote VictoriaMetrics source', () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;
  let vm: Proc;

  beforeAll(async () => {
    vm = new Proc('victoria-metrics', await freePort(), (dir, port) => ({
      bin: '/usr/bin/victoria-metrics',
      args: [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'data')}`, '-retentionPeriod=100y', '-loggerLevel=ERROR'],
    }), '/health');
    await vm.start();
    // VictoriaMetrics hides the newest 30 s from queries: the samples end two minutes ago.
    const end = Date.now() - 120_000;
    const timeseries = ['eu', 'us', 'ap'].map((region, k) => {
      const samples: { value: number; timestamp: number }[] = [];
      for (let t = end - 50 * 60_000; t <= end; t += 15_000) samples.push({ timestamp: Math.round(t), value: (k + 1) * 10 + Math.sin(t / 600_000) * 5 });
      return { labels: [{ name: '__name__', value: 'remote_only_gauge' }, { name: 'region', value: region }], samples };
    });
    const res = await fetch(`${vm.url}/api/v1/write`, { method: 'POST', headers: { 'Content-Encoding': 'snappy' }, body: Buffer.from(snappyCompress(encodeWriteRequest({ timeseries }))) });
    expect(res.status).toBe(204);
    await fetch(`${vm.url}/internal/force_flush`);
    serve = await startServe();
    browser = await openBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await vm?.destroy();
  });

  it('adds VictoriaMetrics as a source and graphs a query that only it can answer', async () => {
    const { page } = browser;
    await page.goto(`${serve.url}#/explore`);
    await page.getByTestId('sources-button').click();
    await page.getByTestId('source-name').fill('Local VM');
    await page.getByTestId('source-kind').selectOption('victoriametrics');
    await page.getByTestId('source-url').fill(vm.url);
    await page.getByTestId('source-save').click();
    await page.getByTestId('sources-message').filter({ hasText: 'Added Local VM.' }).waitFor();
    // The new source is chosen and stays in the URL.
    expect(await page.getByTestId('source-picker').locator('option:checked').textContent()).toBe('Local VM');
    await screenshot(page, 'remote-sources-added');
    await page.getByTestId('sources-button').click();

    const editor = page.getByTestId('editor-0').locator('.monaco-editor');
    await editor.click();
    await page.keyboard.type('remote_only_gauge{region="');
    // Completion of label values comes from the source, through the engine.
    await page.waitForFunction(() => [...document.querySelectorAll('.suggest-widget .monaco-list-row')].some((r) => r.textContent?.includes('eu')));
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('remote_only_gauge');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.getByTestId('chart').locator('canvas').waitFor();
    expect(await page.locator('.u-legend .u-series').count()).toBeGreaterThanOrEqual(4); // time + 3 regions
    await page.waitForFunction(() => window.location.hash.includes('source='));
    expect(await page.getByTestId('query-error').count()).toBe(0);
    await screenshot(page, 'remote-sources-graph');

    // The metrics browser lists what the source holds.
    await page.getByRole('button', { name: 'Metrics', exact: true }).click();
    await page.getByLabel('Search metrics').fill('remote_only');
    await page.locator('.metric-list code', { hasText: 'remote_only_gauge' }).waitFor();
    await page.getByLabel('Close metrics explorer').click();

    // Switching back to this engine: it holds no such metric.
    await page.getByTestId('source-picker').selectOption('vigil');
    await page.getByText('Empty query result.').waitFor();

    // The browser never addressed VictoriaMetrics itself.
    const port = new URL(vm.url).port;
    expect(browser.requests.filter((u) => new URL(u, serve.url).port === port)).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
  }, 90_000);
});
