// npm run bench:memory-budget — the memory budget (issue #18) on W-fleet (default 50 targets ×
// 2,000 series = 100k) scraped at 5 s, one system after another in the same run:
//   1. Vigil without a budget, 2. Vigil with --memory-budget (default 300MiB), 3. VictoriaMetrics 1.79.
// Each scrapes for --warmup s, then its RSS is read every 2 s for --seconds s; during Vigil's
// windows a wide instant query (`count({job="fleet"})`) and a 15 min range query run once after a
// third of the window. Prints resident bytes per series (median of the window's readings), the
// budgeted run's highest RSS against the budget, RSS over time, and what became of each query
// (answered, or refused with Vigil's message).
//   node build/bench/memory-budget.js [--targets 50] [--series 2000] [--budget 300MiB] [--warmup 40] [--seconds 60] [--only vigil] [--compare DIR]
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { binaries, installed, machine, procStats, startVictoriaMetrics, versionOf } from './peers.js';
import { startVigilServe } from './vigil-system.js';
import { fleetConfig, startFleet } from './fleet.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '50' },
    series: { type: 'string', default: '2000' },
    budget: { type: 'string', default: '300MiB' },
    warmup: { type: 'string', default: '40' },
    seconds: { type: 'string', default: '60' },
    only: { type: 'string' },
    /** Another build's checkout (its main/bin/vigil.js and dist/): run first without a budget, for a before/after in the same run. */
    compare: { type: 'string' },
  },
});
const series = Number(values.targets) * Number(values.series);
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));
const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;

console.log(`# Vigil memory-budget benchmark — ${new Date().toISOString()}`);
console.log(`machine: ${JSON.stringify(machine())}`);
console.log(`workload: W-fleet ${values.targets} targets × ${values.series} series at 5s; each system scrapes ${values.warmup} s, then RSS every 2 s for ${values.seconds} s`);

/**
 * The process that holds the engine: with --memory-budget, `vigil` re-executes Node with the heap
 * limit (main/memory/heap-limit.ts) and the launcher's one child is the engine.
 */
function enginePid(pid) {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length === 1 ? Number(kids[0]) : pid;
  } catch {
    return pid;
  }
}

async function runQuery(url, path) {
  const t0 = performance.now();
  const res = await fetch(`${url}${path}`);
  const body = await res.json();
  const ms = performance.now() - t0;
  return body.status === 'success' ? `answered in ${ms.toFixed(0)} ms` : `HTTP ${res.status} ${body.errorType}: ${body.error}`;
}

