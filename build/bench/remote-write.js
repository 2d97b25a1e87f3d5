// npm run bench:remote-write — W-fleet (default 50 × 2,000 = 100k series) scraped at 5 s and
// remote-written to VictoriaMetrics, by Vigil and by Prometheus 2.42 one after another in the same
// run, each also once without remote_write. Prints, for each: CPU-seconds per 1 M samples sent
// (whole process, and the extra over the run without remote_write), the resident-memory overhead
// of sending (RSS with − without), and the delay p99 from a sample's scrape time to its
// acknowledgment by VictoriaMetrics. The delay is read from the queue's highest sent timestamp,
// polled every 200 ms: when it moves from h0 to h at time T, the newest samples sent waited
// T − h, and every sample of that move (all newer than h0) at most T − h0 — the figure reported.
//   node build/bench/remote-write.js [--targets 50] [--series 2000] [--interval 5s] [--seconds 60] [--only vigil|prometheus] [--no-metadata]
// --no-metadata sets metadata_config.send: false for both systems (floats only on the wire).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { binaries, installed, machine, median, printTable, procStats, startPrometheus, startVictoriaMetrics, versionOf } from './peers.js';
import { startVigilServe } from './vigil-system.js';
import { fleetConfig, metricValue, startFleet } from './fleet.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '50' },
    series: { type: 'string', default: '2000' },
    interval: { type: 'string', default: '5s' },
    seconds: { type: 'string', default: '60' },
    only: { type: 'string' },
    'no-metadata': { type: 'boolean', default: false },
  },
});
const targets = Number(values.targets);
const seriesPerTarget = Number(values.series);
const seconds = Number(values.seconds);
const warmup = Math.min(20, seconds / 3);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const sentOf = async (base) => {
  const total = await metricValue(`${base}/metrics`, 'prometheus_remote_storage_samples_total');
  const retried = (await metricValue(`${base}/metrics`, 'prometheus_remote_storage_samples_retried_total')) ?? 0;
  const failed = (await metricValue(`${base}/metrics`, 'prometheus_remote_storage_samples_failed_total')) ?? 0;
  return total === null ? null : total - retried - failed;
};

/** Runs `seconds` after warm-up; with `base` polls the highest sent timestamp for delays. */
async function measure(name, pid, base, remote, storedMetric) {
  await sleep(warmup * 1000);
  const s0 = remote ? await sentOf(base) : 0;
  const a0 = (await metricValue(`${base}/metrics`, storedMetric)) ?? 0;
  const p0 = procStats(pid);
  const delays = [];
  const rss = [];
  const end = Date.now() + seconds * 1000;
  let last = 0;
  while (Date.now() < end) {
    if (remote) {
      const h = (await metricValue(`${base}/metrics`, 'prometheus_remote_storage_queue_highest_sent_timestamp_seconds')) ?? 0;
      if (h > last && last > 0) delays.push(Date.now() / 1000 - last);
      last = h;
    }
    rss.push(procStats(pid).rssBytes);
    await sleep(200);
  }
  const s1 = remote ? await sentOf(base) : 0;
  const a1 = (await metricValue(`${base}/metrics`, storedMetric)) ?? 0;
  const p1 = procStats(pid);
  const sent = (s1 ?? 0) - (s0 ?? 0);
  const cpu = p1.cpuSeconds - p0.cpuSeconds;
  const sorted = delays.sort((a, b) => a - b);
  const p99 = sorted.length > 0 ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] : null;
  const r = { cpu, sent, stored: a1 - a0, rss: median(rss), delayP99: p99, delays: sorted.length };
  process.stderr.write(`${name}${remote ? ' + remote_write' : ''}: ${cpu.toFixed(2)} CPU-s over ${seconds} s, stored ${r.stored}, sent ${sent}, RSS ${(r.rss / 2 ** 20).toFixed(0)} MiB, delay p99 ${p99?.toFixed(2) ?? '—'} s (${sorted.length} moves)\n`);
  return r;
}

