/**
 * A lazy pool of worker threads: the one implementation behind the probe pool
 * (main/probe/pool.ts) and the query workers (main/tsdb/query-pool.ts). A thread starts when a
 * job finds none free (never more than `size`), runs up to `jobsPerThread` jobs at once (one for
 * CPU-bound query tasks, which then queue here; many for probes, which mostly wait on the
 * network), is unreferenced while idle (it never keeps the process alive) and ends after
 * `idleMs` without a job: a thread holds a V8 isolate and whatever it caches, tens of MB a laptop
 * may want back. A thread that dies fails only its own jobs (WorkerLostError) and is replaced by
 * the next job that needs one. One that dies before saying it loaded (its file missing or
 * unloadable) is a thread that cannot start: with `stopOnStartFailure` the pool then fails every
 * job it holds and every later one with a WorkerLostError whose `started` is false, so its user
 * can run them on its own thread instead.
 *
 * The thread side is worker-pool-thread.ts; the messages between the two are below. Every
 * answer carries the bytes the thread's isolate held after the job (heap and buffers), so the
 * memory budget can show what the pool holds without asking a busy thread.
 */
import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';

/** From the pool to a thread. */
export type PoolMessage<J> = { readonly id: number; readonly job: J } | { readonly id: number; readonly abort: true };

/** From a thread to the pool; `heap` and `external` are its isolate's bytes (v8.getHeapStatistics()). */
export type ThreadMessage<R> =
  | { readonly ready: true; readonly heap: number; readonly external: number }
  | { readonly id: number; readonly result: R; readonly heap: number; readonly external: number }
  | { readonly id: number; readonly error: string; readonly heap: number; readonly external: number };

/** Why a job did not get its answer from a thread: the thread died, never started, or the pool was closed. */
export class WorkerLostError extends Error {
  constructor(
    message: string,
    /** False when the thread exited before it loaded (a thread that cannot start). */
    readonly started: boolean,
  ) {
    super(message);
    this.name = 'WorkerLostError';
  }
}

/** The error a job threw on its thread (its message; the stack stays there). */
export class WorkerJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerJobError';
  }
}

export interface WorkerPoolOptions {
  /** The thread's entry (compiled JavaScript). */
  readonly url: URL;
  readonly workerData?: unknown;
  /** Most threads at once (at least 1). */
  readonly size: number;
  /** Jobs one thread runs at once (default 1; more queue here). */
  readonly jobsPerThread?: number;
  /** An idle thread ends after this long (ms; default 60 s). */
  readonly idleMs?: number;
  /** Each thread's V8 limits (a small young generation keeps an idle thread small). */
  readonly resourceLimits?: ResourceLimits;
  /** A thread that cannot start stops the pool for good (see above); default: the next job tries a new one. */
  readonly stopOnStartFailure?: boolean;
}

export interface RunOptions {
  readonly signal?: AbortSignal | undefined;
  /** Buffers of the job moved to the thread rather than copied. */
  readonly transfer?: readonly Transferable[];
  /**
   * What an abort does to a job a thread is running: 'reject' (default) rejects it at once and
   * the thread's answer, when it comes, is dropped; 'tell' sends the thread an abort and waits
   * for its answer (the thread's job sees the abort on its signal). A queued job is always
   * taken off the queue and rejected.
   */
  readonly onAbort?: 'reject' | 'tell';
}

/** What a pool's threads hold, from their last answers. */
export interface PoolMemory {
  threads: number;
  /** Their V8 heaps (physical bytes) and the buffers outside them. */
  heapBytes: number;
  externalBytes: number;
}

interface Job<J, R> {
  readonly id: number;
  readonly job: J;
  readonly opts: RunOptions;
  readonly resolve: (r: R) => void;
  readonly reject: (e: Error) => void;
  thread: Thread<J, R> | null;
  settled: boolean;
}

interface Thread<J, R> {
  readonly worker: Worker;
  readonly jobs: Map<number, Job<J, R>>;
  /** Set when the thread said it loaded; one that exits before is a thread that cannot start. */
  ready: boolean;
  idle: NodeJS.Timeout | null;
  heap: number;
  external: number;
}