/** RSS every 2 s for the window; Vigil's queries after a third of it. */
async function window(pid, url) {
  const readings = [];
  const queries = [];
  const t0 = Date.now();
  const qAt = (Number(values.seconds) / 3) * 1000;
  let asked = url === null;
  while (Date.now() - t0 < Number(values.seconds) * 1000) {
    readings.push({ s: (Date.now() - t0) / 1000, rss: procStats(pid).rssBytes });
    if (!asked && Date.now() - t0 >= qAt) {
      asked = true;
      const end = Date.now() / 1000;
      queries.push(['count({job="fleet"}) (instant)', await runQuery(url, `/api/v1/query?query=${encodeURIComponent('count({job="fleet"})')}`)]);
      readings.push({ s: (Date.now() - t0) / 1000, rss: procStats(pid).rssBytes });
      const range = new URLSearchParams({ query: 'sum(rate(http_requests_total[1m]))', start: String(end - 900), end: String(end), step: '15' });
      queries.push(['sum(rate(http_requests_total[1m])) over 15 min at 15 s', await runQuery(url, `/api/v1/query_range?${range}`)]);
      readings.push({ s: (Date.now() - t0) / 1000, rss: procStats(pid).rssBytes });
    }
    await sleep(2);
  }
  const sorted = readings.map((r) => r.rss).sort((a, b) => a - b);
  return { readings, queries, median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

async function vigilRun(name, extraArgs, bin = undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-vigil-budget-'));
  const cfg = join(dir, 'vigil.yml');
  writeFileSync(cfg, fleetConfig(fleet.addresses, '5s'));
  const vigil = await startVigilServe(join(dir, 'data'), ['--config', cfg, ...extraArgs], bin);
  try {
    const pid = enginePid(vigil.pid);
    process.stderr.write(`${name}: scraping for ${values.warmup} s (engine pid ${pid})…\n`);
    await sleep(Number(values.warmup));
    const w = await window(pid, vigil.url);
    const mem = await (await fetch(`${vigil.url}/api/vigil/memory`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json();
    process.stderr.write(`${name}: RSS median ${mib(w.median)}, max ${mib(w.max)}\n`);
    return { name, ...w, memory: mem };
  } finally {
    await vigil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fleet = await startFleet(Number(values.targets), Number(values.series));
const runs = [];
try {
  if (values.compare !== undefined) runs.push(await vigilRun(`Vigil ${values.compare} (no budget)`, [], join(values.compare, 'main/bin/vigil.js')));
  runs.push(await vigilRun('Vigil (no budget)', []));
  runs.push(await vigilRun(`Vigil (--memory-budget ${values.budget})`, ['--memory-budget', values.budget]));
  if (installed('victoriaMetrics') && values.only !== 'vigil') {
    const dir = mkdtempSync(join(tmpdir(), 'bench-vm-budget-'));
    const cfg = join(dir, 'scrape.yml');
    writeFileSync(cfg, fleetConfig(fleet.addresses, '5s'));
    const vm = await startVictoriaMetrics({ extraArgs: [`-promscrape.config=${cfg}`] });
    try {
      process.stderr.write(`VictoriaMetrics: scraping for ${values.warmup} s…\n`);
      await sleep(Number(values.warmup));
      runs.push({ name: 'VictoriaMetrics 1.79', ...(await window(vm.pid, null)) });
    } finally {
      await vm.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  fleet.child.kill('SIGTERM');
}

const vm = runs.find((r) => r.name.startsWith('VictoriaMetrics'));
console.log(`\n### Resident memory at steady scrape of ${series.toLocaleString('en-US')} series (median of the window)\n`);
console.log('| system | RSS | bytes per series | vs VictoriaMetrics | highest RSS in the window |');
console.log('|---|---|---|---|---|');
for (const r of runs) {
  console.log(`| ${r.name} | ${mib(r.median)} | ${(r.median / series).toFixed(0)} | ${vm ? `${(r.median / vm.median).toFixed(2)}×` : '—'} | ${mib(r.max)} |`);
}
const budgeted = runs.find((r) => r.name.includes('--memory-budget'));
if (budgeted) {
  const budget = budgeted.memory.budgetBytes;
  console.log(`\n### ${budgeted.name}: RSS over time (budget ${mib(budget)}; highest ${mib(budgeted.max)}: ${budgeted.max <= budget ? 'under' : 'OVER'} the budget)\n`);
  console.log(budgeted.readings.map((r) => `${r.s.toFixed(0)}s ${mib(r.rss)}`).join(' · '));
  console.log(`\npressure steps: ${budgeted.memory.actions.map((a) => `${a.action} (${mib(a.rssBeforeBytes)} → ${mib(a.rssAfterBytes)})`).join('; ') || 'none'}`);
  console.log(`heap limit: ${mib(budgeted.memory.heapLimitBytes)}; parts at the end: ${budgeted.memory.parts.map((p) => `${p.part} ${mib(p.bytes)}`).join(', ')}`);
}
for (const r of runs.filter((x) => x.queries.length > 0)) {
  console.log(`\n${r.name} queries:`);
  for (const [q, outcome] of r.queries) console.log(`* ${q}: ${outcome}`);
}
console.log(`peers: ${versionOf(binaries.victoriaMetrics)}`);
