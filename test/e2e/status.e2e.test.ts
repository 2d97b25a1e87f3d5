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
    expect(nav).toEqual(['Explore', 'Dashboards', 'Topology', 'Alerts', 'Rules', 'Targets & Probes', 'Status']);

    const shot = await screenshot(page, 'status');
    expect(shot).toMatch(/status\.png$/);
    expect(browser.consoleErrors).toEqual([]);
    expect(browser.requests.length).toBeGreaterThan(0);
    expect(foreignRequests(browser.requests)).toEqual([]);
  });
});
