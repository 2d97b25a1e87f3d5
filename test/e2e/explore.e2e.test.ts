import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissingReason, dataDirWithWorkload, foreignRequests, openBrowser, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

describe.skipIf(missing !== null)('Explore in Chromium against vigil serve with imported data', () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;

  beforeAll(async () => {
    serve = await startServe([], dataDirWithWorkload(400, 60));
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  const editor = () => browser.page.getByTestId('editor-0').locator('.monaco-editor');
  async function setQuery(text: string) {
    await editor().click();
    await browser.page.keyboard.press('Control+A');
    await browser.page.keyboard.press('Delete');
    await browser.page.keyboard.type(text);
  }
  const suggestions = () => browser.page.locator('.suggest-widget .monaco-list-row');

  it('completes functions with their doc, and label names after `{`', async () => {
    const { page } = browser;
    await page.goto(`${serve.url}#/explore`);
    await editor().waitFor();
    await setQuery('rat');
    await suggestions().first().waitFor();
    const first = await suggestions().first().textContent();
    expect(first).toContain('rate');
    expect(first).toMatch(/per-second/i);
    await screenshot(page, 'explore-complete-function');

    await setQuery('http_requests_total{');
    await page.waitForFunction(() => [...document.querySelectorAll('.suggest-widget .monaco-list-row')].some((r) => r.textContent?.includes('handler')));
    const labels = await suggestions().allTextContents();
    expect(labels.join(' ')).toMatch(/code/);
    expect(labels.join(' ')).toMatch(/method/);
    await page.keyboard.press('Escape');
  });

  it('underlines a syntax error with Prometheus’ message', async () => {
    const { page } = browser;
    // Monaco closes brackets as they are typed; delete the final one to leave a parenthesis open.
    await setQuery('sum(rate(http_requests_total[5m]))');
    await page.keyboard.press('Escape');
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    // Diagnostics follow every keystroke; wait for the one of the final text.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="diagnostic"]')].some((d) => /unclosed left parenthesis/.test(d.textContent ?? '')));
    expect(await page.getByTestId('diagnostic').allTextContents()).toEqual(['unclosed left parenthesis']);
    // Monaco paints marker decorations on a later frame than React renders the list; wait for it.
    await page.locator('.squiggly-error').first().waitFor({ timeout: 5_000 });
    await screenshot(page, 'explore-syntax-error');
  });

  it('runs a query, draws the graph, zooms, switches to Table and Explain, exports CSV, and restores from the URL', async () => {
    const { page } = browser;
    await setQuery('sum by (code) (rate(http_requests_total[1m]))');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    const chart = page.getByTestId('chart');
    await chart.locator('canvas').waitFor();
    expect(await page.locator('.u-legend .u-series').count()).toBeGreaterThan(2);
    await screenshot(page, 'explore-graph');

    // Drag across the middle of the plot to zoom; the view becomes an absolute range.
    const box = (await chart.locator('.u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => window.location.hash.includes('start='));
    await chart.locator('canvas').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^timestamp,/);
    expect(csv.split('\n').length).toBeGreaterThan(3);

    await page.getByRole('tab', { name: 'Table' }).click();
    await page.getByTestId('result-table').waitFor();
    expect(await page.getByTestId('result-table').locator('tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'explore-table');

    await page.getByRole('tab', { name: 'Explain' }).click();
    await page.getByTestId('explain-tree').waitFor();
    // The tree fills in once the engine's explain answer arrives (the element mounts before it).
    await expect.poll(() => page.getByTestId('explain-tree').textContent(), { timeout: 15_000 }).toContain('http_requests_total');
    expect(await page.getByTestId('cost-line').first().textContent()).toMatch(/series/);
    await screenshot(page, 'explore-explain');

    await page.getByRole('tab', { name: 'Graph' }).click();
    await chart.locator('canvas').waitFor();
    const url = page.url();
    await page.goto('about:blank');
    await page.goto(url);
    await page.getByTestId('chart').locator('canvas').waitFor();
    expect((await editor().textContent())?.replace(/\u00a0/g, ' ')).toContain('sum by (code)');
    expect(page.url()).toBe(url);
    await screenshot(page, 'explore-restored');

    expect(browser.consoleErrors).toEqual([]);
    expect(foreignRequests(browser.requests)).toEqual([]);
  });

  it('shows an engine error in place of the graph and the editor keeps working', async () => {
    const { page } = browser;
    await setQuery('http_requests_total + on(handler) http_requests_total');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    const err = page.getByTestId('query-error');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/many-to-many|duplicate|multiple matches/);
    await setQuery('up');
    // Monaco paints typed text in its next animation frame: poll the visible lines, not the
    // whole editor element (whose text also holds Monaco's injected styles).
    await expect.poll(async () => ((await editor().locator('.view-lines').textContent()) ?? '').replace(/\u00a0/g, ' '), { timeout: 5_000 }).toBe('up');
  });
});
