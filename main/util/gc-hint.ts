/**
 * A hint to V8 to collect now, for memory pressure (main/memory/budget.ts) and the storage
 * worker. `global.gc` exists only with `--expose-gc`; setting that flag at run time and asking a
 * fresh context for `gc` gives the same function without a restart. The flag is process-wide, but
 * the function collects the isolate (thread) that calls it. Returns false where V8 refuses.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

export function collectGarbage(): boolean {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const fn = runInNewContext('gc') as unknown;
      collect = typeof fn === 'function' ? (fn as () => void) : null;
    } catch {
      collect = null;
    }
  }
  if (collect === null) return false;
  collect();
  return true;
}
