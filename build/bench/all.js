// npm run bench (after the build): every bench of the issue #18 table in turn, then the table.
// Figure files of an earlier run are removed first, so the table holds this run's figures only;
// a bench that fails is reported and the rest still run, its figures then print "not measured",
// and the command exits non-zero naming it.
//   node build/bench/all.js
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { figuresDir } from './figures.js';
import { repoRoot } from './vigil-system.js';

const steps = [
  ['build/bench/tsdb.js'],
  ['build/bench/scrape.js'],
  ['--expose-gc', 'dist/main/tsdb/bench/tsdb-bench.js'],
  ['build/bench/ui.js'],
  ['build/bench/idle.js'],
  ['build/bench/wide-query.js'],
  ['build/bench/probe.js'],
];
for (const name of ['tsdb', 'scrape', 'wide-query', 'ui', 'probe']) rmSync(join(figuresDir, `${name}.json`), { force: true });
const failed = [];
for (const args of steps) {
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${args.at(-1)} (${r.signal ?? `exit ${r.status}`})`);
}
const summary = spawnSync(process.execPath, ['build/bench/summary.js'], { cwd: repoRoot, stdio: 'inherit' });
if (summary.status !== 0) failed.push('build/bench/summary.js');
if (failed.length > 0) {
  console.error(`\nbenches that failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
