/**
 * Main thread's handle on the compression worker. Two hosts with one contract: a worker thread
 * (production) and an in-process core (tests, tools). The thread host keeps every request until
 * its reply arrives; if the thread dies it is respawned and the outstanding requests are sent
 * again in order. Append batches carry ids, so a batch applied just before the crash is not
 * applied twice.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../util/log.js';
import { StorageUnavailableError } from './interface.js';
import { WorkerCore, type CoreOptions, type WorkerStart } from './worker-core.js';
import { sqliteBinding } from '../util/sqlite.js';
import type { InitialState, Reply, Request, WorkerCounters } from './worker-protocol.js';
import { handleRequest } from './worker-serve.js';

type Ok = Extract<Reply, { kind: 'ok' }>;
/** A request before the client numbers it. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type Call = DistributiveOmit<Request, 'id'>;

export interface HeadClient {
  start(): Promise<InitialState>;
  call(req: Call): Promise<Ok>;
  readonly counters: WorkerCounters;
  readonly restarts: number;
  /** Tests: kill the worker as a crash would. */
  crash(): Promise<void>;
  close(): Promise<void>;
}

const emptyCounters = (): WorkerCounters => ({ chunksWritten: 0, headSamples: 0, headSeries: 0, compactions: 0, quarantinedChunks: 0, logBatches: 0, logBytes: 0 });

function failure(reply: Extract<Reply, { kind: 'error' }>, what: string): Error {
  const msg = `storage worker could not ${what}: ${reply.message}`;
  return reply.unavailable ? new StorageUnavailableError(msg) : new Error(msg);
}

export class InProcessClient implements HeadClient {
  private core: WorkerCore | null = null;
  private nextId = 1;
  counters = emptyCounters();
  readonly restarts = 0;

  constructor(private readonly opts: CoreOptions) {}

  async start(): Promise<InitialState> {
    this.core = new WorkerCore(this.opts);
    return this.core.initialState();
  }

  async call(req: Call): Promise<Ok> {
    if (!this.core) throw new StorageUnavailableError('storage is closed');
    const { reply } = handleRequest(this.core, { ...req, id: this.nextId++ } as Request);
    if (reply.kind === 'error') throw failure(reply, req.kind);
    if (reply.kind !== 'ok') throw new Error(`storage worker: unexpected ${reply.kind} reply`);
    this.counters = reply.counters;
    if (req.kind === 'close') this.core = null;
    return reply;
  }

  async crash(): Promise<void> {
    // An in-process "crash" drops the core without closing it cleanly, then recovers from disk.
    this.core = new WorkerCore(this.opts);
  }

  async close(): Promise<void> {
    if (this.core) await this.call({ kind: 'close' });
  }
}

interface Pending {
  readonly req: Request;
  resolve(r: Ok): void;
  reject(e: Error): void;
}

/** Respawns allowed within `restartWindowMs` before storage gives up and reports unavailable. */
const maxRestarts = 5;
const restartWindowMs = 60_000;

export class ThreadClient implements HeadClient {
  private worker: Worker | null = null;
  private ready = false;
  private closing = false;
  private failed: Error | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private restartTimes: number[] = [];
  counters = emptyCounters();
  restarts = 0;
  private onReady: ((s: InitialState) => void) | null = null;
  private onFatal: ((e: Error) => void) | null = null;

  constructor(
    private readonly opts: CoreOptions,
    private readonly url: URL,
    private readonly log: Logger,
  ) {}

  start(): Promise<InitialState> {
    return new Promise((resolve, reject) => {
      this.onReady = resolve;
      this.onFatal = reject;
      this.spawn();
    });
  }

  private spawn(): void {
    this.ready = false;
    // The worker opens SQLite with the same native build as this thread (main/util/sqlite.ts).
    const w = new Worker(this.url, { workerData: { ...this.opts, sqliteBinding: sqliteBinding() } satisfies WorkerStart });
    this.worker = w;
    w.on('message', (m: Reply) => this.receive(w, m));
    w.on('error', (e) => this.log.error('storage worker failed', { error: e.message }));
    w.on('exit', (code) => this.exited(w, code));
  }

  private receive(w: Worker, m: Reply): void {
    if (w !== this.worker) return;
    switch (m.kind) {
      case 'ready':
        this.ready = true;
        this.counters = m.counters;
        this.onReady?.(m.state);
        this.onReady = null;
        this.onFatal = null;
        // Re-send what the previous worker never answered, in the original order.
        for (const p of this.pending.values()) w.postMessage(p.req);
        return;
      case 'fatal': {
        const err = new StorageUnavailableError(`storage worker could not open the database: ${m.message}`);
        this.fail(err);
        return;
      }
      case 'ok':
      case 'error': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.kind === 'ok') {
          this.counters = m.counters;
          p.resolve(m);
        } else p.reject(failure(m, p.req.kind));
      }
    }
  }

  private exited(w: Worker, code: number): void {
    if (w !== this.worker || this.closing || this.failed) return;
    const now = Date.now();
    this.restartTimes = this.restartTimes.filter((t) => now - t < restartWindowMs);
    if (this.restartTimes.length >= maxRestarts) {
      this.fail(new StorageUnavailableError(`storage worker died ${maxRestarts} times within a minute (last exit code ${code}); writes are stopped, see the log`));
      return;
    }
    this.restartTimes.push(now);
    this.restarts++;
    this.log.warn('storage worker exited; restarting it and re-sending unacknowledged batches', { code, pending: this.pending.size });
    this.spawn();
  }

  private fail(err: Error): void {
    this.failed = err;
    this.onFatal?.(err);
    this.onFatal = null;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    void this.worker?.terminate();
  }

  call(req: Call): Promise<Ok> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closing && req.kind !== 'close') return Promise.reject(new StorageUnavailableError('storage is closing'));
    const full = { ...req, id: this.nextId++ } as Request;
    return new Promise((resolve, reject) => {
      this.pending.set(full.id, { req: full, resolve, reject });
      // No transfer list: the arrays must survive a worker crash to be re-sent.
      if (this.ready) this.worker!.postMessage(full);
    });
  }

  async crash(): Promise<void> {
    await this.worker?.terminate();
  }

  async close(): Promise<void> {
    if (!this.worker || this.failed) return;
    const done = this.call({ kind: 'close' });
    this.closing = true;
    const w = this.worker;
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    try {
      await done;
    } finally {
      await exited;
      this.worker = null;
    }
  }
}
