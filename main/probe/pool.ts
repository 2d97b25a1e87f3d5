/**
 * Probes on a small pool of worker threads (one per core, at most four), so probing uses the
 * cores blackbox_exporter's goroutines use. Each worker runs runProbe unchanged (the TLS chain
 * walk, expiry figures and log are the same code as in-process); results come back by message.
 * The threads are main/util/worker-pool.ts's: they start when probes need them (a new one only
 * while every running one is busy), do not keep the process alive when idle and end after five
 * minutes without a probe. A worker that dies fails only its own probes, each with a probe log
 * naming why, and the next probe starts a fresh one. A worker that cannot start at all (its file
 * missing or unloadable, e.g. inside an asar archive) turns the pool into runProbe on this thread
 * for good: its probes run here instead, and `onFallback` hears why once.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runProbe } from './runner.js';
import { WorkerLostError, WorkerPool, type PoolMemory } from '../util/worker-pool.js';
import { moduleToWire, type ProbeJob } from './pool-protocol.js';
import type { ProbeModule } from './module-schema.js';
import type { ProbeOptions, ProbeResult } from './types.js';

/** Runs one probe: runProbe in this thread, or ProbePool.run on a worker. */
export type ProbeRunner = (module: ProbeModule, target: string, options?: ProbeOptions) => Promise<ProbeResult>;

/** A failed result for a probe its worker could not finish (the worker died, or never started). */
function workerFailure(target: string, message: string): ProbeResult {
  return {
    success: false,
    samples: [
      { name: 'probe_duration_seconds', labels: {}, value: 0 },
      { name: 'probe_success', labels: {}, value: 0 },
    ],
    log: [{ ts: Date.now(), level: 'error', phase: 'probe', msg: `The probe worker thread failed: ${message}`, fields: { target } }],
    durationMs: 0,
    certificates: [],
  };
}

export class ProbePool {
  private readonly pool: WorkerPool<ProbeJob, ProbeResult>;
  private readonly wire = new WeakMap<ProbeModule, string>();
  private fallbackHeard = false;

  constructor(
    url: URL,
    readonly size = Math.max(1, Math.min(4, availableParallelism())),
    private readonly onFallback?: (reason: string) => void,
    /**
     * An idle thread ends after this long: longer than the usual probe intervals (up to a minute, four
     * in energy mode), so a steady probe job does not start a thread every round.
     */
    idleMs = 5 * 60_000,
  ) {
    // Probes wait on the network: a thread runs any number; a new one starts only while every running one is busy.
    this.pool = new WorkerPool({ url, size, jobsPerThread: Infinity, stopOnStartFailure: true, idleMs });
  }

  /** Why probes run on this thread instead (a worker could not start); undefined while the pool works. */
  get fallbackReason(): string | undefined {
    const why = this.pool.startFailure;
    return why === undefined ? undefined : `the probe worker thread could not start (${why}); probes run on the main thread`;
  }

  /** Worker threads running now (for tests and the status page). */
  get threads(): number {
    return this.pool.threads;
  }

  /** What the threads hold (the memory budget's parts). */
  memory(): PoolMemory {
    return this.pool.memory();
  }

  /** Ends the threads that run no probe now (memory pressure); the next probe starts one again. */
  endIdle(): Promise<number> {
    return this.pool.endIdle();
  }

  readonly run: ProbeRunner = async (module, target, options = {}) => {
    if (this.pool.startFailure !== undefined) return runProbe(module, target, options);
    let text = this.wire.get(module);
    if (text === undefined) {
      text = moduleToWire(module);
      this.wire.set(module, text);
    }
    const job: ProbeJob = {
      module: text,
      target,
      ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
      ...(options.pingPath !== undefined ? { pingPath: options.pingPath } : {}),
    };
    let result: ProbeResult;
    try {
      // An abort reaches runProbe on the thread, which ends the probe with a failed result.
      result = await this.pool.run(job, { signal: options.signal, onAbort: 'tell' });
    } catch (e) {
      if (e instanceof WorkerLostError && !e.started && this.pool.startFailure !== undefined) {
        // Every probe handed to a worker so far runs here instead; no worker is started again.
        if (!this.fallbackHeard) {
          this.fallbackHeard = true;
          this.onFallback?.(this.fallbackReason!);
        }
        return runProbe(module, target, options);
      }
      return workerFailure(target, (e as Error).message);
    }
    // The log was collected in the worker; the caller's logger hears it now, as it would have live.
    const logger = options.logger;
    if (logger !== undefined) for (const e of result.log) logger[e.level](e.msg, { phase: e.phase, target, ...e.fields });
    return result;
  };

  /** Stops every worker; probes still running on them fail. The pool can be used again after. */
  async close(): Promise<void> {
    await this.pool.stopThreads('the probe pool was closed');
  }
}

const workerUrl = new URL('./pool-worker.js', import.meta.url);

/**
 * A pool when the compiled worker is beside this module (the built app), else runProbe in this
 * thread (TypeScript sources under the test runner, where a worker cannot load `.ts`).
 */
export function probePool(url = workerUrl, onFallback?: (reason: string) => void): ProbePool | undefined {
  return existsSync(fileURLToPath(url)) ? new ProbePool(url, undefined, onFallback) : undefined;
}
