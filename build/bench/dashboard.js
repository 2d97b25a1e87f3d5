/* global window, document */
// npm run bench:dashboard — W-dash (docs/benchmarks.md): a 30-panel dashboard of every kind
// (time series, stat, gauge, bar gauge, table, heatmap) over W-fleet scraped at 5 s by
// `vigil serve`, in Debian's Chromium. Figures: navigation → every panel on screen drawn (median
// of 5 fresh loads), the longest main-thread task while the dashboard refreshes every 5 s, and
// the engine's event-loop lag p99 over that minute (vigil_event_loop_lag_last_minute_seconds).
//   node build/bench/dashboard.js [--targets 50] [--series 2000] [--seconds 60] [--no-range-cache]
// (--no-range-cache runs `vigil serve --query.range-cache-size off`: the same build without the cache.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBenchChromium, requireChromium } from './chromium.js';
import { fleetConfig, metricValue, startFleet } from './fleet.js';
import { machine, median } from './peers.js';
import { startVigilServe } from './vigil-system.js';

requireChromium();
const { values } = parseArgs({ options: { targets: { type: 'string', default: '50' }, series: { type: 'string', default: '2000' }, seconds: { type: 'string', default: '60' }, 'no-range-cache': { type: 'boolean', default: false } } });

/** The W-dash board: 30 panels, 6 per kind-mix row, reading W-fleet's series. */
function wdash() {
  const kinds = [
    ['timeseries', 'sum by (handler) (rate(http_requests_total{instance=~"$instance"}[$__rate_interval]))', 8, 8],
    ['timeseries', 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))', 8, 8],
    ['timeseries', 'topk(5, sum by (deployment, dst_deployment) (rate(response_total[$__rate_interval])))', 8, 8],
    ['stat', 'sum(rate(http_requests_total{instance=~"$instance",code=~"5.."}[$__rate_interval]))', 4, 4],
    ['gauge', 'avg(cache_hit_ratio{instance=~"$instance"})', 4, 4],
    ['bargauge', 'topk(5, avg by (instance) (queue_depth))', 8, 4],
    ['table', 'topk(10, sum by (instance) (process_resident_memory_bytes))', 8, 6],
    ['heatmap', 'sum by (le) (rate(http_request_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval]))', 12, 8],
    ['timeseries', 'sum by (instance) (rate(process_cpu_seconds_total[$__rate_interval]))', 12, 8],
    ['stat', 'count(up == 1)', 4, 4],
  ];
  const panels = [];
  let x = 0;
  let y = 0;
  let rowH = 0;
  for (let i = 0; i < 30; i++) {
    const [type, expr, w, h] = kinds[i % kinds.length];
    if (x + w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    const instant = type === 'table' || type === 'bargauge';
    panels.push({
      id: i + 1,
      type,
      title: `${type} ${i + 1}`,
      gridPos: { x, y, w, h },
      targets: [{ refId: 'A', expr, ...(instant ? { instant: true } : {}), ...(type === 'heatmap' ? { format: 'heatmap' } : {}), legendFormat: '' }],
      fieldConfig: { defaults: {}, overrides: [] },
    });
    x += w;
    rowH = Math.max(rowH, h);
  }
  return {
    uid: 'w-dash',
    title: 'W-dash',
    tags: ['bench'],
    time: { from: 'now-15m', to: 'now' },
    refresh: '',
    schemaVersion: 39,
    editable: true,
    links: [],
    annotations: { list: [] },
    templating: { list: [{ name: 'instance', type: 'query', query: 'label_values(up{job="fleet"}, instance)', multi: true, includeAll: true, current: { value: ['$__all'] } }] },
    panels,
  };
}

