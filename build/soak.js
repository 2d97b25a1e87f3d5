// npm run soak — SIGKILLs `vigil serve` at random moments while it scrapes healthy and hostile
// targets and answers queries, then restarts it on the same data directory, many times.
//   node build/soak.js [--kills 20] [--min-run 3] [--max-run 10] [--healthy 5] [--scale ci|full]
// After each restart it reports:
//  * acknowledged samples lost. "Acknowledged" = every sample of the healthy targets' `up` series
//    that a completed scrape committed and that the API returned (a raw range read) just before
//    the kill; each must be read back after the restart. Samples of a scrape still in flight at
//    the kill were never returned, so they are not acknowledged. Target: 0.
//  * the healthy targets' scrape duration and interval jitter while it ran,
//  * peak resident memory of the killed process, and the time from spawn to the first answered query.
// Exit code 1 when anything acknowledged was lost.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { healthyTargets, hostileConfig, spawnHostileTargets } from './bench/hostile-targets.js';
import { healthyFigures, memoryOf, quantile, rawSamples } from './bench/scrape-health.js';
import { vigilBin } from './bench/vigil-system.js';

const healthySelector = 'up{job=~"healthy-.*"}';

/** Starts `vigil serve` and resolves once it answers a query; `killNow()` SIGKILLs it. */
async function serve(dataDir, cfgFile) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [vigilBin, 'serve', '--port', '0', '--data', dataDir, '--config', cfgFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out = (out + c).slice(-8000)));
  child.stderr.on('data', (c) => (out = (out + c).slice(-8000)));
  const exited = new Promise((r) => child.once('exit', r));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil serve did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`vigil serve exited ${code}:\n${out}`)));
  });
  for (;;) {
    const ok = await fetch(`${url}/api/v1/query?query=up`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url,
    pid: child.pid,
    startSeconds: (performance.now() - t0) / 1000,
    async killNow() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `series\u0000timestamp` for every raw sample of `selector` in the last two hours. */
async function sampleKeys(url, selector) {
  const now = Date.now();
  const keys = new Set();
  for (const s of await rawSamples(url, selector, now - 2 * 3600_000, now)) {
    const id = JSON.stringify(Object.entries(s.metric).sort());
    for (const [t] of s.samples) keys.add(`${id}\u0000${t}`);
  }
  return keys;
}

export async function runSoak({ kills = 20, minRun = 3, maxRun = 10, healthy: healthyCount = 5, scale = 'ci', log = console.log } = {}) {
  const healthy = await healthyTargets(healthyCount);
  const hostile = await spawnHostileTargets(scale);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-soak-'));
  const cfgFile = join(dir, 'prometheus.yml');
  writeFileSync(cfgFile, hostileConfig({ healthy, hostileBase: hostile.base, hostileInterval: '3s', hostileTimeout: '2s' }));
  const rounds = [];
  let acknowledged = new Set();
  try {
    for (let round = 0; round <= kills; round++) {
      const s = await serve(join(dir, 'data'), cfgFile);
      const after = await sampleKeys(s.url, healthySelector);
      const checked = acknowledged.size;
      const lost = [...acknowledged].filter((k) => !after.has(k)).length;
      const fromMs = Date.now();
      if (round === kills) {
        rounds.push({ round, checked, lost, startSeconds: s.startSeconds });
        await s.killNow();
        break;
      }
      // Queries while it runs, as a dashboard would send them.
      let querying = true;
      const queries = (async () => {
        while (querying) {
          const end = Date.now() / 1000;
          await fetch(`${s.url}/api/v1/query_range?${new URLSearchParams({ query: 'sum by (job) (rate(scrape_samples_scraped[1m]))', start: String(end - 600), end: String(end), step: '5' })}`).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      await new Promise((r) => setTimeout(r, (minRun + Math.random() * (maxRun - minRun)) * 1000));
      const toMs = Date.now();
      const figures = await healthyFigures(s.url, { jobRegex: 'healthy-.*', intervalMs: 1000, fromMs, toMs });
      // Acknowledge what the API returns now, then kill at a random moment within the next second.
      acknowledged = await sampleKeys(s.url, healthySelector);
      await new Promise((r) => setTimeout(r, Math.random() * 1000));
      const peak = memoryOf(s.pid).peak;
      querying = false;
      await s.killNow();
      await queries;
      const r = { round, checked, lost, startSeconds: s.startSeconds, peak, figures };
      rounds.push(r);
      log(
        `run ${round + 1}/${kills}: lost ${lost} of ${checked} samples acknowledged before the previous kill; ` +
          `served after ${r.startSeconds.toFixed(2)} s; healthy duration p50 ${(figures.durationP50 * 1000).toFixed(0)} ms p99 ${(figures.durationP99 * 1000).toFixed(0)} ms, ` +
          `jitter p99 ${figures.jitterP99.toFixed(0)} ms, gaps ${figures.gaps}; peak RSS ${(peak / 1048576).toFixed(0)} MiB`,
      );
    }
  } finally {
    await hostile.stop();
    await healthy.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const ran = rounds.filter((r) => r.figures !== undefined);
  const summary = {
    kills,
    lost: rounds.reduce((n, r) => n + r.lost, 0),
    acknowledgedChecked: rounds.reduce((n, r) => n + r.checked, 0),
    startSecondsMax: Math.max(...rounds.map((r) => r.startSeconds)),
    startSecondsP50: quantile(rounds.map((r) => r.startSeconds), 0.5),
    durationP99Max: Math.max(...ran.map((r) => r.figures.durationP99)),
    jitterP99Max: Math.max(...ran.map((r) => r.figures.jitterP99)),
    gaps: ran.reduce((n, r) => n + r.figures.gaps, 0),
    peakMax: Math.max(...ran.map((r) => r.peak)),
  };
  return { rounds, summary };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      kills: { type: 'string', default: '20' },
      'min-run': { type: 'string', default: '3' },
      'max-run': { type: 'string', default: '10' },
      healthy: { type: 'string', default: '5' },
      scale: { type: 'string', default: 'ci' },
    },
  });
  const { summary: s } = await runSoak({
    kills: Number(values.kills),
    minRun: Number(values['min-run']),
    maxRun: Number(values['max-run']),
    healthy: Number(values.healthy),
    scale: values.scale,
  });
  console.log(
    `\nsoak: ${s.kills} SIGKILLs; acknowledged samples lost ${s.lost} of ${s.acknowledgedChecked} checked; time to serve p50 ${s.startSecondsP50.toFixed(2)} s, max ${s.startSecondsMax.toFixed(2)} s; ` +
      `healthy scrape duration p99 (worst run) ${(s.durationP99Max * 1000).toFixed(0)} ms; jitter p99 (worst run) ${s.jitterP99Max.toFixed(0)} ms; gaps ${s.gaps}; peak RSS ${(s.peakMax / 1048576).toFixed(0)} MiB`,
  );
  process.exitCode = s.lost === 0 ? 0 : 1;
}
