import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { callChannel, chromiumMissingReason, dataDirWithWorkload, screenshot, serveAndBrowser } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

const call = callChannel;

/** Every panel element once none is loading: id, state, repeat source, Explore link. */
async function settled(page: Page) {
  await page.waitForFunction(() => {
    const ps = [...document.querySelectorAll('.dash-panel[data-panel-state]')];
    return ps.length > 0 && ps.every((p) => p.getAttribute('data-panel-state') !== 'loading');
  }, undefined, { timeout: 30_000 }).catch(async (e: unknown) => {
    console.log('panels when the wait timed out:', await page.evaluate(() => [...document.querySelectorAll('.dash-panel')].map((p) => `${p.getAttribute('data-panel-id')} ${p.getAttribute('data-panel-state')} ${p.textContent?.slice(0, 120)}`)));
    await screenshot(page, 'dashboards-repeat-timeout');
    throw e;
  });
  return page.evaluate(() =>
    [...document.querySelectorAll('.dash-panel[data-panel-state]')].map((p) => ({
      id: p.getAttribute('data-panel-id')!,
      state: p.getAttribute('data-panel-state')!,
      repeatOf: p.getAttribute('data-repeat-of'),
      title: p.querySelector('.dash-panel-title span')?.textContent ?? '',
      query: decodeURIComponent((p.querySelector('a.panel-link')?.getAttribute('href') ?? '').replace(/\+/g, ' ')),
    })),
  );
}

const repeatBoard = {
  uid: 'repeat-board',
  title: 'Repeats',
  tags: ['e2e'],
  time: { from: 'now-30m', to: 'now' },
  schemaVersion: 39,
  editable: true,
  links: [],
  annotations: { list: [] },
  templating: {
    list: [
      { name: 'method', type: 'query', query: 'label_values(http_requests_total, method)', multi: true, includeAll: true, current: { text: 'All', value: '$__all' } },
      { name: 'm2', type: 'custom', query: 'GET,POST,PUT', multi: true, current: { text: ['GET', 'POST'], value: ['GET', 'POST'] } },
    ],
  },
  panels: [
    {
      id: 1,
      type: 'timeseries',
      title: 'Requests $method',
      repeat: 'method',
      repeatDirection: 'h',
      maxPerRow: 4,
      gridPos: { x: 0, y: 0, w: 24, h: 6 },
      targets: [{ refId: 'A', expr: 'sum by (code) (rate(http_requests_total{method=~"$method"}[5m]))', legendFormat: '{{code}}' }],
    },
    { id: 10, type: 'row', title: 'Method $m2', repeat: 'm2', collapsed: false, gridPos: { x: 0, y: 6, w: 24, h: 1 }, panels: [] },
    { id: 11, type: 'stat', title: 'Series of $m2', gridPos: { x: 0, y: 7, w: 8, h: 4 }, targets: [{ refId: 'A', expr: 'count(http_requests_total{method=~"$m2"})' }] },
  ],
};

const panelsBoard = {
  ...repeatBoard,
  uid: 'panels-board',
  title: 'Stacking and table columns',
  templating: { list: [] },
  panels: [
    {
      id: 1,
      type: 'timeseries',
      title: 'Share by method',
      gridPos: { x: 0, y: 0, w: 12, h: 9 },
      fieldConfig: { defaults: { unit: 'reqps', custom: { stacking: { mode: 'percent', group: 'A' }, fillOpacity: 40 } }, overrides: [] },
      targets: [{ refId: 'A', expr: 'sum by (method) (rate(http_requests_total[5m]))', legendFormat: '{{method}}' }],
    },
    {
      id: 2,
      type: 'table',
      title: 'Requests by method',
      gridPos: { x: 12, y: 0, w: 12, h: 9 },
      transformations: [{ id: 'organize', options: { indexByName: { method: 0, Value: 1 }, renameByName: { Value: 'Requests' } } }],
      fieldConfig: {
        defaults: { thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 0 }] } },
        overrides: [
          { matcher: { id: 'byName', options: 'Requests' }, properties: [{ id: 'unit', value: 'short' }, { id: 'decimals', value: 0 }, { id: 'custom.cellOptions', value: { type: 'color-background' } }, { id: 'custom.width', value: 140 }] },
          { matcher: { id: 'byName', options: 'method' }, properties: [{ id: 'displayName', value: 'Method' }] },
        ],
      },
      targets: [{ refId: 'A', expr: 'sum by (method) (http_requests_total)', instant: true, format: 'table' }],
    },
  ],
};