const remoteBlock = (vm) => `remote_write:\n  - url: ${vm.url}/api/v1/write\n    name: vm\n${values['no-metadata'] ? '    metadata_config: { send: false }\n' : ''}`;

async function runVigil(fleet, vm, remote) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rw-vigil-'));
  const cfg = join(dir, 'vigil.yml');
  writeFileSync(cfg, fleetConfig(fleet.addresses, values.interval) + (remote ? remoteBlock(vm) : ''));
  const vigil = await startVigilServe(join(dir, 'data'), ['--config', cfg]);
  try {
    return await measure('Vigil', vigil.pid, vigil.url, remote, 'vigil_tsdb_samples_appended_total');
  } finally {
    await vigil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPrometheus(fleet, vm, remote) {
  const p = await startPrometheus({ config: fleetConfig(fleet.addresses, values.interval) + (remote ? remoteBlock(vm) : '') });
  try {
    return await measure('Prometheus', p.pid, p.url, remote, 'prometheus_tsdb_head_samples_appended_total');
  } finally {
    await p.stop();
  }
}

console.log(`# Vigil remote-write benchmark — ${new Date().toISOString()}`);
console.log(`machine: ${JSON.stringify(machine())}`);
console.log(`workload: W-fleet ${targets} targets × ${seriesPerTarget} series at ${values.interval}, to VictoriaMetrics; measured ${seconds} s after ${warmup} s warm-up`);
if (!installed('victoriaMetrics')) {
  console.log('skipped: victoria-metrics not installed');
  process.exit(0);
}
console.log(`peers: ${versionOf(binaries.prometheus)}; ${versionOf(binaries.victoriaMetrics)}`);

const fleet = await startFleet(targets, seriesPerTarget);
const vm = await startVictoriaMetrics();
const out = {};
try {
  if (values.only !== 'prometheus') out.vigil = { without: await runVigil(fleet, vm, false), with: await runVigil(fleet, vm, true) };
  if (values.only !== 'vigil' && installed('prometheus')) out.prometheus = { without: await runPrometheus(fleet, vm, false), with: await runPrometheus(fleet, vm, true) };
} finally {
  await vm.stop();
  fleet.child.kill('SIGTERM');
}

const fig = (s, f) => (s ? f(s) : null);
const perM = (s) => (s.with.sent > 0 ? s.with.cpu / (s.with.sent / 1e6) : null);
const extraPerM = (s) => (s.with.sent > 0 ? (s.with.cpu - s.without.cpu) / (s.with.sent / 1e6) : null);
const memOverhead = (s) => (s.with.rss - s.without.rss) / 2 ** 20;
printTable(
  `W-fleet scraped at ${values.interval} and remote-written to VictoriaMetrics`,
  [
    ['samples stored in the window', fig(out.vigil, (s) => s.with.stored), fig(out.prometheus, (s) => s.with.stored)],
    ['samples sent in the window', fig(out.vigil, (s) => s.with.sent), fig(out.prometheus, (s) => s.with.sent)],
    ['CPU-s per 1 M samples sent (whole process)', fig(out.vigil, perM), fig(out.prometheus, perM)],
    ['CPU-s per 1 M samples sent (over the run without remote_write)', fig(out.vigil, extraPerM), fig(out.prometheus, extraPerM)],
    ['RSS without remote_write, MiB', fig(out.vigil, (s) => s.without.rss / 2 ** 20), fig(out.prometheus, (s) => s.without.rss / 2 ** 20)],
    ['memory overhead of sending (RSS with − without), MiB', fig(out.vigil, memOverhead), fig(out.prometheus, memOverhead)],
    ['delay scrape → acknowledged by the receiver, p99 s', fig(out.vigil, (s) => s.with.delayP99), fig(out.prometheus, (s) => s.with.delayP99)],
  ],
  ['Vigil', 'Prometheus 2.42'],
);
