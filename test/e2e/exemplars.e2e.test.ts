// Exemplars in Explore, in Chromium against `vigil serve`: a target serves a classic histogram
// whose buckets carry exemplars (trace ids); with the query's "Exemplars" toggle on, diamonds are
// drawn on the graph, hovering one shows its labels, value and trace id, and clicking it opens the
// tracing URL template saved in the page with the trace id filled in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callChannel, chromiumMissingReason, openBrowser, screenshot, startServe, type BrowserHandle, type ServeHandle } from './harness.js';

const missing = chromiumMissingReason();
if (missing !== null && process.env['CI']) throw new Error(`e2e needs Chromium in CI: ${missing}`);

/** Counts grow by 1/s (≤ 0.25) and 4/s (≤ 1, all): the 0.9 quantile of the rate is 0.9, the 0.1 quantile 0.1. */
function page(t0: number): string {
  const s = Math.floor((Date.now() - t0) / 1000) + 10;
  const window = Math.floor(Date.now() / 5000) * 5;
  return `# TYPE rpc_seconds histogram
rpc_seconds_bucket{le="0.25"} ${s} # {trace_id="fast${window}"} 0.2 ${window}
rpc_seconds_bucket{le="1"} ${4 * s} # {trace_id="slow${window}"} 0.7 ${window}.5
rpc_seconds_bucket{le="+Inf"} ${4 * s}
rpc_seconds_count ${4 * s}
rpc_seconds_sum ${2 * s}
# EOF
`;
}

