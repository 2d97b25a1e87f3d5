// npm run bench:wide-query — resident memory after one wide query (issue #18): W-fleet (default
// 50 targets × 2,000 series = 100k) scraped at 5 s by Vigil and Prometheus 2.42 at the same time;
// once both hold every series (/api/v1/status/tsdb) and after a warm-up, each answers the instant
// query `count({job="fleet"})` once. Prints each one's
// steady RSS, RSS right after the query and RSS 60 s later (and per series), so the figure
// "≤ +15 % over steady state, back within 60 s" is measured beside Prometheus in the same run.
// Vigil's memory parts (the Status page's breakdown, main/memory/parts.ts) are printed at the
// three moments too, read just after each RSS figure, so what the query added can be told apart.
//   node build/bench/wide-query.js [--targets 50] [--series 2000] [--warmup 40] [--after 60] [--query 'count({job="fleet"})']
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { binaries, installed, machine, printTable, procStats, startPrometheus, versionOf } from './peers.js';
import { startVigilServe } from './vigil-system.js';
import { fleetConfig, startFleet } from './fleet.js';
import { writeFigures } from './figures.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '50' },
    series: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '40' },
    after: { type: 'string', default: '60' },
    query: { type: 'string', default: 'count({job="fleet"})' },
  },
});
const series = Number(values.targets) * Number(values.series);
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));

console.log(`# Vigil wide-query memory benchmark — ${new Date().toISOString()}`);
console.log(`machine: ${JSON.stringify(machine())}`);
console.log(`peers: ${versionOf(binaries.prometheus)}`);
console.log(`workload: W-fleet ${values.targets} targets × ${values.series} series at 5s, both scraping at once; query ${values.query} after ${values.warmup} s; RSS again ${values.after} s later`);

/** Median of three RSS readings 1 s apart (a scrape's transient must not decide the figure). */
async function steadyRss(pid) {
  const xs = [];
  for (let i = 0; i < 3; i++) {
    xs.push(procStats(pid).rssBytes);
    if (i < 2) await sleep(1);
  }
  return xs.sort((a, b) => a - b)[1];
}

/**
 * Waits (up to `seconds`) until a system's head holds every fleet series, read from
 * /api/v1/status/tsdb (the index, not a query: a query would start Vigil's query workers early).
 * On a loaded machine the first scrapes of 100k series take a while; a query before they are in
 * measures a smaller query.
 */
async function waitForSeries(sys, want, seconds) {
  const deadline = performance.now() + seconds * 1000;
  let have = 0;
  while (performance.now() < deadline) {
    try {
      const body = await (await fetch(`${sys.url}/api/v1/status/tsdb`)).json();
      have = body.data?.headStats?.numSeries ?? 0;
    } catch {
      have = 0;
    }
    if (have >= want) return have;
    await sleep(1);
  }
  process.stderr.write(`${sys.name}: only ${have} of ${want} series after ${seconds} s; the figures measure a smaller query\n`);
  return have;
}