const fleet = await startFleet(Number(values.targets), Number(values.series));
const dir = mkdtempSync(join(tmpdir(), 'bench-dash-'));
const config = join(dir, 'vigil.yml');
writeFileSync(config, fleetConfig(fleet.addresses, '5s'));
const serve = await startVigilServe(join(dir, 'data'), ['--config', config, ...(values['no-range-cache'] ? ['--query.range-cache-size', 'off'] : [])]);
const browser = await launchBenchChromium('dash');
const { ctx, page } = browser;
try {
  process.stderr.write(`W-fleet ${values.targets} × ${values.series} scraped at 5 s; warming up 30 s…\n`);
  await new Promise((r) => setTimeout(r, 30_000));
  const res = await fetch(`${serve.url}/api/vigil/saveDashboard`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dashboard: wdash() }) });
  if (!res.ok) throw new Error(`saveDashboard: ${await res.text()}`);

  // Navigation → every panel on screen out of `loading` (ok, nodata or error), fresh loads.
  const paints = [];
  const states = [];
  const loads = [];
  // Where each fresh load's time went before the first panel load: main script fetched, main
  // chunk run, dashboard read, variables resolved (marks set by the renderer).
  const phases = { 'main script fetched': [], 'vigil:main-chunk-run': [], 'vigil:dashboard-read': [], 'vigil:variables-ready': [], 'first panel load started': [] };
  // The engine requests each fresh load makes, by channel (duplicates and off-screen panels show here).
  const requests = [];
  const perLoad = [];
  page.on('request', (r) => {
    const m = /\/api\/vigil\/(\w+)/.exec(r.url());
    if (m) requests.push(`${m[1]} ${r.postData() ?? ''}`);
  });
  for (let i = 0; i < 5; i++) {
    if (i > 0) perLoad.push(requests.splice(0));
    await page.goto('about:blank');
    await page.goto(`${serve.url}/#/dashboards?uid=w-dash`);
    const t = await page.waitForFunction(
      () => {
        const inView = [...document.querySelectorAll('.dash-panel[data-panel-state]')].filter((p) => p.getBoundingClientRect().top < window.innerHeight);
        if (inView.length === 0 || inView.some((p) => p.getAttribute('data-panel-state') === 'loading')) return false;
        return { ms: performance.now(), states: inView.map((p) => p.getAttribute('data-panel-state')) };
      },
      undefined,
      { polling: 'raf', timeout: 120_000 },
    );
    const r = await t.jsonValue();
    paints.push(r.ms);
    states.push(r.states);
    // Where the time went: each panel's load (its queries, measured by PanelFrame).
    const panelLoads = await page.evaluate(() => performance.getEntriesByType('measure').filter((m) => m.name.startsWith('vigil:panel-load:')).map((m) => ({ start: m.startTime, ms: m.duration })));
    loads.push(...panelLoads);
    const marks = await page.evaluate(() => ({
      'main script fetched': performance.getEntriesByType('resource').find((e) => /\/assets\/index-[^/]*\.js$/.test(e.name))?.responseEnd ?? null,
      ...Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('vigil:')).map((m) => [m.name, m.startTime])),
    }));
    marks['first panel load started'] = Math.min(...panelLoads.map((l) => l.start));
    if (process.env['BENCH_VERBOSE']) {
      // The load's waterfall: every fetch (script, chunk, channel) and mark, by start time.
      const entries = await page.evaluate(() => [
        ...performance.getEntriesByType('resource').map((e) => ({ at: e.startTime, end: e.responseEnd, what: e.name.replace(/^https?:\/\/[^/]+/, '') })),
        ...performance.getEntriesByType('mark').map((m) => ({ at: m.startTime, end: m.startTime, what: `mark ${m.name}` })),
      ]);
      process.stderr.write(`load ${i + 1}:\n${entries.sort((a, b) => a.at - b.at).map((e) => `  ${e.at.toFixed(0).padStart(5)} → ${e.end.toFixed(0).padStart(5)} ms  ${e.what}`).join('\n')}\n`);
    }
    for (const [k, list] of Object.entries(phases)) if (typeof marks[k] === 'number') list.push(marks[k]);
  }

  perLoad.push(requests.splice(0));
  const byChannel = {};
  for (const r of perLoad[perLoad.length - 1]) byChannel[r.split(' ')[0]] = (byChannel[r.split(' ')[0]] ?? 0) + 1;
  const queryBodies = perLoad[perLoad.length - 1].filter((r) => /^query(Range)? /.test(r)).map((r) => r.replace(/"queryId":"[^"]*",?/, ''));
  const duplicates = queryBodies.length - new Set(queryBodies).size;
  if (process.env['BENCH_VERBOSE']) process.stderr.write(`last fresh load's requests:\n${perLoad[perLoad.length - 1].join('\n')}\n`);

  // Longest main-thread task while the board refreshes every 5 s.
  const seconds = Number(values.seconds);
  await page.goto('about:blank');
  await page.goto(`${serve.url}/#/dashboards?uid=w-dash&refresh=5s`);
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((l) => window.__longTasks.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: true });
  });
  await page.waitForTimeout(5000);
  await page.evaluate(() => {
    window.__longTasks = [];
    performance.clearMeasures();
  });
  process.stderr.write(`refreshing every 5 s for ${seconds} s…\n`);
  await page.waitForTimeout(seconds * 1000);
  const tasks = await page.evaluate(() => window.__longTasks);
  const refreshLoads = await page.evaluate(() => performance.getEntriesByType('measure').filter((m) => m.name.startsWith('vigil:panel-load:')).length);
  const lag = (q) => metricValue(`${serve.url}/metrics`, 'vigil_event_loop_lag_last_minute_seconds', (rest) => rest.includes(`quantile="${q}"`));
  const lagP99 = await lag('0.99');
  const lagMax = await lag('1');
  const shown = states[0];

  console.log(`# Vigil dashboard benchmark (W-dash) — ${new Date().toISOString()}`);
  console.log(`machine: ${JSON.stringify(machine())}, Chromium ${ctx.browser()?.version() ?? 'headless'}`);
  console.log(`range result cache: ${values['no-range-cache'] ? 'off' : 'on'}`);
  console.log(`W-fleet ${values.targets} targets × ${values.series} series at 5 s; 30 panels, ${shown.length} on screen at 1360×860 (${shown.filter((s) => s === 'ok').length} ok, ${shown.filter((s) => s !== 'ok').join(', ') || 'none other'})`);
  console.log('\n| figure | Vigil | target |');
  console.log('|---|---|---|');
  console.log(`| navigation → every panel on screen drawn, median of 5 (all: ${paints.map((p) => p.toFixed(0)).join(', ')}) | ${median(paints).toFixed(0)} ms | < 1,500 ms |`);
  console.log(`|   of which: first panel load started at (median), panel load time (median / max) | ${median(loads.map((l) => l.start)).toFixed(0)} ms; ${median(loads.map((l) => l.ms)).toFixed(0)} / ${Math.max(...loads.map((l) => l.ms)).toFixed(0)} ms | — |`);
  console.log(`|   of which, per fresh load (median): ${Object.entries(phases).map(([k, v]) => `${k.replace(/^vigil:/, '')} ${v.length ? median(v).toFixed(0) : '—'}`).join(', ')} ms | — | — |`);
  console.log(`|   engine requests of the last fresh load, by channel (identical queries) | ${JSON.stringify(byChannel)} (${duplicates} duplicate) | — |`);
  console.log(`| longest main-thread task while refreshing every 5 s for ${seconds} s (${refreshLoads} panel loads) | ${tasks.length ? Math.max(...tasks).toFixed(0) : '< 50'} ms (${tasks.length} tasks > 50 ms) | < 50 ms |`);
  console.log(`| engine event-loop lag p99 over the last minute (max) | ${lagP99 === null ? '—' : (lagP99 * 1000).toFixed(1)} ms (${lagMax === null ? '—' : (lagMax * 1000).toFixed(1)} ms) | < 50 ms |`);
} finally {
  await browser.close();
  await serve.stop();
  fleet.child.kill();
  rmSync(dir, { recursive: true, force: true });
}
