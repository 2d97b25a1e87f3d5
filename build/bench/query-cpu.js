// Q1–Q5 in-process on an imported W-offline data dir, without HTTP: median wall time and median
// CPU time per query (process-wide, so the compression worker's share is included). CPU time is
// the figure to compare builds by on a shared machine, where wall time follows other users' load.
// Compare two builds by pointing --root at another checkout's built tree, interleaving runs.
//   node main/bin/vigil.js import --data DIR test-results/bench-data/w-offline-10000x720.om   (once)
//   node build/bench/query-cpu.js --data DIR/tsdb [--root /path/to/other/checkout] [--runs 7] [--only Q1,Q5]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { queries } from './tsdb-peers.js';
import { repoRoot } from './vigil-system.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, root: { type: 'string', default: repoRoot }, runs: { type: 'string', default: '7' }, only: { type: 'string' } } });
if (!values.data) throw new Error('--data <imported W-offline tsdb dir> is required');
const { TSDB } = await import(join(values.root, 'dist/main/tsdb/db.js'));
const { PromQLEngine } = await import(join(values.root, 'dist/main/promql/engine.js'));
const startMs = 1764115200000; // as build/bench/tsdb.js
const stepMs = 15_000;
const endMs = startMs + 719 * stepMs;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const db = await TSDB.open({ dir: values.data, retentionIntervalMs: 0 });
const engine = new PromQLEngine({});
try {
  for (const [id, q] of Object.entries(queries)) {
    if (values.only && !values.only.split(',').includes(id)) continue;
    let r = await engine.rangeQuery(db, q, startMs, endMs, stepMs); // warm-up
    const wall = [];
    const cpu = [];
    for (let i = 0; i < Number(values.runs); i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      r = await engine.rangeQuery(db, q, startMs, endMs, stepMs);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    let sum = 0;
    for (const s of r.result.series ?? []) for (const x of s.v) sum += x;
    console.log(`${id} cpu ${median(cpu).toFixed(1)} ms, wall ${median(wall).toFixed(1)} ms, ${r.result.series?.length ?? 0} series, sum of values ${sum.toPrecision(15)}`);
  }
} finally {
  await db.close();
}
