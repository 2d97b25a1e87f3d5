/* global window, document, requestAnimationFrame, MutationObserver */
// npm run bench:topology — the topology view on W-mesh (200 services, 1,000 edges, Linkerd
// labels, scraped every 5 s) next to W-fleet (10 targets × 2,000 series): the engine's cost of
// the graph's queries, layout time in the page's worker, frame time p95 while panning and
// zooming (target < 16 ms) and refresh → picture updated (target < 100 ms), in Debian's Chromium
// against `vigil serve`. docs/benchmarks.md describes the workloads.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, median } from './peers.js';
import { openChromium, startVigilServe, startWorkload } from './vigil-system.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.log(`skipped: Chromium not found at ${chromiumPath}`);
  process.exit(0);
}


const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length * 0.95) - 1)];
const dir = mkdtempSync(join(tmpdir(), 'bench-topology-'));
const mesh = await startWorkload(['--mesh', 'linkerd', '--services', '200', '--edges', '1000']);
const fleet = await startWorkload(['--targets', '10', '--series', '2000']);
const config = join(dir, 'vigil.yml');
const list = (g) => g.targets.map((t) => `'${t}'`).join(', ');
writeFileSync(
  config,
  `global:\n  scrape_interval: 5s\n  scrape_timeout: 4s\nscrape_configs:\n  - job_name: mesh\n    static_configs:\n      - targets: [${list(mesh.group)}]\n  - job_name: fleet\n    static_configs:\n      - targets: [${list(fleet.group)}]\n`,
);
const serve = await startVigilServe(join(dir, 'data'), ['--config', config]);
const chrome = await openChromium(chromiumPath, 'bench-topology-chromium-');
const { page } = chrome;
try {
  // Three scrapes, so every edge has a rate over the 1 min window.
  await new Promise((r) => setTimeout(r, 16_000));
  await page.goto(`${serve.url}/#/topology`);

  // Engine cost: the topology channel as the page calls it, five times, once its graph has every
  // edge (on a loaded machine three scrapes can take longer than the wait above).
  const engine = [];
  for (let i = 0; i < 5; i++) {
    if (i === 0) {
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        const edges = await page.evaluate(async () => {
          const r = await fetch('/api/vigil/topology', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
          const body = await r.json();
          return (body.value ?? body.result ?? body).edges?.length ?? 0;
        });
        if (edges >= 1000) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    engine.push(
      await page.evaluate(async () => {
        const t0 = performance.now();
        const r = await fetch('/api/vigil/topology', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
        const body = await r.json();
        const ms = performance.now() - t0;
        const answer = body.value ?? body.result ?? body;
        return { ms, queries: answer.queries?.length ?? 0, queryMs: (answer.queries ?? []).reduce((a, q) => a + q.ms, 0), edges: answer.edges?.length ?? 0, nodes: answer.nodes?.length ?? 0 };
      }),
    );
  }

  // Layout in the worker: the first picture of 200 nodes.
  await page.waitForFunction(() => Number(document.querySelector('.topology-canvas')?.getAttribute('data-layout-ms')) > 0 && document.querySelectorAll('[data-node-id]').length >= 190, undefined, { timeout: 180_000 }).catch(async (err) => {
    console.error(`the picture did not come: ${(await page.locator('.topology-page').textContent().catch(() => '')).slice(0, 600)}`);
    throw err;
  });
  const layoutMs = Number(await page.locator('.topology-canvas').getAttribute('data-layout-ms'));
  const shown = await page.evaluate(() => ({ nodes: document.querySelectorAll('[data-node-id]').length, edges: document.querySelectorAll('[data-edge-id]').length }));

  // Frame times while panning and zooming: requestAnimationFrame intervals during 120 wheel
  // steps and 120 drag moves.
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (!window.__stopFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const box = await page.locator('[data-testid="topology-graph"]').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  for (let i = 0; i < 120; i++) await page.mouse.wheel(0, i < 60 ? -40 : 40);
  await page.mouse.down();
  for (let i = 0; i < 120; i++) await page.mouse.move(cx + Math.sin(i / 10) * 200, cy + Math.cos(i / 10) * 120);
  await page.mouse.up();
  // The frame that commits the gesture to the drawing (one re-raster) is counted too.
  await page.waitForTimeout(400);
  const frames = await page.evaluate(() => {
    window.__stopFrames = true;
    return window.__frames.slice(2);
  });

  // Refresh → picture updated: Refresh is clicked in the page; when the new answer's time is on
  // the picture, a frame is awaited (requestAnimationFrame, then a task after that frame's
  // paint). Two figures: from the click (includes the engine's answer) and from the answer's
  // last byte (resource timing's responseEnd: the page's own cost — parsing, checks, React,
  // style, paint); positions are reused, so no layout runs.
  const refresh = [];
  for (let i = 0; i < 5; i++) {
    await page.waitForTimeout(1200);
    refresh.push(
      await page.evaluate(
        () =>
          new Promise((resolve, reject) => {
            const canvas = document.querySelector('.topology-canvas');
            const before = canvas.getAttribute('data-answer-time');
            const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Refresh');
            const timer = setTimeout(() => reject(new Error('no new answer within 60 s')), 60_000);
            const mo = new MutationObserver(() => {
              if (canvas.getAttribute('data-answer-time') === before) return;
              mo.disconnect();
              requestAnimationFrame(() =>
                setTimeout(() => {
                  clearTimeout(timer);
                  const t = performance.now();
                  const answer = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/api/vigil/topology')).at(-1);
                  resolve({ click: t - t0, page: t - answer.responseEnd });
                }),
              );
            });
            mo.observe(canvas, { attributes: true, attributeFilter: ['data-answer-time'] });
            const t0 = performance.now();
            button.click();
          }),
      ),
    );
  }
  const engineMedian = median(engine.map((e) => e.ms));

  console.log(`# Vigil topology benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${JSON.stringify(machine())}`);
  console.log(`W-mesh 200 services / 1,000 edges (Linkerd labels) + W-fleet 10 × 2,000 series, scraped every 5 s; graph: ${engine[0].nodes} nodes, ${engine[0].edges} edges; ${shown.nodes} nodes and ${shown.edges} edges drawn`);
  console.log('\n| figure | Vigil | target |');
  console.log('|---|---|---|');
  console.log(`| engine: topology channel, median of 5 (${engine[0].queries} queries) | ${engineMedian.toFixed(0)} ms (queries ${median(engine.map((e) => e.queryMs)).toFixed(0)} ms) | — |`);
  console.log(`| layout in the worker (fCoSE), first picture | ${layoutMs.toFixed(0)} ms | — |`);
  // rAF intervals: at 60 Hz a frame on time is 16.7 ms, so "< 16 ms" reads as no frame missed.
  const late = frames.filter((f) => f > 20).length;
  console.log(`| frame time p95 while panning/zooming (${frames.length} frames, requestAnimationFrame intervals) | ${p95(frames).toFixed(1)} ms (median ${median(frames).toFixed(1)} ms; ${late} frames over 20 ms, longest ${Math.max(...frames).toFixed(0)} ms) | < 16 ms (one 60 Hz interval, 16.7) |`);
  const clicks = refresh.map((r) => r.click);
  const pages = refresh.map((r) => r.page);
  console.log(`| refresh → picture updated, median of 5 (click → painted, includes the engine's answer) | ${median(clicks).toFixed(0)} ms (min ${Math.min(...clicks).toFixed(0)} ms) | < 100 ms |`);
  console.log(`| answer received → picture updated, median of 5 (the page's part of a refresh) | ${median(pages).toFixed(0)} ms (max ${Math.max(...pages).toFixed(0)} ms) | < 100 ms |`);
} finally {
  await chrome.close();
  await serve.stop();
  mesh.stop();
  fleet.stop();
  rmSync(dir, { recursive: true, force: true });
}
