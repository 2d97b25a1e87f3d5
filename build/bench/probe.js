// npm run bench's probe step: runs the probe bench (main/probe/bench/probe-bench.ts, built to dist/)
// — 200 HTTPS targets, Vigil beside blackbox_exporter — passes its output through, and writes its
// figures to test-results/bench/probe.json for build/bench/summary.js. Arguments go to the bench.
//   node build/bench/probe.js [--targets 200] [--rounds 5] [--concurrency 50]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeFigures } from './figures.js';
import { repoRoot } from './vigil-system.js';

const child = spawn(process.execPath, [join(repoRoot, 'dist/main/probe/bench/probe-bench.js'), '--json', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
let figures = null;
for await (const line of createInterface({ input: child.stdout })) {
  if (line.startsWith('{"figures":')) figures = JSON.parse(line).figures;
  else console.log(line);
}
const code = await new Promise((resolve) => child.on('close', resolve));
if (code !== 0 || figures === null) {
  console.error(`probe bench failed (exit ${code}${figures === null ? ', no figures line' : ''}); test-results/bench/probe.json left as it was`);
  process.exitCode = 1;
} else console.log(`figures written to ${writeFigures('probe', figures)}`);
