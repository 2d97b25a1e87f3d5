// npm run bench:hostile — W-hostile: 10 healthy targets scraped every 1 s beside six hostile ones
// (a gzip bomb, a slowloris, a 300 MB body, an endless page, a million-series page, a 1 MB label),
// first by `vigil serve`, then by Prometheus 2.42 on the same targets and limits. Prints healthy
// scrape duration p50/p99, interval jitter, gaps, peak resident memory, and each hostile target's
// health and error. Bounds (issue #19): healthy scrapes < 0.5 s and on schedule, memory < 1 GB.
//   node build/bench/hostile.js [--seconds 60] [--healthy 10] [--scale full|ci] [--only vigil]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPrometheus } from './peers.js';
import { healthyTargets, hostileConfig, hostileKinds, spawnHostileTargets } from './hostile-targets.js';
import { healthyFigures, memoryOf, targetStates } from './scrape-health.js';
import { startVigilServe } from './vigil-system.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    healthy: { type: 'string', default: '10' },
    scale: { type: 'string', default: 'full' },
    only: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const intervalMs = 1000;

/** Vigil's defaults, written into every job so Prometheus 2.42 (no global limits) gets them too. */
const limits = { body_size_limit: '64MiB', sample_limit: 200000, label_limit: 64, label_value_length_limit: 16384 };

async function measure(name, start) {
  const sys = await start();
  const fromMs = Date.now() + 5000; // the first scrapes open connections; measure the steady state
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, memoryOf(sys.pid).peak);
    } catch {
      /* exited */
    }
  }, 250);
  await new Promise((r) => setTimeout(r, (seconds + 5) * 1000));
  clearInterval(sampler);
  const toMs = Date.now();
  peak = Math.max(peak, memoryOf(sys.pid).peak);
  const t0 = performance.now();
  const healthy = await healthyFigures(sys.url, { jobRegex: 'healthy-.*', intervalMs, fromMs, toMs });
  const queryMs = performance.now() - t0;
  const hostile = await targetStates(sys.url, 'hostile-');
  await sys.stop();
  return { name, healthy, peak, hostile, queryMs };
}

const healthy = await healthyTargets(Number(values.healthy));
const hostile = await spawnHostileTargets(values.scale);
const config = hostileConfig({ healthy, hostileBase: hostile.base, limits });
const dir = mkdtempSync(join(tmpdir(), 'bench-hostile-'));
const cfgFile = join(dir, 'prometheus.yml');
writeFileSync(cfgFile, config);
const results = [];
try {
  results.push(
    await measure('Vigil', async () => {
      const s = await startVigilServe(join(dir, 'vigil'), ['--config', cfgFile]);
      return { url: s.url, pid: s.pid, stop: () => s.stop() };
    }),
  );
  if (values.only !== 'vigil') {
    const started = await measure('Prometheus 2.42', async () => {
      const p = await startPrometheus({ config });
      if (p === null) return null;
      return { url: p.url, pid: p.pid, stop: () => p.stop() };
    }).catch((err) => {
      console.log(`Prometheus: not measured (${err.message})`);
      return null;
    });
    if (started !== null) results.push(started);
  }
} finally {
  await hostile.stop();
  await healthy.close();
  rmSync(dir, { recursive: true, force: true });
}

const ms = (s) => (Number.isFinite(s) ? `${(s * 1000).toFixed(1)} ms` : '–');
const plain = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '–');
console.log(`\nW-hostile: ${values.healthy} healthy targets at 1 s beside ${Object.keys(hostileKinds).length} hostile ones (scale ${values.scale}), ${seconds} s measured`);
const rows = [
  ['healthy scrapes (targets)', (r) => `${r.healthy.scrapes} (${r.healthy.targets})`],
  ['healthy scrape duration p50', (r) => ms(r.healthy.durationP50)],
  ['healthy scrape duration p99', (r) => ms(r.healthy.durationP99)],
  ['healthy scrape duration max', (r) => ms(r.healthy.durationMax)],
  ['interval jitter p50', (r) => plain(r.healthy.jitterP50)],
  ['interval jitter p99', (r) => plain(r.healthy.jitterP99)],
  ['interval jitter max', (r) => plain(r.healthy.jitterMax)],
  ['gaps > 1.5 intervals', (r) => String(r.healthy.gaps)],
  ['healthy up=0 samples', (r) => String(r.healthy.down)],
  ['peak resident memory', (r) => `${(r.peak / 1024 / 1024).toFixed(0)} MiB`],
  ['figures query time', (r) => `${r.queryMs.toFixed(0)} ms`],
];
const width = 30;
console.log(['', ...results.map((r) => r.name)].map((c, i) => (i === 0 ? c.padEnd(width) : c.padStart(18))).join(''));
for (const [label, f] of rows) console.log([label.padEnd(width), ...results.map((r) => f(r).padStart(18))].join(''));
for (const r of results) {
  console.log(`\n${r.name}: hostile targets`);
  for (const [job, s] of Object.entries(r.hostile)) {
    const expected = hostileKinds[`/${job.slice('hostile-'.length)}`];
    const own = s.health === 'down' && expected?.test(s.lastError) ? 'ok' : 'UNEXPECTED';
    console.log(`  ${job.padEnd(20)} ${s.health.padEnd(5)} ${own.padEnd(10)} ${(s.lastScrapeDuration * 1000).toFixed(0).padStart(6)} ms  ${s.lastError.slice(0, 90)}`);
  }
}
