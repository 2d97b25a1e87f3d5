import type { NativeHistogram } from './interface.js';

/**
 * Messages between the main thread and the compression worker. Every request carries an id;
 * the worker answers each with exactly one reply of the same id, in order.
 */

import type { LookbackPoints } from './interface.js';

/** One committed transaction. `id` is increasing and makes re-sending idempotent. */
export interface AppendBatch {
  readonly id: number;
  /** Series created since the previous batch: refs and their labels as flat [n, v, n, v, …] JSON. */
  readonly newRefs: Uint32Array;
  readonly newLabels: readonly string[];
  readonly refs: Uint32Array;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** One histogram per HistogramMarker in `v`, in order (histogram-log.ts); absent when none. */
  readonly h?: readonly NativeHistogram[];
  /**
   * Set on an import's batch, whose samples are grouped by series (each in time order): the refs
   * whose samples may go on in the next batch. The worker writes the other series' samples as
   * whole chunks with the batch, and logs only what stays open (WorkerCore.appendBulk).
   */
  readonly bulkOpen?: Uint32Array;
}

/** Head samples of `refs` (ascending) in [mint, maxt]: series i owns t/v[offsets[i] … offsets[i+1]). */
export interface HeadRead {
  readonly offsets: Uint32Array;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** Parallel to `t` when any head sample read is a histogram: set where it is (`v` is 0 there). */
  readonly h?: (NativeHistogram | undefined)[];
}

/** Counters the worker reports with every reply (self-metrics). */
export interface WorkerCounters {
  chunksWritten: number;
  headSamples: number;
  headSeries: number;
  compactions: number;
  quarantinedChunks: number;
  logBatches: number;
  /** Bytes of the log rows (refs, t, v) as of the last retention run. */
  logBytes: number;
}

/** State main needs after (re)start: newest sample per series, and the last applied batch id. */
export interface InitialState {
  readonly lastBatchId: number;
  readonly maxRef: number;
  readonly lastT: Float64Array;
  readonly lastV: Float64Array;
}

/** The worker thread's own memory (its isolate; the process' resident set counts every thread). */
export interface WorkerMemory {
  /** False when the core runs on the main thread (tests, tools): its memory is the main thread's. */
  readonly ownThread: boolean;
  /** V8 heap in use by the worker's isolate (0 when the core runs on the main thread). */
  readonly heapBytes: number;
  /** Buffers and typed arrays outside the worker's heap (0 on the main thread, where main counts them). */
  readonly outsideHeapBytes: number;
  /** Open chunks: raw head pages and the encoded-page arena. */
  readonly headBytes: number;
}

export interface RetentionResult {
  deletedChunks: number;
  bytesBefore: number;
  bytesAfter: number;
  /** Log rows a hold kept (remote write not yet sent) that time retention or the held-log byte cap deleted anyway. */
  heldLogDropped: { samples: number; upToBatch: number };
}

/** What `compact` did: windows merged, chunk rows before and after, file bytes before and after. */
export interface CompactionResult {
  windows: number;
  chunksBefore: number;
  chunksAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  /** Why merging or VACUUM stopped early (e.g. a full disk): the data is intact, the file less packed. */
  packError: string | null;
}

export type Request =
  | { readonly kind: 'append'; readonly id: number; readonly batch: AppendBatch }
  | { readonly kind: 'read'; readonly id: number; readonly refs: Uint32Array; readonly mint: number; readonly maxt: number; readonly points?: LookbackPoints }
  | { readonly kind: 'flush'; readonly id: number }
  | { readonly kind: 'compact'; readonly id: number; readonly vacuum: boolean }
  | { readonly kind: 'retention'; readonly id: number; readonly retentionMs: number; readonly retentionBytes: number; readonly heldLogMaxBytes: number }
  | { readonly kind: 'quarantine'; readonly id: number; readonly ref: number; readonly minT: number; readonly reason: string }
  | { readonly kind: 'max_pages'; readonly id: number; readonly pages: number }
  | { readonly kind: 'hold_log'; readonly id: number; readonly fromBatch: number }
  /** The worker's memory; with `shrink`, first gives back what it can (SQLite's caches, a collection). */
  | { readonly kind: 'memory'; readonly id: number; readonly shrink: boolean }
  | { readonly kind: 'close'; readonly id: number };

export type Reply =
  | { readonly kind: 'ready'; readonly state: InitialState; readonly counters: WorkerCounters }
  | { readonly kind: 'ok'; readonly id: number; readonly counters: WorkerCounters; readonly head?: HeadRead; readonly retention?: RetentionResult; readonly memory?: WorkerMemory; readonly compaction?: CompactionResult }
  | { readonly kind: 'error'; readonly id: number; readonly message: string; readonly unavailable: boolean }
  | { readonly kind: 'fatal'; readonly message: string };
