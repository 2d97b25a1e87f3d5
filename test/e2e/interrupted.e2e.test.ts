import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumMissingReason, dataDirWithWorkload, screenshot, serveAndBrowser } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

const culprit = 'sum by (code) (rate(http_requests_total[1m]))';

describe.skipIf(missing !== null)(`A query running at a crash is shown, not re-run, in Chromium against vigil serve${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const env = serveAndBrowser(() => {
    const dataDir = dataDirWithWorkload(400, 60);
    // What a process killed in the middle of this query leaves behind (format: main/api/README.md).
    writeFileSync(join(dataDir, 'running-queries.json'), JSON.stringify({ version: 1, running: [{ query: culprit, startedMs: Date.now() - 60_000 }] }));
    return dataDir;
  });

  it('holds the restored view back with a notice, runs it on request, and lists it on the Status page', async () => {
    const { page } = env.browser;
    await page.goto(`${env.serve.url}#/explore?q0=${encodeURIComponent(culprit)}&tab=graph`);
    const held = page.getByTestId('held-warning');
    await held.waitFor({ timeout: 15_000 });
    expect(await held.textContent()).toMatch(/Query 1 was running when Vigil last stopped unexpectedly .*so it was not run again/);
    // Nothing ran: no chart, and the engine saw no query.
    expect(await page.getByTestId('chart').count()).toBe(0);
    await page.locator('.monaco-editor').first().waitFor();
    await screenshot(page, 'explore-interrupted');

    await held.getByRole('button', { name: 'Run anyway' }).click();
    await page.getByTestId('chart').locator('canvas').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('held-warning').count()).toBe(0);

    // A different query in the URL runs by itself.
    await page.goto('about:blank');
    await page.goto(`${env.serve.url}#/explore?q0=${encodeURIComponent('max(rate(http_requests_total[1m]))')}&tab=graph`);
    await page.getByTestId('chart').locator('canvas').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('held-warning').count()).toBe(0);

    await page.getByRole('link', { name: 'Status' }).click();
    expect(await page.getByTestId('interrupted-queries').textContent()).toContain(culprit);
  });
});
