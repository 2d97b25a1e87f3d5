import { writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissingReason, openBrowser, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

describe.skipIf(missing !== null)('Targets page in Chromium', () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;
  let exporter: Server;

  beforeAll(async () => {
    exporter = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end('# HELP demo_requests_total Requests.\n# TYPE demo_requests_total counter\ndemo_requests_total{path="/"} 42\n');
    });
    await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', () => r()));
    const port = (exporter.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-targets-'));
    const config = join(dir, 'vigil.yml');
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: demo\n    static_configs:\n      - targets: ['127.0.0.1:${port}', '127.0.0.1:1']\n`,
    );
    serve = await startServe(['--config', config]);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    exporter?.close();
  });

  it('shows a healthy target and a broken one with its error', async () => {
    const { page } = browser;
    await page.goto(`${serve.url}#/targets`);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="target-row"]')];
      return rows.length >= 2 && rows.some((r) => r.textContent?.includes('UP')) && rows.some((r) => r.textContent?.includes('DOWN'));
    }, undefined, { timeout: 30_000 });
    const down = page.locator('[data-testid="target-row"]', { hasText: 'DOWN' });
    expect(await down.getByTestId('target-error').textContent()).toMatch(/connect|refused/i);
    const up = page.locator('[data-testid="target-row"]', { hasText: 'UP' });
    expect(await up.textContent()).toContain('job=demo');
    await up.getByRole('button', { name: '▸' }).click();
    await page.getByRole('button', { name: 'Check metrics' }).click();
    await page.waitForFunction(() => document.body.textContent?.includes('No problems found') || document.body.textContent?.includes('demo_requests_total:'));
    await screenshot(page, 'targets');
    expect(browser.consoleErrors).toEqual([]);
  });
});
