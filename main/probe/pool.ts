/**
 * Probes on a small pool of worker threads (one per core, at most four), so probing uses the
 * cores blackbox_exporter's goroutines use. Each worker runs runProbe unchanged (the TLS chain
 * walk, expiry figures and log are the same code as in-process); results come back by message.
 * Workers start when probes need them (a new one only while every running one is busy) and do
 * not keep the process alive when idle. A worker that dies fails only its own probes, each with a
 * probe log naming why, and the next probe starts a fresh one. A worker that cannot start at all
 * (its file missing or unloadable, e.g. inside an asar archive) turns the pool into runProbe on
 * this thread for good: its probes run here instead, and `onFallback` hears why once.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runProbe } from './runner.js';
import { moduleToWire, type PoolReply, type PoolRequest } from './pool-protocol.js';
import type { ProbeModule } from './module-schema.js';
import type { ProbeOptions, ProbeResult } from './types.js';

/** Runs one probe: runProbe in this thread, or ProbePool.run on a worker. */
export type ProbeRunner = (module: ProbeModule, target: string, options?: ProbeOptions) => Promise<ProbeResult>;

interface Pending {
  readonly module: ProbeModule;
  readonly target: string;
  readonly options: ProbeOptions;
  readonly resolve: (r: ProbeResult) => void;
  readonly cleanup: () => void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Set when the worker said it loaded; one that exits before is a worker that cannot start. */
  ready: boolean;
}

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
  private readonly workers: PoolWorker[] = [];
  private readonly wire = new WeakMap<ProbeModule, string>();
  private nextId = 1;
  /** Why probes run on this thread instead (a worker could not start); undefined while the pool works. */
  fallbackReason: string | undefined;

  constructor(
    private readonly url: URL,
    readonly size = Math.max(1, Math.min(4, availableParallelism())),
    private readonly onFallback?: (reason: string) => void,
  ) {}

  /** Worker threads running now (for tests and the status page). */
  get threads(): number {
    return this.workers.length;
  }

  readonly run: ProbeRunner = (module, target, options = {}) => {
    if (this.fallbackReason !== undefined) return runProbe(module, target, options);
    let text = this.wire.get(module);
    if (text === undefined) {
      text = moduleToWire(module);
      this.wire.set(module, text);
    }
    const w = this.pick();
    const id = this.nextId++;
    const request: PoolRequest = {
      kind: 'probe',
      id,
      module: text,
      target,
      ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
      ...(options.pingPath !== undefined ? { pingPath: options.pingPath } : {}),
    };
    return new Promise<ProbeResult>((resolve) => {
      const signal = options.signal;
      const onAbort = (): void => w.worker.postMessage({ kind: 'abort', id } satisfies PoolRequest);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (w.pending.size === 0) w.worker.ref();
      w.pending.set(id, { module, target, options, resolve, cleanup: () => signal?.removeEventListener('abort', onAbort) });
      w.worker.postMessage(request);
      if (signal?.aborted) onAbort();
    });
  };

  /** Stops every worker; probes still running on them fail. The pool can be used again after. */
  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    for (const w of ws) this.failAll(w, 'the probe pool was closed');
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }

  /** The least busy worker; a new one while every running worker is busy and the pool has room. */
  private pick(): PoolWorker {
    let best: PoolWorker | undefined;
    for (const w of this.workers) if (best === undefined || w.pending.size < best.pending.size) best = w;
    if (best !== undefined && (best.pending.size === 0 || this.workers.length >= this.size)) return best;
    return this.spawn();
  }

  private spawn(): PoolWorker {
    const worker = new Worker(this.url);
    const w: PoolWorker = { worker, pending: new Map(), ready: false };
    worker.unref();
    worker.on('message', (m: PoolReply) => this.receive(w, m));
    worker.on('error', (err) => this.retire(w, err.message));
    worker.on('exit', (code) => this.retire(w, `it exited with code ${code}`));
    this.workers.push(w);
    return w;
  }

  private receive(w: PoolWorker, m: PoolReply): void {
    if (m.kind === 'ready') {
      w.ready = true;
      return;
    }
    const p = w.pending.get(m.id);
    if (p === undefined) return;
    this.settle(w, m.id);
    if (m.kind === 'error') return p.resolve(workerFailure(p.target, m.message));
    // The log was collected in the worker; the caller's logger hears it now, as it would have live.
    const logger = p.options.logger;
    if (logger !== undefined) for (const e of m.result.log) logger[e.level](e.msg, { phase: e.phase, target: p.target, ...e.fields });
    p.resolve(m.result);
  }

  private settle(w: PoolWorker, id: number): void {
    w.pending.get(id)?.cleanup();
    w.pending.delete(id);
    if (w.pending.size === 0) w.worker.unref();
  }

  private retire(w: PoolWorker, why: string): void {
    const i = this.workers.indexOf(w);
    if (i < 0) return; // closed, or already retired by its 'error' before its 'exit'
    this.workers.splice(i, 1);
    if (w.ready) return this.failAll(w, why);
    if (this.fallbackReason === undefined) {
      this.fallbackReason = `the probe worker thread could not start (${why}); probes run on the main thread`;
      this.onFallback?.(this.fallbackReason);
    }
    // Every probe handed to a worker so far runs here instead; no worker is started again.
    for (const x of [w, ...this.workers.splice(0)]) {
      for (const [id, p] of [...x.pending]) {
        this.settle(x, id);
        void runProbe(p.module, p.target, p.options).then(p.resolve);
      }
      if (x !== w) void x.worker.terminate();
    }
  }

  private failAll(w: PoolWorker, why: string): void {
    for (const [id, p] of [...w.pending]) {
      this.settle(w, id);
      p.resolve(workerFailure(p.target, why));
    }
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
