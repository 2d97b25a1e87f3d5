/**
 * V8's old-generation limit (`--max-old-space-size`) derived from the memory budget. The budget
 * bounds the whole resident set; the main thread's heap is one part of it beside the storage
 * worker's heap, typed arrays outside the heap (series index, open chunks), SQLite's caches and
 * Node itself (~50 MiB). 60 % of the budget (at least 128 MiB) leaves room for those and still
 * lets V8 collect harder before the budget is reached, instead of growing the heap to 2–4 GiB.
 * A heap limit is a hard wall (V8 ends the process when live objects exceed it), which is why the
 * budget's other levers — pressure steps and refusing queries — act well before it.
 *
 * V8 fixes a heap's limit when the isolate is created: setting the flag at run time reaches only
 * isolates created later (the storage worker), not the main thread's. So:
 * * `vigil serve --memory-budget` re-executes Node with the flag (main/bin/vigil.js) unless
 *   `--max-old-space-size` is already given in Node's arguments or `NODE_OPTIONS`;
 * * the desktop app relaunches itself once with `--js-flags=--max-old-space-size=N` (Electron
 *   applies `js-flags` to the main process only when given at launch; `appendSwitch` reaches the
 *   renderers alone) — main/electron/memory-budget.ts.
 *
 * The re-executed engine also gets glibc malloc settings (`mallocEnv`), which can only be given
 * before a process starts. W-fleet (100k series at 5 s) measured 2,522 → 2,086 B/series of RSS
 * with them (docs/benchmarks.md, "Resident memory per series"): Node's threads each get a malloc
 * arena (up to 8 per core) that keeps what scrape bodies, SQLite and zlib freed, and glibc's
 * sliding mmap threshold moves large transient buffers from mmap (given back on free) into those
 * arenas after the first one is freed. `MALLOC_ARENA_MAX=2` bounds the arenas; a fixed
 * `MALLOC_MMAP_THRESHOLD_` of 128 KiB keeps large buffers on mmap. Results are unchanged (only
 * where memory comes from); macOS and Windows allocators do not read these variables. The price
 * is CPU: 6 % more per sample on a quiet machine (2,462 → 2,110 B/series, 2.23 → 2.36 CPU-s per
 * 1 M samples; more at load 13–17: mmap and page faults per large buffer, arena locks), which a
 * user who sets a budget has chosen to pay for memory.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { parseSizeFlag } from '../../app/dialect/size.js';

const mib = 1024 * 1024;

/** `--max-old-space-size` (MiB) for a budget in bytes. */
export function oldSpaceMbFor(budgetBytes: number): number {
  return Math.max(128, Math.floor((budgetBytes * 0.6) / mib));
}

/** True when Node's or V8's flags already set the old generation's limit. */
export function hasHeapLimit(flags: readonly string[]): boolean {
  return flags.some((f) => /^--max[-_]old[-_]space[-_]size(=|$)/.test(f));
}

/** The value of `--memory-budget` among `vigil serve`'s arguments (`--memory-budget X` or `=X`), in bytes; null when absent or not a size. */
function budgetArg(args: readonly string[]): number | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a === '--memory-budget') return parseSizeFlag(args[i + 1] ?? '');
    if (a.startsWith('--memory-budget=')) return parseSizeFlag(a.slice('--memory-budget='.length));
  }
  return null;
}

/**
 * For the `vigil` launcher: the Node arguments to re-execute with so the main thread's heap limit
 * follows `serve --memory-budget`, or null to run as is (another command, no budget, a bad size
 * the flag parser will report, or a limit the user set).
 */
export function serveHeapArgs(args: readonly string[], execArgv: readonly string[], nodeOptions: string | undefined): string[] | null {
  if (args[0] !== 'serve') return null;
  const budget = budgetArg(args.slice(1));
  if (budget === null) return null;
  if (hasHeapLimit(execArgv) || hasHeapLimit((nodeOptions ?? '').split(/\s+/))) return null;
  return [...execArgv, `--max-old-space-size=${oldSpaceMbFor(budget)}`];
}

/** glibc malloc settings for the re-executed engine (see above). */
const mallocDefaults: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };

/**
 * The malloc variables to add to the re-executed engine's environment: none off Linux, and none
 * when the user's environment already tunes glibc malloc (any `MALLOC_*` variable or
 * `GLIBC_TUNABLES`), so their own settings win whole.
 */
export function mallocEnv(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Record<string, string> {
  if (platform !== 'linux') return {};
  if (Object.keys(env).some((k) => k.startsWith('MALLOC_') || k === 'GLIBC_TUNABLES')) return {};
  return { ...mallocDefaults };
}

const launcherEnv = 'VIGIL_LAUNCHER_PID';

/**
 * In a process `reexec` started: calls `gone` once the launcher is no longer its parent (it was
 * killed outright, e.g. SIGKILL, and could not forward a signal), so no serve is left running
 * unseen. Checked every second on an unref'd timer.
 */
export function watchLauncher(gone: () => void, env: NodeJS.ProcessEnv = process.env): void {
  const pid = Number(env[launcherEnv]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const timer = setInterval(() => {
    if (process.ppid === pid) return;
    clearInterval(timer);
    gone();
  }, 1000);
  timer.unref();
}

/**
 * Runs `script args` in a new Node with `nodeArgs` (and `mallocEnv`) and answers its exit code. The child gets its
 * own process group, so a terminal's Ctrl-C reaches it once — forwarded by this process, the one
 * the terminal and supervisors know — rather than twice (which `vigil serve` reads as "exit at
 * once").
 */
export function reexec(nodeArgs: readonly string[], script: string, args: readonly string[]): Promise<number> {
  const env = { ...process.env, ...mallocEnv(process.env), [launcherEnv]: String(process.pid) };
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: 'inherit', detached: true, env });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (s: NodeJS.Signals): void => void child.kill(s);
  for (const s of signals) process.on(s, forward);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
    child.on('error', (err) => {
      process.stderr.write(`vigil: cannot start ${process.execPath}: ${err.message}\n`);
      resolve(1);
    });
  });
}
