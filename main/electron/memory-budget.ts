/**
 * The desktop app's memory budget: `--memory-budget=SIZE` on its command line, else the setting
 * kept in shell-settings.json (set on the Status page through `setMemoryBudget`). The engine
 * applies it at once; V8's heap limit for the main process can only be given at launch
 * (main/memory/heap-limit.ts), so the app relaunches itself once with
 * `--js-flags=--max-old-space-size=N` when a budget is set and the limit is not there yet.
 * Chromium hands `js-flags` to the renderers too. A marker argument stops a second relaunch,
 * whatever Electron reports.
 *
 * The relaunch passes no glibc malloc settings (main/memory/heap-limit.ts `mallocEnv` gives them
 * to `vigil serve`'s engine): Electron builds Chromium's allocator shim, which routes malloc to
 * PartitionAlloc, and that does not read `MALLOC_*` variables (not measured in the app).
 */
import { hasHeapLimit, oldSpaceMbFor } from '../memory/heap-limit.js';
import { parseSizeFlag } from '../../app/dialect/size.js';
import { minBudgetBytes } from '../memory/budget.js';

/** The part of Electron's `app` this needs (the fake electron module provides it in tests). */
export interface RelaunchingApp {
  commandLine: { getSwitchValue(name: string): string; hasSwitch(name: string): boolean };
  relaunch(options: { args: string[] }): void;
  exit(code: number): void;
}

const relaunchedMarker = 'vigil-heap-limit-relaunch';

/** The budget in force and where it came from; a bad `--memory-budget` is reported and ignored. */
export function chooseBudget(app: RelaunchingApp, saved: number | null, warn: (m: string) => void): { bytes: number | null; source: string } {
  const text = app.commandLine.getSwitchValue('memory-budget');
  if (text !== '') {
    const n = parseSizeFlag(text);
    if (n !== null && n >= minBudgetBytes) return { bytes: n, source: '--memory-budget' };
    warn(`--memory-budget=${text} is not a size of at least ${minBudgetBytes / 1048576}MiB (such as 300MiB or 1GiB); using the app's setting`);
  }
  return { bytes: saved, source: 'the app’s setting' };
}

/**
 * Relaunches the app with the heap limit for `budgetBytes` unless it is already set (or this is
 * the relaunched process); true when the app is exiting for it.
 */
export function relaunchForHeapLimit(app: RelaunchingApp, budgetBytes: number | null, argv: readonly string[]): boolean {
  if (budgetBytes === null || app.commandLine.hasSwitch(relaunchedMarker)) return false;
  const jsFlags = app.commandLine.getSwitchValue('js-flags');
  if (hasHeapLimit(jsFlags.split(/\s+/))) return false;
  const flags = [jsFlags, `--max-old-space-size=${oldSpaceMbFor(budgetBytes)}`].filter((f) => f !== '').join(' ');
  const rest = argv.slice(1).filter((a) => !a.startsWith('--js-flags'));
  app.relaunch({ args: [...rest, `--js-flags=${flags}`, `--${relaunchedMarker}`] });
  app.exit(0);
  return true;
}
