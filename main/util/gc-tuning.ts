/**
 * V8 garbage-collector settings for the engine, applied at start (the CLI shim `main/bin/vigil.js`
 * and the desktop shell's main process both call this before the engine allocates).
 *
 * The scrape path allocates short-lived buffers quickly (response bodies, gunzip output, commit
 * batches). With V8's defaults the young generation starts at 1 MiB, so objects alive across one
 * await are promoted, and the old generation's limit sits just above the live heap, so V8 ran a
 * full mark-compact every half second or so — with the concurrent marking threads that was a third
 * of Vigil's CPU when scraping 100k series every second. A 16 MiB young generation and an old
 * generation allowed to grow to twice its live size after a collection cut CPU per sample from
 * ~1.7 to ~1.05 CPU-s per 1 M samples there (W-fleet at 1 s; `npm run bench:scrape`), for a few
 * tens of MiB of extra headroom. Flags set at run time apply to isolates created afterwards (the
 * storage worker) and to the main isolate's next heap-limit computation.
 */
import { setFlagsFromString } from 'node:v8';

export const gcFlags = ['--min-semi-space-size=16', '--heap-growing-percent=100'] as const;

export function tuneGarbageCollector(): void {
  for (const f of gcFlags) setFlagsFromString(f);
}
