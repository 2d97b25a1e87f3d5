/**
 * V8 garbage-collector settings for the engine, applied at start (the CLI shim `main/bin/vigil.js`
 * and the desktop shell's main process both call this before the engine allocates).
 *
 * With V8's defaults the old generation's limit is set just above the live heap after each full
 * collection. The scrape path promotes a steady trickle of short-lived objects (buffers alive
 * across an await), so V8 could fall into a full mark-compact every ~100 ms — the scrape hot-path
 * bench (`main/workload/bench/scrape-bench.ts`) was bimodal, 0.65 or 1.5 CPU-s per 1 M samples
 * from run to run. Letting the old generation grow to twice its live size after a collection
 * removes that (0.64–0.66 in every run) for a few MiB of headroom. A larger young generation
 * (`--min-semi-space-size=16`) helped too, but reserves 32 MiB per isolate (main and storage
 * worker): more than it saved once head pages stopped allocating per encode.
 * Flags set at run time apply to the main isolate's next heap-limit computation and to isolates
 * created afterwards (the storage worker).
 */
import { setFlagsFromString } from 'node:v8';

const gcFlags = ['--heap-growing-percent=100'] as const;

/** `VIGIL_GC_FLAGS` replaces the defaults (whitespace-separated V8 flags; empty: V8's own). */
export function tuneGarbageCollector(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const flags = env['VIGIL_GC_FLAGS'] !== undefined ? env['VIGIL_GC_FLAGS'].split(/\s+/).filter((f) => f !== '') : gcFlags;
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
