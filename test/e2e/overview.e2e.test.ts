import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki } from '../main/probe/fixtures-pki.js';
import { httpsServer, type Closable } from '../main/probe/fixtures-servers.js';
import { chromiumMissingReason, foreignRequests, openBrowser, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

/** Console errors other than the browser's own line for an answer with an error status (a refused form). */
const realErrors = (errors: string[]) => errors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e));

describe.skipIf(missing !== null)(`the first-launch overview in Chromium against vigil serve${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;

  beforeAll(async () => {
    serve = await startServe();
    browser = await openBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('opens on the overview: this machine and Vigil running, nothing firing, how to add targets', async () => {
    const { page } = browser;
    await page.goto(serve.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 15_000 });
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(nav[0]).toBe('Overview');
    await expect.poll(() => page.getByTestId('running-host').getByTestId('job-health').textContent(), { timeout: 30_000 }).toBe('1 of 1 up');
    await expect.poll(() => page.getByTestId('running-self').getByTestId('job-health').textContent(), { timeout: 30_000 }).toBe('1 of 1 up');
    expect(await page.getByTestId('running-demoFleet').getByRole('switch').isChecked()).toBe(false);
    expect(await page.getByTestId('firing-count').textContent()).toMatch(/^\d+$/);
    expect(await page.getByRole('heading', { name: 'Adding targets' }).isVisible()).toBe(true);
  });

  it('switches the demo fleet on: scraped at once, and still on after a reload', async () => {
    const { page } = browser;
    await page.goto(serve.url);
    const row = page.getByTestId('running-demoFleet');
    await row.getByRole('switch').check();
    await expect.poll(() => row.getByTestId('job-health').textContent(), { timeout: 30_000 }).toBe('10 of 10 up');
    await page.reload();
    await expect.poll(() => page.getByTestId('running-demoFleet').getByRole('switch').isChecked(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('running-demoFleet').getByRole('link').getAttribute('href')).toBe('#/dashboards?uid=vigil-fleet');
  });

  it('refuses a bad website address in the form, saying why', async () => {
    const { page } = browser;
    await page.goto(serve.url);
    const form = page.getByRole('form', { name: 'Add a website' });
    await form.getByLabel('Address').fill('http://example.com');
    await form.getByRole('button', { name: 'Add a website' }).click();
    await expect.poll(() => page.getByTestId('website-error').textContent(), { timeout: 10_000 }).toMatch(/^"http:\/\/example\.com": plain http:\/\/ has no certificate/);
    expect(await page.getByTestId('website').count()).toBe(0);
    await screenshot(page, 'overview');
    expect(realErrors(browser.consoleErrors)).toEqual([]);
    expect(foreignRequests(browser.requests)).toEqual([]);
  });
});

describe.skipIf(missing !== null)('onboarding import in Chromium', () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;

  beforeAll(async () => {
    serve = await startServe();
    browser = await openBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  const rules = 'groups:\n  - name: imported\n    rules:\n      - alert: Down\n        expr: up == 0\n';
  const file = (name: string, text: string) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });

  it('shows a bad file with its line and applies nothing; a good set previews its targets and applies on confirmation', async () => {
    const { page } = browser;
    await page.goto(serve.url);
    const input = page.getByLabel('Files to import');
    await input.setInputFiles([file('prometheus.yml', 'global:\n  scrape_interval: soon\n')]);
    await page.getByTestId('import-preview').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('import-file').first().textContent()).toMatch(/prometheus\.yml:2: global\.scrape_interval/);
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);

    const config = 'rule_files: [rules.yml]\nscrape_configs:\n  - job_name: imported\n    static_configs:\n      - targets: ["127.0.0.1:9", "127.0.0.1:10"]\n    relabel_configs:\n      - source_labels: [__address__]\n        regex: ".*:10"\n        action: drop\n';
    await input.setInputFiles([file('prometheus.yml', config), file('rules.yml', rules)]);
    await expect.poll(() => page.getByTestId('import-jobs').textContent(), { timeout: 15_000 }).toContain('http://127.0.0.1:9/metrics');
    expect(await page.getByTestId('import-jobs').textContent()).toContain('1 dropped by relabeling');
    // Previewed, not started: the built-in jobs still run.
    expect(await page.getByTestId('running-host').getByRole('switch').isDisabled()).toBe(false);
    await screenshot(page, 'overview-import');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('import-done').textContent(), { timeout: 15_000 }).toMatch(/^Applied: Vigil now runs .*imported.*prometheus\.yml/);
    // The imported config runs now: its job is listed, this machine is up to the config.
    await expect.poll(() => page.getByTestId('running-config-job').first().textContent(), { timeout: 15_000 }).toContain('imported');
    expect(await page.getByTestId('running-host').getByRole('switch').isDisabled()).toBe(true);
    expect(realErrors(browser.consoleErrors)).toEqual([]);
  });
});

describe.skipIf(missing !== null)('"Add a website" in Chromium', () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;
  let server: Closable;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-overview-e2e-'));

  beforeAll(async () => {
    const pki = makePki(dir);
    server = await httpsServer(pki, 'leaf', ['int']);
    // The built-in website module trusts the system's CAs; the user's module of the same name wins.
    writeFileSync(join(dir, 'blackbox.yml'), `modules:\n  vigil_website:\n    prober: http\n    http:\n      fail_if_not_ssl: true\n      tls_config:\n        ca_file: ${pki.rootCrt}\n`);
    writeFileSync(join(dir, 'vigil.yml'), 'global:\n  blackbox_config_file: blackbox.yml\nscrape_configs: []\n');
    serve = await startServe(['--config', join(dir, 'vigil.yml')]);
    browser = await openBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('probes a new website at once and shows its certificate chain', async () => {
    const { page } = browser;
    await page.goto(serve.url);
    // With a config file, this machine and Vigil itself are the config's business.
    await expect.poll(() => page.getByTestId('running-host').getByRole('switch').isDisabled(), { timeout: 15_000 }).toBe(true);
    const form = page.getByRole('form', { name: 'Add a website' });
    await form.getByLabel('Address').fill(`localhost:${server.port}`);
    await form.getByLabel('Name').fill('Shop');
    await form.getByRole('button', { name: 'Add a website' }).click();
    const site = page.getByTestId('website');
    await expect.poll(() => site.getByTestId('website-state').textContent(), { timeout: 15_000 }).toBe('UP');
    expect(await site.textContent()).toContain(`Shop https://localhost:${server.port}/`);
    const rows = await site.getByTestId('cert-panel').locator('tbody tr').count();
    expect(rows).toBe(2);
    expect(await site.getByTestId('cert-days').first().textContent()).toMatch(/^\d+ d$/);
    expect(await site.getByRole('link', { name: 'Certificates dashboard' }).getAttribute('href')).toBe(
      `#/dashboards?uid=vigil-certificates&var-probe=${encodeURIComponent(`https://localhost:${server.port}/`)}`,
    );
    await screenshot(page, 'overview-website');
    expect(realErrors(browser.consoleErrors)).toEqual([]);
  });
});
