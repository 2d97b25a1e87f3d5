/**
 * Query workers: a few threads (one per core by default) that each hold a read-only connection
 * to the database and run step tasks (query-worker-core.ts) for `TsdbQuerier.selectSteps`. A
 * wide select is cut into tasks of a few hundred series; tasks queue here and go to whichever
 * worker is free, and their answers are taken in order. Threads start on the first task, are
 * unreferenced while idle (they never keep the process alive), end after `idleMs` without work
 * (a thread and its SQLite cache hold tens of MB a laptop may want back) and with the database.
 * A worker that dies fails its task (the query gets the error) and is replaced on the next task.
 */
import { Worker } from 'node:worker_threads';
import type { StepTask, StepTaskResult } from './query-worker-core.js';

export interface QueryWorkerStart {
  readonly file: string;
  readonly sqliteBinding: string | undefined;
}

interface Job {
  readonly id: number;
  readonly task: StepTask;
  readonly resolve: (r: StepTaskResult) => void;
  readonly reject: (e: Error) => void;
  readonly signal: AbortSignal | undefined;
}

interface Slot {
  worker: Worker | null;
  job: Job | null;
  idle: NodeJS.Timeout | null;
}

type Reply = { readonly id: number; readonly result: StepTaskResult } | { readonly id: number; readonly error: string };

export class QueryPool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly start: QueryWorkerStart,
    size: number,
    private readonly idleMs = 60_000,
  ) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => ({ worker: null, job: null, idle: null }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Threads running now (tests). */
  get threads(): number {
    return this.slots.filter((s) => s.worker !== null).length;
  }

  /** Runs `task` on the next free worker. An abort before it starts takes it off the queue. */
  run(task: StepTask, signal?: AbortSignal): Promise<StepTaskResult> {
    if (this.closed) return Promise.reject(new Error('query workers are closed'));
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, task, resolve, reject, signal };
      if (signal) {
        if (signal.aborted) return reject(abortReason(signal));
        signal.addEventListener(
          'abort',
          () => {
            const at = this.queue.indexOf(job);
            if (at >= 0) this.queue.splice(at, 1);
            reject(abortReason(signal));
          },
          { once: true },
        );
      }
      this.queue.push(job);
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('query workers are closed'));
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.idle) clearTimeout(slot.idle);
        const w = slot.worker;
        slot.worker = null;
        slot.job?.reject(new Error('query workers are closed'));
        slot.job = null;
        if (w) await w.terminate();
      }),
    );
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job !== null) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      if (slot.idle) clearTimeout(slot.idle);
      slot.idle = null;
      const w = (slot.worker ??= this.spawn(slot));
      w.ref();
      w.postMessage({ id: job.id, task: job.task });
    }
  }

  /** An idle thread: unreferenced, and ended when no task comes for idleMs. */
  private rest(slot: Slot, w: Worker): void {
    w.unref();
    slot.idle = setTimeout(() => {
      slot.idle = null;
      if (slot.worker !== w || slot.job !== null) return;
      slot.worker = null;
      void w.terminate();
    }, this.idleMs);
    slot.idle.unref();
  }

  private spawn(slot: Slot): Worker {
    const w = new Worker(this.url, { workerData: this.start });
    w.on('message', (m: Reply) => {
      const job = slot.job;
      if (job === null || job.id !== m.id) return;
      slot.job = null;
      if ('error' in m) job.reject(new Error(`query worker: ${m.error}`));
      else job.resolve(m.result);
      this.pump();
      if (slot.job === null) this.rest(slot, w);
    });
    const lost = (why: string): void => {
      if (slot.worker !== w) return;
      slot.worker = null;
      const job = slot.job;
      slot.job = null;
      job?.reject(new Error(`query worker stopped: ${why}`));
      if (!this.closed) this.pump();
    };
    w.on('error', (e) => lost(e.message));
    w.on('exit', (code) => lost(`exit code ${code}`));
    return w;
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
