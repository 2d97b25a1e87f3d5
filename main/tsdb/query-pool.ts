/**
 * Query workers: a few threads (one per core by default) that each hold a read-only connection
 * to the database and run step tasks (query-worker-core.ts) for `TsdbQuerier.selectSteps`. A
 * wide select is cut into tasks of a few hundred series; tasks queue here and go to whichever
 * worker is free, and their answers are taken in order. The threads are main/util/worker-pool.ts's:
 * one task a thread at a time, a thread started only when a task finds none free, unreferenced
 * while idle, ended after `idleMs` without work (a thread and its SQLite cache hold MBs a laptop
 * may want back) and with the database. A worker that dies fails its task (the query gets the
 * error) and is replaced on the next task.
 */
import type { ResourceLimits } from 'node:worker_threads';
import { WorkerJobError, WorkerLostError, WorkerPool, type PoolMemory } from '../util/worker-pool.js';
import type { StepTask, StepTaskResult } from './query-worker-core.js';

export interface QueryWorkerStart {
  readonly file: string;
  readonly sqliteBinding: string | undefined;
}

/**
 * Each thread's V8 limits. The young generation is what a fresh isolate grows first: by default
 * its semispaces reach 16 MiB each, so one wide query left each thread tens of MB resident that
 * only its end gave back. A task allocates its result columns and per-series scratch (a few MB
 * at most), so a small young generation costs a few more scavenges and no promotion storm.
 */
const queryWorkerLimits: ResourceLimits = { maxYoungGenerationSizeMb: 4 };

/**
 * Each query worker's SQLite page cache, KiB (`PRAGMA cache_size`). A task reads its series'
 * chunk rows once; what a cache keeps between tasks is the b-tree's inner pages, and the OS page
 * cache holds the file anyway.
 */
export const queryWorkerCacheKiB = 8000;

/**
 * What one query worker adds to resident memory at most, measured: a fresh thread ~9 MiB (its
 * isolate, a 7 MiB heap), its young generation and a task's columns up to ~5 MiB more, and its
 * SQLite cache. The memory budget counts it for each thread a wide query would start.
 */
export const queryThreadBytes = 14 * 1024 * 1024 + queryWorkerCacheKiB * 1024;

export class QueryPool {
  private readonly pool: WorkerPool<StepTask, StepTaskResult>;

  constructor(url: URL, start: QueryWorkerStart, size: number, idleMs = 60_000) {
    this.pool = new WorkerPool({ url, workerData: start, size, idleMs, resourceLimits: queryWorkerLimits });
  }

  get size(): number {
    return this.pool.size;
  }

  /** Threads running now (tests, the memory budget). */
  get threads(): number {
    return this.pool.threads;
  }

  /** What the threads hold (the memory budget's parts). */
  memory(): PoolMemory {
    return this.pool.memory();
  }

  /** Threads a wide query would start: those not running now (the memory budget's estimate). */
  get notRunning(): number {
    return this.size - this.pool.threads;
  }

  /** Ends the threads that run no task now (memory pressure); the next task starts one again. */
  endIdle(): Promise<number> {
    return this.pool.endIdle();
  }

  /** Runs `task` on the next free worker. An abort before it starts takes it off the queue. */
  async run(task: StepTask, signal?: AbortSignal): Promise<StepTaskResult> {
    try {
      return await this.pool.run(task, { signal });
    } catch (e) {
      if (e instanceof WorkerJobError) throw new Error(`query worker: ${e.message}`);
      if (e instanceof WorkerLostError) throw new Error(e.message === closed ? closed : `query worker stopped: ${e.message}`);
      throw e; // the abort's reason
    }
  }

  close(): Promise<void> {
    return this.pool.close(closed);
  }
}

const closed = 'query workers are closed';