describe.skipIf(missing !== null)(`exemplars on the Explore graph in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let serve: ServeHandle;
  let browser: BrowserHandle;
  let target: http.Server;
  let dir = '';

  beforeAll(async () => {
    const t0 = Date.now();
    target = http.createServer((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
      res.end(page(t0));
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-ex-'));
    const config = join(dir, 'vigil.yml');
    // The classic histogram is also stored converted (NHCB, under rpc_seconds) for the histogram view.
    writeFileSync(config, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: rpc\n    convert_classic_histograms_to_nhcb: true\n    always_scrape_classic_histograms: true\n    static_configs:\n      - targets: ['127.0.0.1:${(target.address() as AddressInfo).port}']\n`);
    serve = await startServe(['--config', config]);
    browser = await openBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('draws exemplar dots, shows one on hover and opens its trace on click', async () => {
    const { page: p } = browser;
    await p.goto(serve.url);
    const q90 = 'histogram_quantile(0.9, rate(rpc_seconds_bucket[10s]))';
    // Some seconds of scrapes, so the rate has points and exemplars are stored.
    await expect
      .poll(
        async () => {
          const r = await callChannel<{ result: { samples?: unknown[] } }>(p, 'query', { query: q90, time: Date.now() - 3000 });
          return r.result.samples?.length ?? 0;
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(1);
    const hash = new URLSearchParams({ q0: q90, ex0: '1', q1: 'histogram_quantile(0.1, rate(rpc_seconds_bucket[10s]))', range: '120000', tab: 'graph' });
    await p.goto(`${serve.url}#/explore?${hash.toString()}`);
    const plot = p.locator('.explore .uplot');
    await plot.waitFor({ timeout: 30_000 });
    await expect.poll(async () => Number((await plot.getAttribute('data-exemplars')) ?? '0'), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await p.getByLabel('Query 1 exemplars').isChecked()).toBe(true);
    expect(await p.getByLabel('Query 2 exemplars').isChecked()).toBe(false);

    // Save a tracing URL template through the page's setting.
    const input = p.getByLabel('Tracing URL');
    await input.fill('http://127.0.0.1:16686/trace/${traceId}');
    await p.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await callChannel<{ settings: { tracingUrl: string } }>(p, 'setup', {})).settings.tracingUrl).toBe('http://127.0.0.1:16686/trace/${traceId}');

    // Hover the first exemplar drawn.
    const [x, y] = ((await plot.getAttribute('data-exemplar-at')) ?? '').split(',').map(Number) as [number, number];
    const over = await p.locator('.explore .uplot .u-over').boundingBox();
    await p.mouse.move(over!.x + x, over!.y + y);
    const tip = p.getByTestId('exemplar-tooltip');
    await expect.poll(async () => tip.isVisible()).toBe(true);
    const text = (await tip.textContent()) ?? '';
    expect(text).toMatch(/rpc_seconds_bucket\{instance="127\.0\.0\.1:\d+", job="rpc", le="(0\.25|1)"\}/);
    const id = /trace id ((fast|slow)\d+)/.exec(text)?.[1];
    expect(id, text).toBeDefined();
    // Formatted in the query's unit (seconds, from the metric name).
    expect(text).toContain(id!.startsWith('fast') ? 'value 200 ms' : 'value 700 ms');
    expect(text).toContain('click to open the trace');
    await screenshot(p, 'exemplars-hover');

    // Clicking opens the trace in the tracing UI (window.open stubbed to record the address).
    await p.evaluate(() => {
      (window as unknown as { opened: string[] }).opened = [];
      window.open = (u?: string | URL) => ((window as unknown as { opened: string[] }).opened.push(String(u)), null);
    });
    await p.mouse.click(over!.x + x, over!.y + y);
    expect(await p.evaluate(() => (window as unknown as { opened: string[] }).opened)).toEqual([`http://127.0.0.1:16686/trace/${id!}`]);
    expect(browser.consoleErrors).toEqual([]);
  }, 120_000);

  it('graphs a native histogram as its quantiles with a heatmap of its buckets', async () => {
    const { page: p } = browser;
    const hash = new URLSearchParams({ q0: 'rate(rpc_seconds[10s])', range: '120000', tab: 'graph' });
    await p.goto(`${serve.url}#/explore?${hash.toString()}`);
    // Explore reads its view from the address when it opens: open it afresh.
    await p.reload();
    const heatmap = p.getByTestId('explore-heatmap');
    await heatmap.waitFor({ timeout: 30_000 });
    // Custom buckets (0.25, 1] and +Inf: the first two hold observations.
    expect(await heatmap.locator('canvas').getAttribute('aria-label')).toMatch(/^heatmap of [23] buckets$/);
    const legend = p.locator('.explore .u-legend');
    await expect.poll(async () => (await legend.textContent()) ?? '', { timeout: 20_000 }).toContain('quantile="0.99"');
    const text = (await legend.textContent()) ?? '';
    for (const q of ['0.5', '0.9', '0.99']) expect(text).toContain(`quantile="${q}"`);
    // The 0.9 quantile of the rate (1/s up to 0.25, 3/s in (0.25, 1]) is 0.9; the axis holds it.
    const chart = p.locator('.explore').getByTestId('chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-y-max')), { timeout: 10_000 }).toBeGreaterThanOrEqual(0.9);
    await screenshot(p, 'explore-native-histogram');
    expect(browser.consoleErrors).toEqual([]);
  }, 60_000);

  it('dashboards: a heatmap panel draws the native histogram; a time-series target with exemplar: true shows exemplars', async () => {
    const { page: p } = browser;
    const board = {
      uid: 'nh-board',
      title: 'Native histograms',
      tags: [],
      // A short range, so the step is a few seconds: the target has been scraped for well under a minute.
      time: { from: 'now-1m', to: 'now' },
      schemaVersion: 39,
      editable: true,
      links: [],
      annotations: { list: [] },
      templating: { list: [] },
      panels: [
        { id: 1, type: 'heatmap', title: 'Latency buckets', gridPos: { x: 0, y: 0, w: 12, h: 8 }, targets: [{ refId: 'A', expr: 'sum(rate(rpc_seconds[10s]))' }] },
        {
          id: 2,
          type: 'timeseries',
          title: 'p90 latency',
          gridPos: { x: 12, y: 0, w: 12, h: 8 },
          // The 0.1 quantile too, so the y axis (0.1 … 0.9) holds the exemplars' values (0.2, 0.7).
          targets: [
            { refId: 'A', expr: 'histogram_quantile(0.9, sum by (le) (rate(rpc_seconds_bucket[10s])))', exemplar: true },
            { refId: 'B', expr: 'histogram_quantile(0.1, sum by (le) (rate(rpc_seconds_bucket[10s])))' },
          ],
        },
      ],
    };
    await callChannel(p, 'saveDashboard', { dashboard: board });
    await p.goto(`${serve.url}#/dashboards?uid=nh-board`);
    await p.reload();
    const panel = p.locator('.dash-panel[data-panel-id="1"]');
    const heat = panel.locator('canvas.heatmap');
    // No refresh: the first read draws it. (It used to read "No data" about 1 run in 4: panels
    // stepped at Grafana's default 15 s, so the one-minute range ended up to 15 s before now,
    // before this young target's first rate; they now step at the engine's 1 s scrape interval.)
    await heat.waitFor({ timeout: 20_000 }).catch(async (e: unknown) => {
      await screenshot(p, 'dashboard-native-histogram-failed');
      throw new Error(`no heatmap; the panel (${await panel.getAttribute('data-panel-state')}) says: ${await panel.textContent()}`, { cause: e });
    });
    expect(await heat.getAttribute('aria-label')).toMatch(/^heatmap of [23] buckets$/);
    // Some cell is painted (the canvas is not blank).
    const painted = await heat.evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(100);
    const plot = p.locator('.dash-panel[data-panel-id="2"] .uplot');
    await expect.poll(async () => Number((await plot.getAttribute('data-exemplars')) ?? '0'), { timeout: 20_000 }).toBeGreaterThan(0);
    await screenshot(p, 'dashboard-native-histogram');
    expect(browser.consoleErrors).toEqual([]);
  }, 60_000);
});
