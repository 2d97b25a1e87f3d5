import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissingReason, foreignRequests, openBrowser, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

describe.skipIf(missing !== null)(`Status page in Chromium against vigil serve${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;

  beforeAll(async () => {
    serve = await startServe();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('shows the engine start time, with no console errors and no request off loopback', async () => {
    const { page } = browser;
    await page.goto(serve.url);
    await page.getByRole('link', { name: 'Status' }).click();
    const startCell = page.getByTestId('start-time');
    await startCell.waitFor({ timeout: 15_000 });

    const api = await page.evaluate(async () => {
      const res = await fetch('/api/vigil/status', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return (await res.json()) as { startTimeMs: number; dataDir: string };
    });
    expect(await startCell.textContent()).toContain(new Date(api.startTimeMs).toISOString());
    expect(await page.getByTestId('data-dir').textContent()).toBe(serve.dataDir);

    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(nav).toEqual(['Overview', 'Explore', 'Dashboards', 'Topology', 'Alerts', 'Rules', 'Targets & Probes', 'Status']);

    const shot = await screenshot(page, 'status');
    expect(shot).toMatch(/status\.png$/);
    expect(browser.consoleErrors).toEqual([]);
    expect(browser.requests.length).toBeGreaterThan(0);
    expect(foreignRequests(browser.requests)).toEqual([]);
  });

  it('says what Vigil holds and costs, and lists the top metrics and label pairs by series as /api/v1/status/tsdb does', async () => {
    const { page } = browser;
    await page.goto(serve.url);
    await page.getByRole('link', { name: 'Status' }).click();
    await page.getByTestId('costs').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('cost-series').textContent()).toMatch(/^\d[\d,]* \(/);
    expect(await page.getByTestId('cost-storage').textContent()).toMatch(/B/);
    expect(await page.getByTestId('cost-memory').textContent()).toContain('JavaScript heap');
    expect(await page.getByTestId('cost-lag').textContent()).toMatch(/^p50 .+, p99 .+, max .+$/);

    // The first launch scrapes this machine: wait until its series are in and the page has refreshed.
    const api = async () =>
      page.evaluate(async () => (await (await fetch('/api/v1/status/tsdb?limit=10')).json()) as { data: { seriesCountByMetricName: Array<{ name: string; value: number }>; seriesCountByLabelValuePair: Array<{ name: string; value: number }> } });
    const deadline = Date.now() + 30_000;
    let tsdb = await api();
    while (!tsdb.data.seriesCountByLabelValuePair.some((p) => p.name === 'job=node') && Date.now() < deadline) {
      await page.waitForTimeout(500);
      tsdb = await api();
    }
    expect(tsdb.data.seriesCountByLabelValuePair.map((p) => p.name)).toContain('job=node');
    await page.getByLabel('entries per list').selectOption('20');
    await page.getByLabel('entries per list').selectOption('10');
    // The re-read may first show a cached answer from before the first scrape ("no series yet"):
    // wait until the table shows what the API says now.
    const tableAndApi = async () => {
      const rows = await page.getByTestId('top-metrics').locator('tbody tr td:first-child').allTextContents();
      return { rows, api: (await api()).data.seriesCountByMetricName.map((m) => m.name) };
    };
    await expect.poll(async () => { const r = await tableAndApi(); return r.rows.join(',') === r.api.join(','); }, { timeout: 30_000 }).toBe(true);
    // A fresh data directory: every top metric is new since yesterday.
    expect(await page.getByTestId('top-metrics').getByTestId('change').first().textContent()).toBe('new');
    const pairs = await page.getByTestId('top-pairs').locator('tbody tr td:first-child').allTextContents();
    expect(pairs).toContain('job=node');

    // A metric name opens Explore on its series.
    const href = await page.getByTestId('top-metrics').locator('tbody a').first().getAttribute('href');
    expect(href).toMatch(/^#\/explore\?/);

    // Refresh reads the cardinality section again too (a new tsdbStatus request).
    const before = browser.requests.filter((u) => u.endsWith('/api/vigil/tsdbStatus')).length;
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => browser.requests.filter((u) => u.endsWith('/api/vigil/tsdbStatus')).length).toBeGreaterThan(before);

    await page.getByTestId('cardinality').scrollIntoViewIfNeeded();
    const shot = await screenshot(page, 'status-costs-cardinality');
    expect(shot).toMatch(/status-costs-cardinality\.png$/);
    expect(browser.consoleErrors).toEqual([]);
    expect(foreignRequests(browser.requests)).toEqual([]);
  });

  it("lists this machine's collector as a healthy target of the first launch", async () => {
    const { page } = browser;
    await page.goto(`${serve.url}#/targets`);
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="target-row"]')].some((r) => r.textContent?.includes('job=node') && r.textContent.includes('UP')),
      undefined,
      { timeout: 30_000 },
    );
    const row = page.locator('[data-testid="target-row"]', { hasText: 'job=node' });
    expect(await row.textContent()).toContain('/host/metrics');
    await screenshot(page, 'first-launch-targets');
    expect(browser.consoleErrors).toEqual([]);
  });

  it("opens the shipped 'This machine' dashboard on the first launch's own host data", async () => {
    const { page } = browser;
    // Memory, root filesystem and uptime need one scrape of /host/metrics, which the test above waited for.
    await page.goto(`${serve.url}#/dashboards?uid=vigil-this-machine&from=now-5m&to=now&refresh=5s`);
    await page.getByTestId('dashboard').waitFor({ timeout: 15_000 });
    const state = (id: string) => page.locator(`.dash-panel[data-panel-id="${id}"]`).getAttribute('data-panel-state');
    await expect.poll(async () => [await state('2'), await state('3'), await state('4')], { timeout: 45_000 }).toEqual(['ok', 'ok', 'ok']);
    await screenshot(page, 'first-launch-this-machine');
    expect(browser.consoleErrors).toEqual([]);
  });
});