export class WorkerPool<J, R> {
  private readonly threadList: Thread<J, R>[] = [];
  private readonly queue: Job<J, R>[] = [];
  private readonly jobsPerThread: number;
  private readonly idleMs: number;
  private nextId = 1;
  private readonly bySignal = new WeakMap<AbortSignal, Set<Job<J, R>>>();
  /** Why the pool takes no more jobs (close()); undefined while it does. */
  private closed: string | undefined;
  /** Why no thread can start (set once, with stopOnStartFailure); undefined while the pool works. */
  startFailure: string | undefined;

  constructor(private readonly opts: WorkerPoolOptions) {
    this.jobsPerThread = Math.max(1, opts.jobsPerThread ?? 1);
    this.idleMs = opts.idleMs ?? 60_000;
  }

  /** Most threads at once. */
  get size(): number {
    return Math.max(1, this.opts.size);
  }

  /** Threads running now. */
  get threads(): number {
    return this.threadList.length;
  }

  /** Jobs running or queued now. */
  get busy(): number {
    let n = this.queue.length;
    for (const t of this.threadList) n += t.jobs.size;
    return n;
  }

  memory(): PoolMemory {
    const m: PoolMemory = { threads: this.threadList.length, heapBytes: 0, externalBytes: 0 };
    for (const t of this.threadList) {
      m.heapBytes += t.heap;
      m.externalBytes += t.external;
    }
    return m;
  }

  /**
   * Runs `job` on a thread. Rejects with the job's WorkerJobError, a WorkerLostError when its
   * thread dies (or the pool closes), or the signal's reason on an abort.
   */
  run(job: J, opts: RunOptions = {}): Promise<R> {
    if (this.startFailure !== undefined) return Promise.reject(new WorkerLostError(this.startFailure, false));
    if (this.closed !== undefined) return Promise.reject(new WorkerLostError(this.closed, true));
    return new Promise<R>((resolve, reject) => {
      const { signal } = opts;
      if (signal?.aborted) return reject(abortReason(signal));
      const j: Job<J, R> = { id: this.nextId++, job, opts, resolve, reject, thread: null, settled: false };
      if (signal) this.listen(signal, j);
      this.queue.push(j);
      this.pump();
    });
  }

  /** Ends every thread now; the jobs they hold and queued ones fail with `why`. Later jobs start threads again. */
  stopThreads(why = 'the pool was closed'): Promise<void> {
    return this.endAll(why, true);
  }

  /** Ends every thread as stopThreads does, and fails every later job with `why`. */
  async close(why = 'the pool was closed'): Promise<void> {
    this.closed = why;
    await this.endAll(why, true);
  }

  /** Ends the threads that run no job now (memory pressure); the next job starts one again. */
  async endIdle(): Promise<number> {
    const idle = this.threadList.filter((t) => t.jobs.size === 0);
    for (const t of idle) this.remove(t);
    await Promise.all(idle.map((t) => t.worker.terminate()));
    return idle.length;
  }

  /**
   * One abort listener a signal, however many jobs share it (a wide query's hundreds of tasks
   * would otherwise trip Node's listener-leak warning), removed when its last job settles.
   */
  private listen(signal: AbortSignal, j: Job<J, R>): void {
    let jobs = this.bySignal.get(signal);
    if (jobs === undefined) {
      const set = new Set<Job<J, R>>();
      jobs = set;
      this.bySignal.set(signal, set);
      signal.addEventListener('abort', () => {
        this.bySignal.delete(signal);
        for (const x of [...set]) this.abort(x);
      }, { once: true });
    }
    jobs.add(j);
  }

  private unlisten(j: Job<J, R>): void {
    const signal = j.opts.signal;
    if (signal === undefined) return;
    const jobs = this.bySignal.get(signal);
    if (jobs === undefined) return;
    jobs.delete(j); // the listener stays (one a signal) until the signal aborts or is collected
  }

