// npm run bench:scrape — W-fleet (targets × series, default 50 × 2,000 = 100k series) served by
// `vigil workload serve`, scraped at 5 s (and 1 s with --interval 1s) by Vigil, Prometheus 2.42
// and VictoriaMetrics 1.79 one after another for the same duration. Prints CPU-seconds per 1 M
// samples, resident memory per series, scrape duration per target and Vigil's event-loop lag.
//   node build/bench/scrape.js [--targets 50] [--series 2000] [--interval 5s] [--seconds 60] [--warmup S] [--only vigil] [--uniform no] [--dashboard 75] [--together yes|no|only] [--compare DIR]
// Vigil runs twice: with its default schedule (scrape slots) and with Prometheus' (uniform). After
// the measured window, the default run keeps ingesting while a dashboard refreshes for
// --dashboard seconds (0: skip), for docs/benchmarks.md's "lag p99 during ingest with queries running".
// Then (--together yes, the default; `only` runs just this) Vigil and Prometheus scrape the same
// fleet at the same time, measured over the same window: CPU-seconds per 1 M samples of each
// while they share the machine (issue #18's figure; alone, each has the cores to itself).
// `--compare DIR` adds another build's Vigil (DIR/main/bin/vigil.js, built) to that phase, scraping
// in the same window: a before/after on the same minute.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { binaries, installed, machine, printTable, procStats, startPrometheus, startVictoriaMetrics, versionOf } from './peers.js';
import { startVigilServe } from './vigil-system.js';
import { fleetConfig as promConfig, metricValue, startFleet as startFleetOf } from './fleet.js';
import { writeFigures } from './figures.js';

const startFleet = () => startFleetOf(targets, seriesPerTarget);

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '50' },
    series: { type: 'string', default: '2000' },
    interval: { type: 'string', default: '5s' },
    seconds: { type: 'string', default: '60' },
    only: { type: 'string' },
    uniform: { type: 'string', default: 'yes' },
    dashboard: { type: 'string', default: '75' },
    together: { type: 'string', default: 'yes' },
    compare: { type: 'string' },
    /**
     * Seconds of scraping before the window (default: a quarter of --seconds, at most 15; 40 for
     * the together phase, where two systems create 100k series each at once on a shared machine).
     */
    warmup: { type: 'string' },
  },
});
const targets = Number(values.targets);
const seriesPerTarget = Number(values.series);
const seconds = Number(values.seconds);

