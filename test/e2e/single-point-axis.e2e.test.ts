import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callChannel, chromiumMissingReason, openBrowser, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

interface Vector {
  result: { resultType: string; samples?: Array<{ labels: Record<string, string>; v: string | number }> };
}

describe.skipIf(missing !== null)(`a first launch's single-point series in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
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

  it("draws 'Filesystem space available' on an axis around the value the engine holds", async () => {
    const { page } = browser;
    await page.goto(serve.url);
    // Wait for the first scrape of this machine's own collector.
    const expr = 'node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"}';
    let values: number[] = [];
    await expect
      .poll(
        async () => {
          const r = await callChannel<Vector>(page, 'query', { query: expr, time: Date.now() });
          values = (r.result.samples ?? []).map((s) => Number(s.v));
          return values.length;
        },
        { timeout: 45_000 },
      )
      .toBeGreaterThan(0);
    await page.goto(`${serve.url}#/dashboards?uid=vigil-this-machine&from=now-5m&to=now&refresh=5s`);
    const panel = page.locator('.dash-panel[data-panel-id="8"]');
    const chart = panel.getByTestId('chart');
    await chart.waitFor({ timeout: 60_000 });
    await expect.poll(async () => chart.getAttribute('data-y-max'), { timeout: 15_000 }).not.toBeNull();
    const yMin = Number(await chart.getAttribute('data-y-min'));
    const yMax = Number(await chart.getAttribute('data-y-max'));
    await screenshot(page, 'single-point-filesystem');
    const ticks = (await chart.getAttribute('data-y-ticks'))?.split('|') ?? [];
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    // The axis holds every value, and does not reach far past them (within 2× of the largest).
    expect(yMin).toBeLessThanOrEqual(lo);
    expect(yMax).toBeGreaterThanOrEqual(hi);
    expect(yMax).toBeLessThan(hi * 2);
    // Before the fix the axis was [v, v + 1 byte]: six identical 4-decimal labels, clipped on the left.
    expect(yMax - yMin).toBeGreaterThanOrEqual(0.1 * hi);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.length).toBeGreaterThan(1);
    expect(browser.consoleErrors).toEqual([]);
  });
});