describe.skipIf(missing !== null)(`Repeated panels and rows, percent stacking, table columns in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const env = serveAndBrowser(() => dataDirWithWorkload(400, 30));

  it('repeats a panel for every value of "All" and a row per selected value; each copy queries its own value; export holds no copies', async () => {
    const { page } = env.browser;
    await page.goto(`${env.serve.url}#/dashboards`);
    await call(page, 'saveDashboard', { dashboard: repeatBoard });
    await page.goto(`${env.serve.url}#/dashboards?uid=repeat-board`);
    await page.reload();
    const panels = await settled(page);
    // The saved range (now-30m) is not one of the picker's choices: it is shown as it is.
    expect(await page.getByLabel('Relative range').inputValue()).toBe('1800000');
    expect(await page.getByLabel('Relative range').evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent)).toBe('Last 30m');
    const requests = panels.filter((p) => p.id === '1' || p.repeatOf === '1');
    // The workload has four methods: "All" gives four copies, side by side, each with data.
    expect(requests.map((p) => p.title).sort()).toEqual(['Requests DELETE', 'Requests GET', 'Requests POST', 'Requests PUT']);
    expect(requests.every((p) => p.state === 'ok')).toBe(true);
    for (const p of requests) expect(p.query).toContain(`method=~"${p.title.slice('Requests '.length)}"`);
    const boxes = await page.locator('.dash-panel[data-panel-type="timeseries"]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    expect(new Set(boxes.map((t) => Math.round(t))).size).toBe(1);

    const rows = await page.locator('.dash-row').allTextContents();
    expect(rows.map((r) => r.replace(/[▾▸]\s*/, '').trim())).toEqual(['Method GET', 'Method POST']);
    const stats = panels.filter((p) => p.id === '11' || p.repeatOf === '11');
    expect(stats.map((p) => p.title)).toEqual(['Series of GET', 'Series of POST']);
    expect(stats.every((p) => p.state === 'ok')).toBe(true);
    await screenshot(page, 'dashboards-repeat-all');

    // One value selected: one panel, no copies.
    await page.getByLabel('Variable method').selectOption(['GET']);
    await page.waitForFunction(() => document.querySelectorAll('.dash-panel[data-panel-type="timeseries"]').length === 1);
    const one = await settled(page);
    expect(one.find((p) => p.id === '1')).toMatchObject({ title: 'Requests GET', state: 'ok' });
    expect(page.url()).toContain('var-method=GET');
    // The row copies kept their own elements: each stat shows its one count, not a copy's old data.
    for (const p of one.filter((q) => q.id === '11' || q.repeatOf === '11')) {
      expect(p.state).toBe('ok');
      expect((await page.locator(`[data-panel-id="${p.id}"] .dash-panel-body`).innerText()).trim()).toMatch(/^\d+$/);
    }
    await screenshot(page, 'dashboards-repeat-one');

    const exported = await call<{ json: string }>(page, 'exportDashboard', { uid: 'repeat-board', external: false });
    const json = JSON.parse(exported.json) as { panels: Array<{ id: number; repeat?: string }> };
    expect(json.panels.map((p) => p.id)).toEqual([1, 10, 11]);
    expect(json.panels[0]!.repeat).toBe('method');
    expect(exported.json).not.toMatch(/repeatPanelId|scopedVars|repeatedByRow/);

    // Edit mode over "All": copies cannot be edited on their own, and a save stores each panel once.
    await page.goto(`${env.serve.url}#/dashboards?uid=repeat-board&edit=1`);
    await page.reload();
    const editing = await settled(page);
    const copy = editing.find((p) => p.repeatOf === '1')!;
    expect(await page.locator(`[data-panel-id="${copy.id}"]`).getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await page.locator('[data-panel-id="1"]').getByRole('button', { name: 'Edit' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: /Saved version 2/ }).waitFor();
    const stored = await call<{ dashboard: { panels: Array<{ id: number }> } }>(page, 'dashboard', { uid: 'repeat-board' });
    expect(stored.dashboard.panels.map((p) => p.id)).toEqual([1, 10, 11]);
    expect(JSON.stringify(stored.dashboard)).not.toMatch(/repeatPanelId|scopedVars|repeatedByRow|gridKey/);
  });

  it('percent stacking tops out at 100 %; table columns are ordered, renamed, formatted and coloured as configured', async () => {
    const { page } = env.browser;
    await call(page, 'saveDashboard', { dashboard: panelsBoard });
    await page.goto(`${env.serve.url}#/dashboards?uid=panels-board`);
    await page.reload();
    const panels = await settled(page);
    expect(panels.map((p) => p.state)).toEqual(['ok', 'ok']);

    // Hover the chart: the top of a percent stack is 100 % whatever the rates are.
    const chart = (await page.locator('[data-panel-id="1"] .u-over').boundingBox())!;
    await page.mouse.move(chart.x + chart.width * 0.8, chart.y + chart.height / 2);
    const values = await page.locator('[data-panel-id="1"] .u-legend .u-series .u-value').allTextContents();
    expect(values.slice(1).map((v) => v.trim())).toEqual(expect.arrayContaining(['100%']));
    expect(values.slice(1).every((v) => /%$/.test(v.trim()))).toBe(true);

    const table = page.locator('[data-panel-id="2"] table');
    expect(await table.locator('th').allTextContents()).toEqual(['Method', 'Requests']);
    expect(await table.locator('th').nth(1).evaluate((e) => (e as HTMLElement).style.width)).toBe('140px');
    const cells = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => ({ text: td.textContent, bg: (td as HTMLElement).style.background }))));
    expect(cells.map((r) => r[0]!.text).sort()).toEqual(['DELETE', 'GET', 'POST', 'PUT']);
    for (const r of cells) {
      expect(r[1]!.text).toMatch(/^\d+(\.\d+)? ?[KMB]?\w*$/);
      expect(r[1]!.bg).not.toBe('');
    }
    await screenshot(page, 'dashboards-percent-table');
  });

  it('history: every save is a version; two versions compare by JSON path; an old one shows as JSON and restores as a new version', async () => {
    const { page } = env.browser;
    const v1 = { ...panelsBoard, uid: 'history-board', title: 'History' };
    const v2 = { ...v1, panels: v1.panels.map((p) => (p.id === 2 ? { ...p, title: 'Requests per method' } : p)) };
    await call(page, 'saveDashboard', { dashboard: v1, message: 'first' });
    await call(page, 'saveDashboard', { dashboard: v2, message: 'renamed the table', baseVersion: 1 });
    await page.goto(`${env.serve.url}#/dashboards?uid=history-board`);
    await page.reload();
    await settled(page);
    expect(await page.locator('[data-panel-id="2"] .dash-panel-title span').first().textContent()).toBe('Requests per method');

    await page.getByRole('button', { name: 'History' }).click();
    const history = page.getByRole('dialog', { name: 'Version history' });
    await history.locator('tr[data-version="1"]').waitFor();
    expect(await history.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-version')))).toEqual(['2', '1']);
    await history.getByRole('button', { name: 'Compare v1 → v2' }).click();
    const diff = page.getByTestId('version-diff');
    await diff.waitFor();
    expect(await diff.locator('li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-path')))).toEqual(['panels[1].title']);
    expect(await diff.locator('li del').textContent()).toBe('"Requests by method"');
    expect(await diff.locator('li ins').textContent()).toBe('"Requests per method"');

    await history.locator('tr[data-version="1"]').getByRole('button', { name: 'JSON' }).click();
    expect(await page.getByTestId('version-json').textContent()).toContain('"title": "Requests by method"');
    await screenshot(page, 'dashboards-history');

    await history.locator('tr[data-version="1"]').getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('status').filter({ hasText: 'Restored as version 3.' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-panel-id="2"] .dash-panel-title span')?.textContent === 'Requests by method');
    const versions = await call<{ versions: Array<{ version: number; restoredFrom: number | null }> }>(page, 'dashboardVersions', { uid: 'history-board' });
    expect(versions.versions.map((v) => [v.version, v.restoredFrom])).toEqual([
      [3, 1],
      [2, null],
      [1, null],
    ]);
    expect(await history.locator('tbody tr').first().getAttribute('data-version')).toBe('3');
    await screenshot(page, 'dashboards-history-restored');
  });
});
