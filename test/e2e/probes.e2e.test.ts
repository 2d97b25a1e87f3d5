import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki } from '../main/probe/fixtures-pki.js';
import { httpsServer, type Closable } from '../main/probe/fixtures-servers.js';
import { chromiumMissingReason, foreignRequests, openBrowser, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

describe.skipIf(missing !== null)('Probes and the certificate panel in Chromium', () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;
  let server: Closable;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-probes-e2e-'));

  beforeAll(async () => {
    const pki = makePki(dir);
    server = await httpsServer(pki, 'leaf', ['int']);
    writeFileSync(
      join(dir, 'blackbox.yml'),
      `modules:\n  https_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      tls_config:\n        ca_file: ${pki.rootCrt}\n`,
    );
    writeFileSync(
      join(dir, 'vigil.yml'),
      `global:\n  scrape_interval: 1m\n  blackbox_config_file: blackbox.yml\n  probe_configs:\n    - job_name: web\n      module: https_2xx\n      targets: ['https://localhost:${server.port}/']\n      scrape_interval: 2s\n      scrape_timeout: 1s\nscrape_configs: []\n`,
    );
    serve = await startServe(['--config', join(dir, 'vigil.yml')]);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the probe as successful with every certificate of the chain and its days left', async () => {
    const { page } = browser;
    await page.goto(`${serve.url}#/targets`);
    const row = page.getByTestId('probe-row').first();
    await page.waitForFunction(() => document.querySelector('[data-testid="probe-row"]')?.textContent?.includes('SUCCESS'), undefined, { timeout: 30_000 });
    expect(await row.textContent()).toContain(`https://localhost:${server.port}/`);
    const panel = page.getByTestId('cert-panel');
    if (!(await panel.isVisible())) await row.getByRole('button', { name: '▸' }).click();
    await panel.waitFor();
    const subjects = await panel.locator('tbody tr').allTextContents();
    // The chain the server presents, leaf first: leaf and intermediate.
    expect(subjects.length).toBeGreaterThanOrEqual(2);
    expect(subjects[0]).toMatch(/CN=localhost/);
    const cells = async (i: number) => panel.locator('tbody tr').nth(i).locator('td').allTextContents();
    const [leaf, intermediate] = [await cells(0), await cells(1)];
    expect(leaf[2]).toBe(intermediate[1]); // the leaf's issuer is the next member's subject
    const days = await page.getByTestId('cert-days').allTextContents();
    expect(days.every((d) => /^\d+ d$/.test(d))).toBe(true);
    await screenshot(page, 'probes-cert-panel');
    expect(browser.consoleErrors).toEqual([]);
    expect(foreignRequests(browser.requests)).toEqual([]);
  });
});