/** Vigil's memory parts (the `memory` channel), MiB by part. */
async function vigilParts(url) {
  const m = await (await fetch(`${url}/api/vigil/memory`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json();
  return Object.fromEntries(m.parts.map((p) => [p.part, p.bytes / 2 ** 20]));
}

/** Runs the query once; returns RSS right after the answer and its series count. */
async function queryOnce(url, pid) {
  const t0 = performance.now();
  const body = await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(values.query)}`)).json();
  const ms = performance.now() - t0;
  const rss = procStats(pid).rssBytes;
  if (body.status !== 'success') throw new Error(`${values.query}: ${body.error}`);
  return { rss, ms, answer: body.data.result.map((r) => r.value[1]).join(',') };
}

const fleet = await startFleet(Number(values.targets), Number(values.series));
const dir = mkdtempSync(join(tmpdir(), 'bench-vigil-wide-'));
const cfgFile = join(dir, 'vigil.yml');
const config = fleetConfig(fleet.addresses, '5s');
writeFileSync(cfgFile, config);
const systems = [];
try {
  const vigil = await startVigilServe(join(dir, 'data'), ['--config', cfgFile]);
  systems.push({ name: 'Vigil', url: vigil.url, pid: vigil.pid, stop: () => vigil.stop() });
  if (installed('prometheus')) {
    const p = await startPrometheus({ config });
    systems.push({ name: 'Prometheus 2.42', url: p.url, pid: p.pid, stop: () => p.stop() });
  }
  for (const sys of systems) await waitForSeries(sys, series, 180);
  process.stderr.write(`scraping ${series.toLocaleString('en-US')} series for ${values.warmup} s…\n`);
  // RSS also grows with ingestion alone (the head fills): read it 20 s before the query too, so
  // the drift over the wait after the query can be told apart from what the query left behind.
  const driftSeconds = 20;
  await sleep(Math.max(0, Number(values.warmup) - driftSeconds - 2));
  const early = new Map(systems.map((sys) => [sys, procStats(sys.pid).rssBytes]));
  const earlyAt = performance.now();
  await sleep(driftSeconds);
  const results = [];
  for (const sys of systems) {
    const steady = await steadyRss(sys.pid);
    const drift = ((steady - early.get(sys)) / ((performance.now() - earlyAt) / 1000)) * Number(values.after);
    const partsSteady = sys.name === 'Vigil' ? await vigilParts(sys.url) : null;
    const q = await queryOnce(sys.url, sys.pid);
    const partsAfter = sys.name === 'Vigil' ? await vigilParts(sys.url) : null;
    results.push({ sys, steady, drift, after: q.rss, ms: q.ms, answer: q.answer, parts: partsSteady && [partsSteady, partsAfter] });
    process.stderr.write(`${sys.name}: steady ${(steady / 2 ** 20).toFixed(0)} MiB, after the query ${(q.rss / 2 ** 20).toFixed(0)} MiB (${q.ms.toFixed(0)} ms, answer ${q.answer})\n`);
  }
  await sleep(Number(values.after));
  for (const r of results) {
    r.later = await steadyRss(r.sys.pid);
    if (r.parts) r.parts.push(await vigilParts(r.sys.url));
  }
  const col = (f) => results.map(f);
  const pct = (x, base) => `${x >= base ? '+' : ''}${((100 * (x - base)) / base).toFixed(1)} %`;
  printTable(
    `Resident memory around one \`${values.query}\` over ${series.toLocaleString('en-US')} scraped series`,
    [
      ['steady RSS, bytes per series', ...col((r) => r.steady / series)],
      ['RSS right after the query, bytes per series', ...col((r) => r.after / series)],
      [`RSS ${values.after} s later, bytes per series`, ...col((r) => r.later / series)],
      ['right after vs steady', ...col((r) => pct(r.after, r.steady))],
      [`${values.after} s later vs steady`, ...col((r) => pct(r.later, r.steady))],
      [`ingestion drift over ${values.after} s before the query (extrapolated)`, ...col((r) => pct(r.steady + r.drift, r.steady))],
      ['query ms (while both scrape)', ...col((r) => r.ms)],
      ['answer (sanity)', ...col((r) => r.answer)],
    ],
    results.map((r) => r.sys.name),
  );
  for (const r of results.filter((x) => x.parts)) {
    const names = Object.keys(r.parts[1]);
    console.log(`\n${r.sys.name}'s memory parts (MiB; Status page breakdown)\n`);
    console.log(['part', 'steady', 'right after', `${values.after} s later`].join(' | '));
    for (const n of names) console.log([n, ...r.parts.map((p) => (p[n] ?? 0).toFixed(1))].join(' | '));
  }
  writeFigures('wide-query', { workload: `W-fleet ${series} series, ${values.query}`, afterSeconds: Number(values.after), ...Object.fromEntries(results.map((r) => [r.sys.name === 'Vigil' ? 'vigil' : 'prometheus', { steady: r.steady, after: r.after, later: r.later, drift: r.drift, queryMs: r.ms }])) });
} finally {
  for (const s of systems) await s.stop();
  fleet.child.kill();
  rmSync(dir, { recursive: true, force: true });
}
