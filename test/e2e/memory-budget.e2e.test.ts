import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callChannel, chromiumMissingReason, foreignRequests, openBrowser, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

const MiB = 1024 * 1024;

describe.skipIf(missing !== null)(`Memory budget on the Status page, vigil serve --memory-budget 300MiB${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;

  beforeAll(async () => {
    serve = await startServe(['--memory-budget', '300MiB']);
    browser = await openBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('shows the budget, resident memory and its parts; the launcher set the heap limit from the budget', async () => {
    const { page } = browser;
    await page.goto(`${serve.url}#/status`);
    const budget = page.getByTestId('budget');
    await budget.waitFor({ timeout: 15_000 });
    expect(await budget.textContent()).toMatch(/^300(\.0)? MiB \(from --memory-budget\)/);
    expect(await page.getByTestId('rss').textContent()).toMatch(/ MiB \(\d+ % of the budget; /);
    const parts = await page.getByTestId('memory-parts').locator('tbody tr td:first-child').allTextContents();
    expect(parts).toEqual(expect.arrayContaining(['series index', 'open chunks', 'range query cache', 'JavaScript heap, main thread', 'storage worker heap', 'other']));
    // --max-old-space-size=180 (60 % of 300 MiB): V8's limit is that plus the young generation.
    const m = await callChannel<{ heapLimitBytes: number }>(page, 'memory', {});
    expect(m.heapLimitBytes).toBeGreaterThanOrEqual(180 * MiB);
    expect(m.heapLimitBytes).toBeLessThan(300 * MiB);
    expect(await page.getByTestId('heap-limit').textContent()).toContain('--max-old-space-size');
    await screenshot(page, 'status-memory-budget');
    expect(browser.consoleErrors).toEqual([]);
    expect(foreignRequests(browser.requests)).toEqual([]);
  });

  it('the budget is set from the page, a bad size is refused in the form', async () => {
    const { page } = browser;
    await page.getByTestId('budget-input').fill('a lot');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    expect(await page.getByTestId('budget-error').textContent()).toContain('"a lot" is not a size');
    await page.getByTestId('budget-input').fill('512MiB');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await expect.poll(async () => page.getByTestId('budget').textContent(), { timeout: 10_000 }).toMatch(/^512(\.0)? MiB \(from the app’s setting\)/);
    const m = await callChannel<{ budgetBytes: number }>(page, 'memory', {});
    expect(m.budgetBytes).toBe(512 * MiB);
  });
});
