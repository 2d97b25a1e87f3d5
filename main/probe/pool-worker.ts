/**
 * Thread entry of the probe pool: runs each probe it is sent with runProbe, exactly as the main
 * thread would, and posts the result back (main/util/worker-pool-thread.ts). Loaded by pool.ts as
 * `new URL('./pool-worker.js', import.meta.url)`.
 */
import { isMainThread } from 'node:worker_threads';
import { serveJobs } from '../util/worker-pool-thread.js';
import { runProbe } from './runner.js';
import { moduleFromWire, type ProbeJob } from './pool-protocol.js';
import type { ProbeModule } from './module-schema.js';
import type { ProbeResult } from './types.js';

if (!isMainThread) {
  /** Parsed modules by wire text: a probe job sends the same module again and again. */
  const modules = new Map<string, ProbeModule>();
  serveJobs<ProbeJob, ProbeResult>((job, signal) => {
    let module = modules.get(job.module);
    if (module === undefined) {
      try {
        module = moduleFromWire(job.module);
      } catch (err) {
        throw new Error(`cannot read the module: ${(err as Error).message}`);
      }
      if (modules.size >= 64) modules.clear();
      modules.set(job.module, module);
    }
    return runProbe(module, job.target, {
      signal,
      ...(job.timeoutSeconds !== undefined ? { timeoutSeconds: job.timeoutSeconds } : {}),
      ...(job.pingPath !== undefined ? { pingPath: job.pingPath } : {}),
    });
  });
}
