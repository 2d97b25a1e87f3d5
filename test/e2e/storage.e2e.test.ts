import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumMissingReason, dataDirWithWorkload, screenshot, serveAndBrowser } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

/** Scribbles over one leaf page of the chunks table, as a bad sector or a stray write would. */
function damageChunksPage(dataDir: string): void {
  const file = join(dataDir, 'tsdb', 'vigil.db');
  const raw = new Database(file, { readonly: true });
  const size = raw.pragma('page_size', { simple: true }) as number;
  const page = raw.prepare("SELECT pageno FROM dbstat WHERE name = 'chunks' AND pagetype = 'leaf' LIMIT 1 OFFSET 1").pluck().get() as number | undefined;
  raw.close();
  if (page === undefined) throw new Error('the imported data left no second leaf page in the chunks table to damage');
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(size, 0xa5), 0, size, (page - 1) * size);
  closeSync(fd);
}

describe.skipIf(missing !== null)(`Storage problems on every page, in Chromium against vigil serve${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const env = serveAndBrowser(() => {
    const dataDir = dataDirWithWorkload(400, 60);
    damageChunksPage(dataDir);
    return dataDir;
  });

  it('starts on a damaged database, quarantines it, says so in a banner, and still answers queries from what it salvaged', async () => {
    const { page } = env.browser;
    await page.goto(`${env.serve.url}#/explore`);
    const banner = page.getByTestId('storage-banner');
    await banner.waitFor({ timeout: 15_000 });
    const text = (await banner.textContent()) ?? '';
    const dir = /(\S*quarantine\S*?)[\s,.;:)]/.exec(text)?.[1];
    expect(text).toMatch(/damaged|corrupt|quarantin/i);
    expect(dir, text).toBeDefined();
    expect(existsSync(join(env.serve.dataDir, 'tsdb', 'quarantine'))).toBe(true);
    // The banner's message is the one the engine logged, once.
    expect(env.serve.output().split('\n').filter((l) => l.includes(dir!))).toHaveLength(1);
    await page.locator('.monaco-editor').first().waitFor();
    await screenshot(page, 'storage-quarantine');

    const answer = await page.evaluate(async () => {
      const res = await fetch('/api/vigil/query', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: 'count(last_over_time({job="fleet"}[2h]))' }) });
      return (await res.json()) as { result: { resultType: string; samples: Array<{ v: number }> } };
    });
    expect(answer.result.resultType).toBe('vector');
    expect(answer.result.samples[0]!.v).toBeGreaterThan(0);
    // The banner is on every page, not only the one that was open.
    await page.getByRole('link', { name: 'Status' }).click();
    await page.getByTestId('start-time').waitFor();
    expect(await page.getByTestId('storage-banner').isVisible()).toBe(true);
    expect(await page.getByTestId('storage-health').textContent()).toContain(dir!);
    // Once read, the notice can be put away; the Status page keeps it.
    await page.getByTestId('storage-banner').getByRole('button', { name: 'Dismiss' }).click();
    await page.getByTestId('storage-banner').waitFor({ state: 'detached' });
    expect(await page.getByTestId('storage-health').textContent()).toContain(dir!);
  });

  it('shows a paused ingestion as the engine reports it (status answer stubbed; the pause itself is tested in db-diskfull.test.ts)', async () => {
    const { page } = env.browser;
    await page.route('**/api/vigil/status', async (route) => {
      const res = await route.fetch();
      const status = (await res.json()) as { storage: Record<string, unknown> };
      status.storage = { paused: { sinceMs: Date.UTC(2026, 10, 26, 9, 30), message: 'SQLITE_FULL: database or disk is full' }, quarantine: null };
      await route.fulfill({ response: res, json: status });
    });
    await page.goto(`${env.serve.url}#/alerts`);
    await page.reload();
    const banner = page.getByTestId('storage-banner');
    await banner.filter({ hasText: 'Ingestion paused' }).waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toMatch(/SQLITE_FULL: database or disk is full\. New samples are not stored; queries keep working/);
    await screenshot(page, 'storage-paused');
    await page.unroute('**/api/vigil/status');
  });
});
