// node build/bench/topology-engine.js [--rounds 10] — the engine's side of a topology refresh
// alone, without a browser: W-mesh (200 services, 1,000 edges, Linkerd labels) and W-fleet
// (10 × 2,000 series) scraped at 5 s by `vigil serve`, then the topology channel called
// `--rounds` times one after another, 1 s apart, with an explicit time (so each call evaluates
// the graph; a request without one gets the graph the engine keeps up to date), then as many
// live calls (no time). Prints each call's time and the medians.
// BENCH_SERVE_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the served engine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machine, median } from './peers.js';
import { startVigilServe, startWorkload } from './vigil-system.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' } } });


const dir = mkdtempSync(join(tmpdir(), 'bench-topology-engine-'));
const mesh = await startWorkload(['--mesh', 'linkerd', '--services', '200', '--edges', '1000']);
const fleet = await startWorkload(['--targets', '10', '--series', '2000']);
const config = join(dir, 'vigil.yml');
const list = (g) => g.targets.map((t) => `'${t}'`).join(', ');
writeFileSync(
  config,
  `global:\n  scrape_interval: 5s\n  scrape_timeout: 4s\nscrape_configs:\n  - job_name: mesh\n    static_configs:\n      - targets: [${list(mesh.group)}]\n  - job_name: fleet\n    static_configs:\n      - targets: [${list(fleet.group)}]\n`,
);
const serve = await startVigilServe(join(dir, 'data'), ['--config', config]);
const call = async (live = false) => {
  const t0 = performance.now();
  const r = await fetch(`${serve.url}/api/vigil/topology`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(live ? {} : { time: Date.now() }) });
  const body = await r.json();
  const answer = body.value ?? body.result ?? body;
  return { ms: performance.now() - t0, evalMs: answer.evalMs ?? NaN, cached: answer.cached === true, edges: answer.edges?.length ?? 0, queries: answer.queries ?? [] };
};
try {
  await new Promise((r) => setTimeout(r, 16_000));
  // Timed only once the graph is whole: a mesh that is not scraped (a port taken by another
  // process, a loaded machine) would time empty answers.
  const deadline = Date.now() + 180_000;
  let edges = 0;
  while ((edges = (await call()).edges) < 1000) {
    if (Date.now() > deadline) throw new Error(`the graph had ${edges} of 1,000 edges after 3 minutes; not timed`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  const runs = [];
  for (let i = 0; i < Number(values.rounds); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    runs.push(await call());
  }
  const live = [];
  for (let i = 0; i < Number(values.rounds); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    live.push(await call(true));
  }
  console.log(`# topology engine — ${new Date().toISOString()}, ${JSON.stringify(machine())}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`evaluations (ms): ${runs.map((r) => r.ms.toFixed(0)).join(', ')}; median ${median(runs.map((r) => r.ms)).toFixed(0)} ms over HTTP, ${median(runs.map((r) => r.evalMs)).toFixed(0)} ms in the engine; ${runs[0].edges} edges`);
  console.log(`live calls (ms): ${live.map((r) => r.ms.toFixed(0)).join(', ')}; median ${median(live.map((r) => r.ms)).toFixed(0)} ms; ${live.filter((r) => r.cached).length} of ${live.length} from the kept graph`);
  const last = runs.at(-1);
  for (const q of last.queries) console.log(`  ${q.ms.toFixed(0).padStart(6)} ms  ${q.series} series  ${q.query}`);
} finally {
  await serve.stop();
  mesh.stop();
  fleet.stop();
  rmSync(dir, { recursive: true, force: true });
}