  private abort(j: Job<J, R>): void {
    if (j.settled) return;
    const at = this.queue.indexOf(j);
    if (at >= 0) this.queue.splice(at, 1);
    if (j.thread !== null && j.opts.onAbort === 'tell') {
      j.thread.worker.postMessage({ id: j.id, abort: true } satisfies PoolMessage<J>);
      return;
    }
    this.settle(j, () => j.reject(abortReason(j.opts.signal!)));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const t = this.pick();
      if (t === undefined) return;
      const j = this.queue.shift()!;
      j.thread = t;
      if (t.jobs.size === 0) {
        if (t.idle !== null) clearTimeout(t.idle);
        t.idle = null;
        t.worker.ref();
      }
      t.jobs.set(j.id, j);
      t.worker.postMessage({ id: j.id, job: j.job } satisfies PoolMessage<J>, j.opts.transfer);
    }
  }

  /** A free thread; else a new one while there is room; else the least busy one with room for a job. */
  private pick(): Thread<J, R> | undefined {
    let best: Thread<J, R> | undefined;
    for (const t of this.threadList) if (best === undefined || t.jobs.size < best.jobs.size) best = t;
    if (best !== undefined && best.jobs.size === 0) return best;
    if (this.threadList.length < this.size) return this.spawn();
    return best !== undefined && best.jobs.size < this.jobsPerThread ? best : undefined;
  }

  private spawn(): Thread<J, R> {
    const worker = new Worker(this.opts.url, {
      ...(this.opts.workerData !== undefined ? { workerData: this.opts.workerData } : {}),
      ...(this.opts.resourceLimits ? { resourceLimits: this.opts.resourceLimits } : {}),
    });
    const t: Thread<J, R> = { worker, jobs: new Map(), ready: false, idle: null, heap: 0, external: 0 };
    worker.on('message', (m: ThreadMessage<R>) => this.receive(t, m));
    worker.on('error', (err) => this.lost(t, err.message));
    worker.on('exit', (code) => this.lost(t, `it exited with code ${code}`));
    this.threadList.push(t);
    return t;
  }

  private receive(t: Thread<J, R>, m: ThreadMessage<R>): void {
    t.heap = m.heap;
    t.external = m.external;
    if ('ready' in m) {
      t.ready = true;
      return;
    }
    const j = t.jobs.get(m.id);
    if (j === undefined) return;
    t.jobs.delete(m.id);
    if ('error' in m) this.settle(j, () => j.reject(new WorkerJobError(m.error)));
    else this.settle(j, () => j.resolve(m.result));
    this.pump();
    if (t.jobs.size === 0 && this.threadList.includes(t)) this.rest(t);
  }

  /** An idle thread: unreferenced, and ended when no job comes for idleMs. */
  private rest(t: Thread<J, R>): void {
    t.worker.unref();
    t.idle = setTimeout(() => {
      t.idle = null;
      if (t.jobs.size > 0 || !this.threadList.includes(t)) return;
      this.remove(t);
      void t.worker.terminate();
    }, this.idleMs);
    t.idle.unref();
  }

  private remove(t: Thread<J, R>): boolean {
    const at = this.threadList.indexOf(t);
    if (at < 0) return false;
    this.threadList.splice(at, 1);
    if (t.idle !== null) clearTimeout(t.idle);
    t.idle = null;
    return true;
  }

  private lost(t: Thread<J, R>, why: string): void {
    if (!this.remove(t)) return; // closed, ended idle, or already lost by its 'error' before its 'exit'
    if (!t.ready && this.opts.stopOnStartFailure) {
      this.startFailure = why;
      this.failJobs(t, why, false);
      void this.endAll(why, false);
      return;
    }
    this.failJobs(t, why, t.ready);
    if (this.closed === undefined) this.pump();
  }

  private async endAll(why: string, started: boolean): Promise<void> {
    for (const j of this.queue.splice(0)) this.settle(j, () => j.reject(new WorkerLostError(why, started)));
    const ts = this.threadList.splice(0);
    for (const t of ts) {
      if (t.idle !== null) clearTimeout(t.idle);
      this.failJobs(t, why, started);
    }
    await Promise.all(ts.map((t) => t.worker.terminate()));
  }

  private failJobs(t: Thread<J, R>, why: string, started: boolean): void {
    const jobs = [...t.jobs.values()];
    t.jobs.clear();
    for (const j of jobs) this.settle(j, () => j.reject(new WorkerLostError(why, started)));
  }

  private settle(j: Job<J, R>, how: () => void): void {
    if (j.settled) return;
    j.settled = true;
    this.unlisten(j);
    how();
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
