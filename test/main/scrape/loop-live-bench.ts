/**
 * Live scrape figure (not a test): W-fleet (docs/benchmarks.md) targets served by a child process on 127.0.0.1,
 * scraped by a ScrapeManager into a no-op Appendable; prints this process' CPU-s per 1 M
 * samples (HTTP + gunzip + parse + cache + append, no storage).
 *   npx esbuild test/main/scrape/loop-live-bench.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=/tmp/live.mjs && node /tmp/live.mjs run [targets] [series] [interval_ms] [seconds]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Appendable } from '../../../main/tsdb/interface.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { ScrapeManager } from '../../../main/scrape/manager.js';
import { serveFleet } from '../../../main/workload/serve.js';
import { makeTarget } from './loop-fixtures.js';

const [targets = 50, series = 2000, interval = 1000, seconds = 20] = process.argv.slice(3).map(Number);

if (process.argv[2] === 'serve') {
  const fleet = await serveFleet({ targets, series, seed: 1 });
  console.log(JSON.stringify(fleet.ports));
} else {
  const child = spawn(process.execPath, [process.argv[1]!, 'serve', ...process.argv.slice(3)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = await new Promise<number[]>((resolve) => {
    createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as number[]));
  });
  let next = 1;
  const noop: Appendable = {
    appender: () => ({ append: (s) => (typeof s === 'number' ? s : next++), commit: async () => {}, rollback: () => {} }),
  };
  const m = new ScrapeManager({ appendable: noop, userAgent: 'Vigil/bench' });
  await m.sync(
    ports.map((p, i) =>
      makeTarget({ job: 'fleet', url: `http://127.0.0.1:${p}/metrics`, labels: labelsFromRecord({ job: 'fleet', instance: `host-${i}` }), interval, timeout: interval }),
    ),
  );
  // Past every target's first (cache-filling) scrape: the figure is for the steady state.
  await new Promise((r) => setTimeout(r, 2 * interval + 1000));
  const s0 = m.selfMetrics().samplesAppendedTotal;
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c = process.cpuUsage(c0);
  const samples = m.selfMetrics().samplesAppendedTotal - s0;
  const cpu = (c.user + c.system) / 1e6;
  console.log(
    `${targets} targets × ${series} series every ${interval} ms for ${seconds} s: ${samples} samples, ${cpu.toFixed(2)} CPU-s → ` +
      `${((cpu / samples) * 1e6).toFixed(3)} CPU-s per 1 M samples; failures ${JSON.stringify(m.selfMetrics().failuresTotal)}`,
  );
  await m.stop();
  child.kill();
}
