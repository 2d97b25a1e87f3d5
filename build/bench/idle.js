// bench:idle — what a first-launch `vigil serve` costs while nobody uses it: a fresh data
// directory, no config (built-in config: this machine's host collector, Vigil's own metrics,
// shipped rules), left alone after a warm-up. Over the window it reports CPU as % of one core
// (utime + stime from /proc/PID/stat), wake-ups per second (voluntary + nonvoluntary context
// switches of every thread, /proc/PID/task/*/status, per thread name) and the engine's own
// vigil_event_loop_iterations_total rate (turns of the main event loop).
//   node build/bench/idle.js [--warmup 20] [--window 60]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machine, procStats } from './peers.js';
import { startVigilServe } from './vigil-system.js';

const { values } = parseArgs({ options: { warmup: { type: 'string', default: '20' }, window: { type: 'string', default: '60' } } });
const warmupS = Number(values.warmup);
const windowS = Number(values.window);
if (!(warmupS >= 0) || !(windowS > 0)) throw new Error(`--warmup must be >= 0 and --window > 0 seconds, got ${values.warmup} and ${values.window}`);

/** Context switches of each thread of `pid`, keyed by tid, with the thread's name. */
function threadSwitches(pid) {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let status;
    try {
      status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\S+)`, 'm').exec(status)?.[1] ?? 0);
    const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?';
    out.set(tid, { name, switches: field('voluntary_ctxt_switches') + field('nonvoluntary_ctxt_switches') });
  }
  return out;
}

async function loopIterations(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^vigil_event_loop_iterations_total(?:\{\})? (\S+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

const m = machine();
console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, kernel ${m.kernel}, node ${m.node}`);
const dataDir = mkdtempSync(join(tmpdir(), 'bench-idle-'));
const server = await startVigilServe(dataDir);
try {
  console.log(`first-launch vigil serve (pid ${server.pid}, data ${dataDir}); warm-up ${warmupS} s, window ${windowS} s`);
  await new Promise((r) => setTimeout(r, warmupS * 1000));
  // The two reads of the loop counter are themselves HTTP requests (a few turns each): negligible
  // against a window of seconds, and made outside it for the CPU and switch figures.
  const iter0 = await loopIterations(server.url);
  const cpu0 = procStats(server.pid).cpuSeconds;
  const sw0 = threadSwitches(server.pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowS * 1000));
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = procStats(server.pid).cpuSeconds;
  const sw1 = threadSwitches(server.pid);
  const { rssBytes } = procStats(server.pid);
  const iter1 = await loopIterations(server.url);

  const byName = new Map();
  let total = 0;
  for (const [tid, after] of sw1) {
    const d = after.switches - (sw0.get(tid)?.switches ?? 0);
    total += d;
    const name = tid === String(server.pid) ? `${after.name} (main)` : after.name;
    byName.set(name, (byName.get(name) ?? 0) + d);
  }
  const cpuPct = ((cpu1 - cpu0) / seconds) * 100;
  console.log(`\n| figure (idle, ${seconds.toFixed(0)} s window) | value |`);
  console.log('|---|---|');
  console.log(`| CPU, % of one core (target < 1) | ${cpuPct.toFixed(2)} |`);
  console.log(`| wake-ups/s, all threads (context switches) | ${(total / seconds).toFixed(1)} |`);
  console.log(`| event-loop turns/s (vigil_event_loop_iterations_total) | ${iter0 === null || iter1 === null ? 'not exposed' : ((iter1 - iter0) / seconds).toFixed(1)} |`);
  console.log(`| threads | ${sw1.size} |`);
  console.log(`| resident MiB | ${(rssBytes / 2 ** 20).toFixed(0)} |`);
  console.log('\n| thread | wake-ups/s |');
  console.log('|---|---|');
  for (const [name, d] of [...byName].sort((a, b) => b[1] - a[1])) if (d > 0) console.log(`| ${name} | ${(d / seconds).toFixed(2)} |`);
  console.log(`\ncpu ticks are 10 ms (USER_HZ 100): over ${seconds.toFixed(0)} s the CPU figure is exact to ±${(1 / seconds).toFixed(3)} %.`);
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
