// Q1–Q5 (build/bench/tsdb-peers.js) on W-offline, interleaved in the same minutes: this build's
// `vigil serve`, optionally another build's (--base DIR: a checkout with dist/ built), and
// VictoriaMetrics 1.79. For before/after figures on a shared machine, where two runs of
// `npm run bench:tsdb` minutes apart see different loads (docs/benchmarks.md).
//   node build/bench/query-compare.js --data DIR [--files DIR] [--base DIR] [--rounds 3] [--runs 5]
// --data: a Vigil data directory holding W-offline (`vigil import --data DIR w-offline.prom`; made
// here when missing); --files: where the W-offline dumps are (default test-results/bench-data). Each round queries every system once per query and run; the table gives
// medians over all rounds, wall and server CPU (all threads), with the load average.
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { median, startVictoriaMetrics } from './peers.js';
import { promQuery, queries } from './tsdb-peers.js';
import { repoRoot, startVigilServe, vigilBin } from './vigil-system.js';

const { values } = parseArgs({
  options: { data: { type: 'string' }, files: { type: 'string' }, base: { type: 'string' }, rounds: { type: 'string', default: '3' }, runs: { type: 'string', default: '5' }, only: { type: 'string' } },
});
if (!values.data) throw new Error('--data DIR is required');
const series = 10000;
const samples = 720;
const stepMs = 15_000;
const startMs = 1764115200000;
const endMs = startMs + (samples - 1) * stepMs;
const dataDir = values.files ?? join(repoRoot, 'test-results', 'bench-data');
mkdirSync(dataDir, { recursive: true });
const files = { om: join(dataDir, `w-offline-${series}x${samples}.om`), prom: join(dataDir, `w-offline-${series}x${samples}.prom`) };
for (const [format, file] of [['openmetrics', files.om], ['prometheus', files.prom]]) {
  if (existsSync(file)) continue;
  const r = spawnSync(process.execPath, [vigilBin, 'workload', 'dump', '--out', file, '--format', format, '--series', String(series), '--samples', String(samples), '--start', String(startMs)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`workload dump failed for ${file}`);
}
if (!existsSync(join(values.data, 'tsdb'))) {
  const r = spawnSync(process.execPath, [vigilBin, 'import', '--data', values.data, files.om], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vigil import failed');
}
const serveArgs = ['--query.range-cache-size', 'off', '--query.timeout', '10m'];
// Two servers cannot share a data directory lock: the base build serves a copy, made before
// either server starts (a copy taken while one runs would hold its LOCK file).
const copy = values.base ? `${values.data.replace(/\/$/, '')}-base` : null;
if (copy !== null && !existsSync(copy)) spawnSync('cp', ['-r', values.data, copy]);
const systems = [{ name: 'Vigil', server: await startVigilServe(values.data, serveArgs) }];
if (copy !== null) {
  systems.push({ name: 'Vigil (base)', server: await startVigilServe(copy, serveArgs, join(values.base, 'main/bin/vigil.js')) });
}
const vm = await startVictoriaMetrics();
if (vm) {
  const res = await fetch(`${vm.url}/api/v1/import/prometheus`, { method: 'POST', body: (await import('node:fs')).createReadStream(files.prom), duplex: 'half' });
  if (!res.ok) throw new Error(`VM import: HTTP ${res.status}`);
  await fetch(`${vm.url}/internal/force_flush`);
  systems.push({ name: 'VictoriaMetrics 1.79', server: { url: vm.url, pid: vm.pid, stop: () => vm.stop() }, extra: '&nocache=1' });
}
const ids = Object.keys(queries).filter((id) => !values.only || values.only.split(',').includes(id));
const got = new Map();
const loads = [];
try {
  for (const s of systems) for (const id of ids) await promQuery(s.server.url, s.server.pid, queries[id], startMs, endMs, stepMs, s.extra ?? ''); // warm-up
  for (let round = 0; round < Number(values.rounds); round++) {
    loads.push(loadavg()[0]);
    for (const id of ids) {
      for (const s of systems) {
        for (let i = 0; i < Number(values.runs); i++) {
          const r = await promQuery(s.server.url, s.server.pid, queries[id], startMs, endMs, stepMs, s.extra ?? '');
          const key = `${s.name}/${id}`;
          if (!got.has(key)) got.set(key, { ms: [], cpu: [], series: r.series });
          got.get(key).ms.push(r.ms);
          got.get(key).cpu.push(r.cpuMs);
        }
      }
    }
  }
} finally {
  for (const s of systems) await s.server.stop();
}
console.log(`# Q1–Q5 interleaved — ${new Date().toISOString()}, load average (1 min) per round: ${loads.map((l) => l.toFixed(1)).join(', ')}`);
const fmt = (v) => (typeof v !== 'number' ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
const col = (name) => systems.findIndex((s) => s.name === name);
const ratios = [['Vigil/VM', col('Vigil'), col('VictoriaMetrics 1.79')], ['Vigil/base', col('Vigil'), col('Vigil (base)')]].filter(([, a, b]) => a >= 0 && b >= 0);
const lines = [['figure', ...systems.map((s) => s.name), ...ratios.map(([n]) => n)]];
for (const [what, pick] of [['median wall ms', (x) => median(x.ms)], ['median server CPU ms', (x) => median(x.cpu)]]) {
  for (const id of ids) {
    const vals = systems.map((s) => pick(got.get(`${s.name}/${id}`)));
    lines.push([`${id} ${what}`, ...vals.map(fmt), ...ratios.map(([, a, b]) => (vals[a] / vals[b]).toFixed(2) + '×')]);
  }
}
lines.push(['result series (sanity)', ...systems.map((s) => ids.map((id) => got.get(`${s.name}/${id}`).series).join('/')), ...ratios.map(() => '—')]);
const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => String(l[i]).length)));
const row = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
console.log(row(lines[0]));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const l of lines.slice(1)) console.log(row(l));
