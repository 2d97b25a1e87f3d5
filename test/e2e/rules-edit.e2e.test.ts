import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissingReason, openBrowser, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

describe.skipIf(missing !== null)('editing a rule file on the Rules page', () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-edit-'));
  const rulesFile = join(dir, 'rules.yml');

  beforeAll(async () => {
    writeFileSync(rulesFile, 'groups:\n  - name: demo\n    rules:\n      - alert: AlwaysOn\n        expr: vector(1) > 0\n        for: 1m\n');
    writeFileSync(join(dir, 'vigil.yml'), 'global:\n  evaluation_interval: 5s\nrule_files: [rules.yml]\nscrape_configs: []\n');
    serve = await startServe(['--config', join(dir, 'vigil.yml')]);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a broken rule with promtool’s message, then saves a fixed one and reloads it', async () => {
    const { page } = browser;
    await page.goto(`${serve.url}#/rules`);
    await page.getByRole('button', { name: 'Edit rule file' }).click();
    const text = page.getByRole('textbox', { name: `Edit ${rulesFile}` });
    await text.waitFor();
    await text.fill((await text.inputValue()).replace('vector(1) > 0', 'rate(up)'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('rule-file-errors').waitFor();
    expect(await page.getByTestId('rule-file-errors').textContent()).toMatch(/rules\.yml: 5:\d+: .*expected type range vector in call to function "rate"/);
    expect(readFileSync(rulesFile, 'utf8')).toContain('vector(1) > 0');
    await screenshot(page, 'rules-edit-error');
    await text.fill((await text.inputValue()).replace('rate(up)', 'vector(2) > 1').replace('AlwaysOn', 'AlwaysOnEdited'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForFunction(() => (document.body.textContent ?? '').includes('AlwaysOnEdited') && (document.body.textContent ?? '').includes('Saved.'), undefined, { timeout: 15_000 });
    expect(readFileSync(rulesFile, 'utf8')).toContain('AlwaysOnEdited');
    expect(browser.consoleErrors).toEqual([]);
  });
});