async function measure(name, pid, samplesNow, defaultWarmup = Math.min(15, seconds / 4)) {
  const warmup = values.warmup !== undefined ? Number(values.warmup) : defaultWarmup;
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const s0 = await samplesNow();
  const p0 = procStats(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const s1 = await samplesNow();
  const p1 = procStats(pid);
  const samples = (s1 ?? 0) - (s0 ?? 0);
  const cpu = p1.cpuSeconds - p0.cpuSeconds;
  process.stderr.write(`${name}: ${samples} samples, ${cpu.toFixed(2)} CPU-s over ${seconds} s, RSS ${(p1.rssBytes / 2 ** 20).toFixed(0)} MiB\n`);
  return { cpuPerM: samples > 0 ? cpu / (samples / 1e6) : null, rssPerSeries: p1.rssBytes / (targets * seriesPerTarget), samples };
}

console.log(`# Vigil scrape benchmark — ${new Date().toISOString()}`);
console.log(`machine: ${JSON.stringify(machine())}`);
console.log(`workload: W-fleet ${targets} targets × ${seriesPerTarget} series at ${values.interval}, measured ${seconds} s after warm-up`);

/**
 * A dashboard of four panels over the last 15 minutes (Q1, Q2, Q3 of docs/benchmarks.md as range queries at
 * 15 s, Q5 as an instant query), refreshed every 5 s while ingestion goes on; then the engine's
 * event-loop lag over the last minute, which then lies inside this phase.
 */
async function dashboardPhase(url, secondsToRun) {
  const ranges = [
    'sum by (handler) (rate(http_requests_total[1m]))',
    'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))',
    'topk(5, sum by (deployment, dst_deployment) (rate(response_total[1m])))',
  ];
  const latencies = [];
  const until = Date.now() + secondsToRun * 1000;
  while (Date.now() < until) {
    const started = Date.now();
    const end = started / 1000;
    for (const q of ranges) {
      const t0 = performance.now();
      const body = await (await fetch(`${url}/api/v1/query_range?${new URLSearchParams({ query: q, start: String(end - 900), end: String(end), step: '15' })}`)).json();
      if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
      latencies.push(performance.now() - t0);
    }
    const t0 = performance.now();
    await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent('count({__name__=~".+"})')}`)).json();
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (Date.now() - started))));
  }
  latencies.sort((a, b) => a - b);
  const last = (q) => metricValue(`${url}/metrics`, 'vigil_event_loop_lag_last_minute_seconds', (rest) => rest.includes(`quantile="${q}"`));
  return { lagP99: await last('0.99'), lagMax: await last('1'), queryMedianMs: latencies[Math.floor(latencies.length / 2)], queries: latencies.length };
}

async function runVigil(spread) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-vigil-scrape-'));
  const cfg = join(dir, 'vigil.yml');
  writeFileSync(cfg, promConfig(fleet.addresses, values.interval));
  const vigil = await startVigilServe(join(dir, 'data'), ['--config', cfg, '--scrape-spread', spread]);
  try {
    const r = await measure(`Vigil (${spread})`, vigil.pid, () => metricValue(`${vigil.url}/metrics`, 'vigil_tsdb_samples_appended_total'));
    r.lagP99 = await metricValue(`${vigil.url}/metrics`, 'vigil_event_loop_lag_seconds', (rest) => rest.includes('quantile="0.99"'));
    const dur = await fetch(`${vigil.url}/api/v1/query?query=${encodeURIComponent('avg(scrape_duration_seconds{job="fleet"})')}`).then((x) => x.json());
    r.scrapeDuration = Number(dur?.data?.result?.[0]?.value?.[1] ?? NaN);
    if (spread === 'slots' && Number(values.dashboard) > 0) {
      process.stderr.write(`Vigil (${spread}): dashboard refreshing for ${values.dashboard} s…\n`);
      r.dashboard = await dashboardPhase(vigil.url, Number(values.dashboard));
    }
    return r;
  } finally {
    await vigil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Vigil (default schedule) and Prometheus scraping the fleet at once, measured over the same
 * window; with --compare, another build's Vigil too.
 */
async function runTogether() {
  if (!installed('prometheus')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'bench-vigil-together-'));
  const cfg = join(dir, 'vigil.yml');
  writeFileSync(cfg, promConfig(fleet.addresses, values.interval));
  const [vigil, p, other] = await Promise.all([
    startVigilServe(join(dir, 'data'), ['--config', cfg]),
    startPrometheus({ config: promConfig(fleet.addresses, values.interval) }),
    values.compare === undefined ? null : startVigilServe(join(dir, 'data-compare'), ['--config', cfg], join(values.compare, 'main/bin/vigil.js')),
  ]);
  const vigilSamples = (url) => () => metricValue(`${url}/metrics`, 'vigil_tsdb_samples_appended_total');
  const warmup = 40;
  try {
    const [v, r, c] = await Promise.all([
      measure('Vigil (together)', vigil.pid, vigilSamples(vigil.url), warmup),
      measure('Prometheus (together)', p.pid, () => metricValue(`${p.url}/metrics`, 'prometheus_tsdb_head_samples_appended_total'), warmup),
      other === null ? null : measure(`Vigil ${values.compare} (together)`, other.pid, vigilSamples(other.url), warmup),
    ]);
    return { vigil: v, prometheus: r, compare: c };
  } finally {
    await Promise.all([vigil.stop(), p.stop(), other?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

const fleet = await startFleet();
const results = [];
let uniform = null;
let together = null;
try {
  if (values.together === 'only') {
    together = await runTogether();
    results.push(null, null, null);
  } else {
    results.push(await runVigil('slots'));
    // Prometheus
    if (installed('prometheus') && values.only !== 'vigil') {
      const p = await startPrometheus({ config: promConfig(fleet.addresses, values.interval) });
      const r = await measure('Prometheus', p.pid, () => metricValue(`${p.url}/metrics`, 'prometheus_tsdb_head_samples_appended_total'));
      const dur = await fetch(`${p.url}/api/v1/query?query=${encodeURIComponent('avg(scrape_duration_seconds{job="fleet"})')}`).then((x) => x.json());
      r.scrapeDuration = Number(dur?.data?.result?.[0]?.value?.[1] ?? NaN);
      results.push(r);
      await p.stop();
    } else results.push(null);
    // Vigil again with Prometheus' schedule (each target at its own phase)
    uniform = values.uniform === 'no' ? null : await runVigil('uniform');
    // VictoriaMetrics (its built-in scraper)
    if (installed('victoriaMetrics') && values.only !== 'vigil') {
      const dir = mkdtempSync(join(tmpdir(), 'bench-vm-scrape-'));
      const cfg = join(dir, 'scrape.yml');
      writeFileSync(cfg, promConfig(fleet.addresses, values.interval));
      const vm = await startVictoriaMetrics({ extraArgs: [`-promscrape.config=${cfg}`] });
      const r = await measure('VictoriaMetrics', vm.pid, () => metricValue(`${vm.url}/metrics`, 'vm_rows_added_to_storage_total'));
      const dur = await fetch(`${vm.url}/api/v1/query?nocache=1&query=${encodeURIComponent('avg(scrape_duration_seconds{job="fleet"})')}`).then((x) => x.json());
      r.scrapeDuration = Number(dur?.data?.result?.[0]?.value?.[1] ?? NaN);
      results.push(r);
      await vm.stop();
      rmSync(dir, { recursive: true, force: true });
    } else results.push(null);
    if (values.together === 'yes' && values.only !== 'vigil') together = await runTogether();
  }
} finally {
  fleet.child.kill('SIGTERM');
}

const col = (i, f) => (results[i] ? f(results[i]) : null);
if (values.together !== 'only') printTable(`W-fleet live scrape at ${values.interval} (Vigil's default schedule: --scrape-spread slots)`, [
  ['CPU-seconds per 1 M samples', col(0, (r) => r.cpuPerM), col(1, (r) => r.cpuPerM), col(2, (r) => r.cpuPerM)],
  ['resident bytes per series', col(0, (r) => r.rssPerSeries), col(1, (r) => r.rssPerSeries), col(2, (r) => r.rssPerSeries)],
  ['avg scrape duration per target, s', col(0, (r) => r.scrapeDuration), col(1, (r) => r.scrapeDuration), col(2, (r) => r.scrapeDuration)],
  ['samples ingested in the window', col(0, (r) => r.samples), col(1, (r) => r.samples), col(2, (r) => r.samples)],
  ['event-loop lag p99, s (Vigil main thread)', col(0, (r) => r.lagP99), null, null],
  ['same, last minute, with a 4-panel dashboard refreshing every 5 s', col(0, (r) => r.dashboard?.lagP99 ?? null), null, null],
  ['  its max, s', col(0, (r) => r.dashboard?.lagMax ?? null), null, null],
  ['  dashboard query median, ms', col(0, (r) => r.dashboard?.queryMedianMs ?? null), null, null],
]);
if (uniform !== null) {
  const p = results[1];
  printTable(`Vigil with Prometheus' schedule (--scrape-spread uniform), same run`, [
    ['CPU-seconds per 1 M samples', uniform.cpuPerM, p?.cpuPerM ?? null, results[2]?.cpuPerM ?? null],
    ['resident bytes per series', uniform.rssPerSeries, p?.rssPerSeries ?? null, results[2]?.rssPerSeries ?? null],
    ['avg scrape duration per target, s', uniform.scrapeDuration, p?.scrapeDuration ?? null, results[2]?.scrapeDuration ?? null],
    ['event-loop lag p99, s (Vigil main thread)', uniform.lagP99, null, null],
  ], ['Vigil uniform', 'Prometheus 2.42', 'VictoriaMetrics 1.79']);
}
if (together !== null) {
  printTable(`Vigil and Prometheus scraping the fleet at the same time, same window (issue #18 target: CPU ≤ 0.6× Prometheus)`, [
    ['CPU-seconds per 1 M samples, sharing the machine', together.vigil.cpuPerM, together.prometheus.cpuPerM, null],
    ['resident bytes per series', together.vigil.rssPerSeries, together.prometheus.rssPerSeries, null],
    ['samples ingested in the window', together.vigil.samples, together.prometheus.samples, null],
  ], ['Vigil', 'Prometheus 2.42', '—']);
  const c = together.compare;
  if (c !== null) {
    printTable(`Same window: this build against ${values.compare}`, [
      ['CPU-seconds per 1 M samples', together.vigil.cpuPerM, together.prometheus.cpuPerM, c.cpuPerM],
      ['resident bytes per series', together.vigil.rssPerSeries, together.prometheus.rssPerSeries, c.rssPerSeries],
    ], ['Vigil', 'Prometheus 2.42', 'Vigil compared'], ['Vigil/Prom', 'Vigil/compared']);
  }
}
console.log(`peers: ${versionOf(binaries.prometheus)} | ${versionOf(binaries.victoriaMetrics)}`);
// The together phase's CPU per 1 M samples is what build/bench/summary-table.js reads as
// `vigil.cpuPerMTogether` / `prometheus.cpuPerMTogether` (issue #18: sharing the machine).
const withTogether = (r, t) => (r || t ? { ...(r ?? {}), cpuPerMTogether: t?.cpuPerM ?? null } : r);
writeFigures('scrape', { workload: `W-fleet ${targets} × ${seriesPerTarget} series at ${values.interval}, ${seconds} s`, vigil: withTogether(results[0], together?.vigil), prometheus: withTogether(results[1], together?.prometheus), victoriaMetrics: results[2], vigilUniform: uniform });
