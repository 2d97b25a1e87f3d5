// npm run bench:tsdb / bench:promql — W-offline (docs/benchmarks.md) (10,000 series × 720 samples, 15 s step) imported
// into Vigil, Prometheus 2.42 (promtool backfill) and VictoriaMetrics 1.79 in the same run, then
// on-disk bytes per sample and the Q1–Q5 range queries (median of ≥ 5). Prints one table.
//   node build/bench/tsdb.js [--series 10000] [--samples 720] [--runs 5] [--only tsdb|promql]
import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machine, printTable, versionOf, binaries } from './peers.js';
import { prometheusSystem, timeQueries, victoriaSystem, queries } from './tsdb-peers.js';
import { repoRoot, vigilBin, vigilSystem } from './vigil-system.js';
import { writeFigures } from './figures.js';

const { values } = parseArgs({
  options: { series: { type: 'string', default: '10000' }, samples: { type: 'string', default: '720' }, runs: { type: 'string', default: '5' }, only: { type: 'string' } },
});
const series = Number(values.series);
const samples = Number(values.samples);
const stepMs = 15_000;
const startMs = 1764115200000; // fixed: deterministic data and query windows
const total = series * samples;

const dataDir = join(repoRoot, 'test-results', 'bench-data');
mkdirSync(dataDir, { recursive: true });
const om = join(dataDir, `w-offline-${series}x${samples}.om`);
const prom = join(dataDir, `w-offline-${series}x${samples}.prom`);
for (const [file, format] of [[om, 'openmetrics'], [prom, 'prometheus']]) {
  if (existsSync(file)) continue;
  const r = spawnSync(process.execPath, [vigilBin, 'workload', 'dump', '--out', file, '--format', format, '--series', String(series), '--samples', String(samples), '--start', String(startMs)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`workload dump failed for ${file}`);
}

console.log(`# Vigil storage and query benchmark — ${new Date().toISOString()}`);
console.log(`machine: ${JSON.stringify(machine())}`);
console.log(`peers: ${versionOf(binaries.prometheus)} | ${versionOf(binaries.victoriaMetrics)}`);
console.log(`workload: W-offline ${series} series × ${samples} samples = ${total.toLocaleString('en-US')} samples, step 15 s`);

/** Reads a file once so every system imports it from the page cache (~1 GB: a cold read alone takes seconds). */
function warmPageCache(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

const systems = [vigilSystem(om), prometheusSystem(om), victoriaSystem(prom)];
const inputs = [om, om, prom];
const results = [];
// A query heavy enough to run for seconds on W-offline, for the cancellation figure.
const cancelQuery = 'count(quantile_over_time(0.5, {__name__=~".+"}[1h:1m]))';
let cancel = null;
for (const [index, sys] of systems.entries()) {
  if (sys === null) {
    results.push(null);
    continue;
  }
  process.stderr.write(`importing into ${sys.name}…\n`);
  warmPageCache(inputs[index]);
  const imp = await sys.import();
  let disk = sys.measureAfterStop ? null : sys.bytesOnDisk();
  let q = null;
  if (values.only !== 'tsdb') {
    process.stderr.write(`querying ${sys.name}…\n`);
    q = await timeQueries(sys, startMs, startMs + (samples - 1) * stepMs, stepMs, Number(values.runs));
    if (sys.cancelLatency) cancel = await sys.cancelLatency(cancelQuery, startMs, startMs + (samples - 1) * stepMs, stepMs);
  }
  await sys.stop();
  disk ??= sys.bytesOnDisk();
  sys.cleanup?.();
  results.push({ name: sys.name, importRate: total / imp.seconds, bytesAll: disk.all / total, bytesChunks: disk.chunks === null ? null : disk.chunks / total, q, output: imp.output });
}
const col = (i, f) => (results[i] ? f(results[i]) : null);
const rows = [
  ['import W-offline, samples/s', col(0, (r) => r.importRate), col(1, (r) => r.importRate), col(2, (r) => r.importRate)],
  ['on-disk bytes/sample, everything', col(0, (r) => r.bytesAll), col(1, (r) => r.bytesAll), col(2, (r) => r.bytesAll)],
  ['on-disk bytes/sample, chunks/data only', col(0, (r) => r.bytesChunks), col(1, (r) => r.bytesChunks), col(2, (r) => r.bytesChunks)],
];
if (values.only !== 'tsdb') {
  for (const id of Object.keys(queries)) {
    rows.push([`${id} median ms (${queries[id].slice(0, 40)}…)`, col(0, (r) => r.q[id].ms), col(1, (r) => r.q[id].ms), col(2, (r) => r.q[id].ms)]);
  }
  // Server CPU (all threads) per query, median: steadier than wall time on a shared machine, and
  // it counts the cores a multi-threaded engine uses.
  for (const id of Object.keys(queries)) {
    rows.push([`${id} median server CPU ms`, col(0, (r) => r.q[id].cpuMs), col(1, (r) => r.q[id].cpuMs), col(2, (r) => r.q[id].cpuMs)]);
  }
  rows.push(['Q1–Q5 result series (sanity)', col(0, (r) => Object.values(r.q).map((x) => x.series).join('/')), col(1, (r) => Object.values(r.q).map((x) => x.series).join('/')), col(2, (r) => Object.values(r.q).map((x) => x.series).join('/'))]);
}
printTable('W-offline storage and queries (lower is better except import rate)', rows);
if (cancel !== null) {
  const worst = Math.max(...cancel.latencies);
  console.log(
    `\nVigil, cancellation (docs/reliability.md: within 100 ms): \`${cancelQuery}\` runs ${cancel.fullMs.toFixed(0)} ms uncancelled; ` +
      `its client hangs up after 300 ms, and a trivial query sent then answers in ${cancel.latencies.map((x) => x.toFixed(0)).join(', ')} ms (worst ${worst.toFixed(0)} ms).`,
  );
}
if (results[0]?.output) console.log(`\nvigil import said: ${results[0].output}`);
writeFigures('tsdb', { workload: `W-offline ${series} series × ${samples} samples`, ...Object.fromEntries(['vigil', 'prometheus', 'victoriaMetrics'].map((k, i) => [k, results[i] && { importRate: results[i].importRate, bytesAll: results[i].bytesAll, bytesChunks: results[i].bytesChunks, queries: results[i].q }])) });
