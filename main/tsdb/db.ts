/**
 * Vigil's time-series database: the series index on the main thread, a compression worker that
 * owns the head and all writes, and one SQLite file (FORMAT.md). This file wires them together;
 * each part lives in its own module.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { silentLogger, type Logger } from '../util/log.js';
import { openSqlite, sqliteBinding } from '../util/sqlite.js';
import { TsdbAppender, type AppendTarget } from './appender.js';
import { InProcessClient, ThreadClient, type HeadClient } from './head-client.js';
import { SeriesIndex } from './index-series.js';
import { StorageUnavailableError, type Appendable, type Appender, type NativeHistogram, type Querier, type Queryable, type StorageError } from './interface.js';
import { isHistogramMarker, unpackHistograms } from './histogram-log.js';
import type { Labels } from './labels.js';
import { TsdbQuerier, type QuerySource } from './querier.js';
import { QueryPool } from './query-pool.js';
import { checkOrQuarantine, type QuarantineNotice } from './recovery.js';
import { dbFileName, openReadOnly } from './store-schema.js';
import { readStoredSeries } from './series-labels.js';
import { oldestChunkTime } from './chunk-windows.js';
import { unpackBatch } from './log-codec.js';
import type { CoreOptions } from './worker-core.js';
import type { CompactionResult, HeadRead, RetentionResult, WorkerMemory } from './worker-protocol.js';
import { WriteWatermark } from './write-watermark.js';

export interface TsdbOptions {
  readonly dir: string;
  /** Drop chunks older than this before the newest sample (0/undefined: keep forever). */
  readonly retentionMs?: number;
  /** Keep the database under this many bytes by dropping the oldest chunks. */
  readonly retentionBytes?: number;
  readonly logger?: Logger;
  /** false: run the compression worker's logic in this thread (tests, CLI tools). Default true. */
  readonly worker?: boolean;
  /** Where the worker script is; defaults to worker.js beside this file (dist/main/tsdb/). */
  readonly workerUrl?: URL;
  /**
   * Query workers for wide reads (query-pool.ts): how many (default: one per core, at most 4;
   * 0 = none) and where their compiled entry is (default: query-worker.js beside this file,
   * used only when it exists, so TypeScript sources run without them).
   */
  readonly queryWorkers?: number;
  readonly queryWorkerUrl?: URL;
  /** Samples per chunk (default 120). */
  readonly maxChunkSamples?: number;
  /**
   * Most bytes the log may hold for remote write (an endpoint that never returns): past it the
   * oldest held batches are deleted and reported as lost (0/undefined: no cap).
   */
  readonly heldLogMaxBytes?: number;
  /** How often retention runs on its own, ms (default 5 min; 0 disables). */
  readonly retentionIntervalMs?: number;
  /** While writes fail, one commit per this many ms probes whether they work again (default 5 s). */
  readonly pausedRetryMs?: number;
  /**
   * false: windows are not compacted at log checkpoints (FORMAT.md, "Compaction"); for a bulk
   * import that writes series after series and ends with `compact()`. Default true.
   */
  readonly backgroundCompaction?: boolean;
}

/** Self-metrics, exported as vigil_tsdb_* by /metrics. */
export interface TsdbStats {
  readonly series: number;
  readonly headSeries: number;
  readonly headSamples: number;
  readonly samplesAppended: number;
  readonly chunksWritten: number;
  readonly bytesOnDisk: number;
  readonly compactions: number;
  readonly rejectedSamples: Readonly<Record<string, number>>;
  readonly workerRestarts: number;
  readonly quarantinedChunks: number;
  readonly logBatches: number;
  /** Bytes of the log's rows, measured at the last retention run. */
  readonly logBytes: number;
  /** Set when the file was found damaged at open and quarantined. */
  readonly quarantine: QuarantineNotice | null;
  /** Set while writes fail (disk full, I/O error): commits are refused until one succeeds. */
  readonly paused: IngestionPause | null;
  /** Commits the worker could not make durable. */
  readonly writeFailures: number;
}

/** One durable batch read back from the log (remote write sends from here). */
export interface LogBatch {
  readonly id: number;
  readonly refs: Uint32Array;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** With readLog(…, true): one histogram per `HistogramMarker` in `v`, in order. */
  readonly histograms?: readonly NativeHistogram[];
}

export interface IngestionPause {
  readonly sinceMs: number;
  readonly message: string;
}

/** While paused, one commit every this many ms is let through to find out whether space is back. */
const defaultPausedRetryMs = 5_000;

export class TSDB implements Appendable, Queryable {
  readonly index = new SeriesIndex();
  private nextBatchId: number;
  /** Series with ref ≤ this have been sent to the worker. */
  private sentUpTo: number;
  private samplesAppended = 0;
  private readonly rejected: Record<string, number> = {};
  private quarantinedByReads = 0;
  /** `ref:minT` of the chunks already reported (a chunk's key, FORMAT.md). */
  private readonly reportedBadChunks = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private bgPaused = false;
  /** A periodic sweep came due while paused: it runs as soon as the pause ends. */
  private bgDeferred = false;
  private isClosed = false;
  /** Newest committed sample time over all series. */
  private maxTime = -Infinity;
  private paused: (IngestionPause & { nextTry: number }) | null = null;
  private writeFailures = 0;
  private readonly logDropListeners: ((d: RetentionResult['heldLogDropped']) => void)[] = [];
  private logStmt: Database.Statement | null = null;
  private logHistStmt: Database.Statement | null = null;

  private constructor(
    private readonly opts: TsdbOptions,
    private readonly file: string,
    private readonly client: HeadClient,
    private readonly ro: Database.Database,
    private readonly log: Logger,
    lastBatchId: number,
    private readonly quarantine: QuarantineNotice | null,
    private readonly pool: QueryPool | null,
  ) {
    this.nextBatchId = lastBatchId + 1;
    this.sentUpTo = 0;
    this.target = {
      index: this.index,
      // A sample already behind time retention would be deleted at once: refuse it as Prometheus does.
      minValidTime: () => (this.opts.retentionMs ? this.maxTime - this.opts.retentionMs : -Infinity),
      createSeries: (labels: Labels) => this.index.getOrCreate(labels).ref,
      reject: (err: StorageError) => {
        this.rejected[err.kind] = (this.rejected[err.kind] ?? 0) + 1;
      },
      submit: (refs, t, v, h, bulkOpen) => this.submit(refs, t, v, h, bulkOpen),
      lastHistograms: new Map(),
      isClosed: () => this.isClosed,
    };
    this.source = {
      index: this.index,
      ro: this.ro,
      readHead: async (refs, mint, maxt, points): Promise<HeadRead> => {
        const r = await this.client.call({ kind: 'read', refs, mint, maxt, ...(points ? { points } : {}) });
        return r.head!;
      },
      badChunk: (ref, minT, reason) => this.badChunk(ref, minT, reason),
      pool: this.pool,
    };
  }

  private readonly target: AppendTarget;
  /** Sample times changed since a generation: commits, retention and quarantined chunks (write-watermark.ts). */
  readonly writes = new WriteWatermark();
  private readonly source: QuerySource;

  private badChunk(ref: number, minT: number, reason: string): void {
    const key = `${ref}:${minT}`;
    if (this.reportedBadChunks.has(key)) return;
    this.reportedBadChunks.add(key);
    this.writes.record(-Infinity); // its samples are no longer read: any cached result may be wrong
    this.quarantinedByReads++;
    this.log.warn(`chunk of series ref ${ref} starting at ${minT} in ${this.file} failed to decode (${reason}); moved to quarantined_chunks`);
    this.client.call({ kind: 'quarantine', ref, minT, reason }).catch((e: Error) => this.log.warn('could not quarantine chunk', { ref, minT, error: e.message }));
  }

  static async open(opts: TsdbOptions): Promise<TSDB> {
    const log = (opts.logger ?? silentLogger).child('tsdb');
    mkdirSync(opts.dir, { recursive: true });
    const file = join(opts.dir, dbFileName);
    const notice = checkOrQuarantine(opts.dir, file, log);
    const coreOpts: CoreOptions = {
      file,
      ...(opts.maxChunkSamples ? { maxChunkSamples: opts.maxChunkSamples } : {}),
      ...(opts.backgroundCompaction === false ? { backgroundCompaction: false } : {}),
    };
    const client: HeadClient =
      opts.worker === false ? new InProcessClient(coreOpts) : new ThreadClient(coreOpts, opts.workerUrl ?? new URL('./worker.js', import.meta.url), log);
    const state = await client.start();
    const ro = openReadOnly(file);
    const db = new TSDB(opts, file, client, ro, log, state.lastBatchId, notice, queryPool(opts, file));
    db.loadIndex(state.lastT, state.lastV);
    db.startRetentionTimer();
    return db;
  }

  /**
   * Time of the oldest sample in sealed chunks (ms), or null when none is sealed yet: one lookup
   * in the window table (exact unless a chunk was quarantined since; then a little early).
   */
  oldestChunkTime(): number | null {
    return oldestChunkTime(this.ro);
  }

  private loadIndex(lastT: Float64Array, lastV: Float64Array): void {
    for (const [ref, labels] of readStoredSeries(this.ro)) {
      const { ref: got } = this.index.getOrCreate(labels, ref);
      this.index.lastT[got] = lastT[got] ?? -Infinity;
      this.index.lastV[got] = lastV[got] ?? 0;
      if (this.index.lastT[got]! > this.maxTime) this.maxTime = this.index.lastT[got]!;
    }
    this.sentUpTo = this.index.count;
  }

  private startRetentionTimer(): void {
    const every = this.opts.retentionIntervalMs ?? 5 * 60_000;
    if (every <= 0 || (!this.opts.retentionMs && !this.opts.retentionBytes && !this.opts.heldLogMaxBytes)) return;
    this.timer = setInterval(() => {
      if (this.bgPaused) this.bgDeferred = true;
      else this.runRetentionPass();
    }, every);
    this.timer.unref();
  }

  /**
   * Energy mode: while true the periodic retention sweep is deferred (an explicit
   * applyRetention() still runs); a sweep that came due meanwhile runs when it turns false.
   */
  get backgroundPaused(): boolean {
    return this.bgPaused;
  }

  set backgroundPaused(paused: boolean) {
    this.bgPaused = paused;
    if (!paused && this.bgDeferred && !this.isClosed) {
      this.bgDeferred = false;
      this.runRetentionPass();
    }
  }

  private runRetentionPass(): void {
    this.applyRetention().catch((e: Error) => this.log.warn('retention failed', { error: e.message }));
  }

  appender(): Appender {
    return new TsdbAppender(this.target);
  }

  /**
   * An appender for a backfill: its commit sends the samples grouped by series, and the worker
   * writes whole chunks from the batch and logs only what stays open (WorkerCore.appendBulk).
   */
  bulkAppender(): Appender {
    return new TsdbAppender(this.target, true);
  }

  private async submit(refs: Uint32Array, t: Float64Array, v: Float64Array, h?: NativeHistogram[], bulkOpen?: Uint32Array): Promise<void> {
    if (this.isClosed) throw new StorageUnavailableError('storage is closed; the samples of this commit were not written');
    const paused = this.paused;
    if (paused !== null) {
      const now = Date.now();
      if (now < paused.nextTry) {
        throw new StorageUnavailableError(`ingestion paused since ${new Date(paused.sinceMs).toISOString()}: ${paused.message}; retrying every ${this.retryMs / 1000} s`);
      }
      paused.nextTry = now + this.retryMs; // this commit is the probe
    }
    const count = this.index.count;
    if (refs.length === 0 && count === this.sentUpTo) return;
    const before = this.sentUpTo;
    const newRefs = new Uint32Array(count - before);
    const newLabels: string[] = [];
    for (let ref = before + 1, i = 0; ref <= count; ref++, i++) {
      newRefs[i] = ref;
      const p = this.index.pairs(ref);
      const flat: string[] = [];
      for (let j = 0; j < p.length; j++) flat.push(this.index.strings.get(p[j]!));
      newLabels.push(JSON.stringify(flat));
    }
    this.sentUpTo = count;
    try {
      await this.client.call({ kind: 'append', batch: { id: this.nextBatchId++, newRefs, newLabels, refs, t, v, ...(h && h.length > 0 ? { h } : {}), ...(bulkOpen ? { bulkOpen } : {}) } });
    } catch (err) {
      this.recordWrite(t); // the worker may have applied the batch before failing: assume it did
      // The series this batch introduced are not stored: send them again with the next batch.
      this.sentUpTo = Math.min(this.sentUpTo, before);
      this.writeFailures++;
      if (err instanceof StorageUnavailableError) this.pause(err.message);
      throw err;
    }
    for (let i = 0; i < t.length; i++) if (t[i]! > this.maxTime) this.maxTime = t[i]!;
    this.recordWrite(t);
    this.samplesAppended += refs.length;
    if (this.paused !== null) {
      this.log.info('storage writes work again: ingestion resumed', { pausedSince: new Date(this.paused.sinceMs).toISOString() });
      this.paused = null;
    }
  }

  /** Bumps the write watermark once the batch is readable (after the worker applied it). */
  private recordWrite(t: Float64Array): void {
    if (t.length === 0) return;
    let min = Infinity;
    for (let i = 0; i < t.length; i++) if (t[i]! < min) min = t[i]!;
    this.writes.record(min);
  }

  private get retryMs(): number {
    return this.opts.pausedRetryMs ?? defaultPausedRetryMs;
  }

  private pause(message: string): void {
    if (this.paused !== null) {
      this.paused.nextTry = Date.now() + this.retryMs;
      return;
    }
    const now = Date.now();
    this.paused = { sinceMs: now, message, nextTry: now + this.retryMs };
    this.log.warn(`storage cannot write (${message}): ingestion paused, queries keep working; retrying every ${this.retryMs / 1000} s`);
  }

  /** Tests and fault drills: cap the database file so writes fail as on a full disk (0 lifts the cap). */
  async limitPagesForTest(pages: number): Promise<void> {
    await this.client.call({ kind: 'max_pages', pages });
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    if (this.isClosed) throw new StorageUnavailableError('storage is closed');
    return new TsdbQuerier(this.source, mint, maxt);
  }

  stats(): TsdbStats {
    const c = this.client.counters;
    let bytes = 0;
    for (const suffix of ['', '-wal']) {
      try {
        bytes += statSync(this.file + suffix).size;
      } catch {
        // no -wal right after a TRUNCATE checkpoint
      }
    }
    return {
      series: this.index.count,
      headSeries: c.headSeries,
      headSamples: c.headSamples,
      samplesAppended: this.samplesAppended,
      chunksWritten: c.chunksWritten,
      bytesOnDisk: bytes,
      compactions: c.compactions,
      rejectedSamples: { ...this.rejected },
      workerRestarts: this.client.restarts,
      quarantinedChunks: Math.max(c.quarantinedChunks, this.quarantinedByReads),
      logBatches: c.logBatches,
      logBytes: c.logBytes,
      quarantine: this.quarantine,
      paused: this.paused === null ? null : { sinceMs: this.paused.sinceMs, message: this.paused.message },
      writeFailures: this.writeFailures,
    };
  }

  /** Seals every open chunk, empties the log and checkpoints the SQLite WAL. */
  async flush(): Promise<void> {
    await this.client.call({ kind: 'flush' });
  }

  /**
   * flush(), then merges every window's chunks (FORMAT.md, "Compaction") and, with `vacuum`,
   * rewrites the file packed (a full copy: meant for the end of an import).
   */
  async compact(vacuum = false): Promise<CompactionResult> {
    // The same samples in other rows: cached query results stay right.
    const r = await this.client.call({ kind: 'compact', vacuum });
    return r.compaction!;
  }

  /**
   * The storage worker's memory (its heap, buffers and open chunks). With `shrink` both SQLite
   * connections first give back their page caches (`PRAGMA shrink_memory`) and the worker collects
   * garbage: the memory budget's answer to pressure (main/memory/budget.ts).
   */
  async memory(shrink = false): Promise<WorkerMemory> {
    if (shrink && !this.isClosed) this.ro.pragma('shrink_memory');
    const r = await this.client.call({ kind: 'memory', shrink });
    return r.memory!;
  }

  /** The query worker threads (query-pool.ts), for the memory budget; null when queries run on this thread. */
  get queryWorkers(): QueryPool | null {
    return this.pool;
  }

  async applyRetention(): Promise<RetentionResult> {
    const r = await this.client.call({ kind: 'retention', retentionMs: this.opts.retentionMs ?? 0, retentionBytes: this.opts.retentionBytes ?? 0, heldLogMaxBytes: this.opts.heldLogMaxBytes ?? 0 });
    if (r.retention!.deletedChunks > 0) this.writes.record(-Infinity);
    const dropped = r.retention!.heldLogDropped;
    this.heldLogDroppedSamples += dropped.samples;
    if (dropped.samples > 0) for (const f of this.logDropListeners) f(dropped);
    return r.retention!;
  }

  /** Id of the newest batch acknowledged by commit() (0 before the first). */
  get lastBatchId(): number {
    return this.nextBatchId - 1;
  }

  /**
   * Durable samples of batches with id > `afterId`, oldest first, until about `maxSamples`
   * samples (at least one batch when any). Histogram samples are left out unless `histograms`:
   * then they stay in place (value `HistogramMarker`) and the batch's `histograms` holds them in
   * order. Reads the log through the read-only connection; it holds only what a log hold
   * (holdLog) or the head still keeps.
   */
  readLog(afterId: number, maxSamples: number, histograms = false): LogBatch[] {
    if (this.isClosed) throw new StorageUnavailableError('storage is closed');
    let stmt: Database.Statement;
    if (histograms) stmt = this.logHistStmt ??= this.ro.prepare('SELECT b.id, b.n, b.refs, b.t, b.v, h.h FROM wal_batches b LEFT JOIN wal_histograms h ON h.id = b.id WHERE b.id > ? ORDER BY b.id');
    else stmt = this.logStmt ??= this.ro.prepare('SELECT id, n, refs, t, v FROM wal_batches WHERE id > ? ORDER BY id');
    const out: LogBatch[] = [];
    let total = 0;
    for (const row of stmt.iterate(afterId) as Iterable<{ id: number; n: number; refs: Uint8Array; t: Uint8Array; v: Uint8Array; h?: Uint8Array | null }>) {
      const b = unpackBatch(row.n, row.refs, row.t, row.v);
      out.push(histograms ? { id: row.id, ...b, histograms: row.h ? unpackHistograms(row.h) : [] } : { id: row.id, ...withoutHistograms(b) });
      total += row.n;
      if (total >= maxSamples) break;
    }
    return out;
  }

  /** The ref of a series by its labels (sorted), 0 when storage does not have it. */
  seriesRef(labels: Labels): number {
    return this.index.lookup(labels);
  }

  /** Labels of a series ref; empty for a ref the index does not have. */
  seriesLabels(ref: number): Labels {
    return this.index.has(ref) ? this.index.labels(ref) : [];
  }

  /** Newest committed sample time over all series, ms (-Infinity before the first). */
  /** Samples of held log rows deleted before remote write sent them (time retention or the byte cap), since open. */
  heldLogDroppedSamples = 0;

  /** The byte cap on the held log (0: none). */
  get heldLogMaxBytes(): number {
    return this.opts.heldLogMaxBytes ?? 0;
  }

  get newestSampleMs(): number {
    return this.maxTime;
  }

  /** Keeps log batches with id ≥ `fromBatch` until a later call releases them (0: no hold); persisted. */
  async holdLog(fromBatch: number): Promise<void> {
    await this.client.call({ kind: 'hold_log', fromBatch });
  }

  /** Called when time retention deletes held log rows (their samples can no longer be sent). */
  onHeldLogDropped(f: (d: RetentionResult['heldLogDropped']) => void): () => void {
    this.logDropListeners.push(f);
    return () => {
      const i = this.logDropListeners.indexOf(f);
      if (i >= 0) this.logDropListeners.splice(i, 1);
    };
  }

  /** `PRAGMA quick_check` of the live file: ok, or SQLite's first messages. */
  quickCheck(): { ok: boolean; messages: string[] } {
    const rows = this.ro.pragma('quick_check') as { quick_check: string }[];
    const messages = rows.map((r) => r.quick_check);
    return { ok: messages.length === 1 && messages[0] === 'ok', messages };
  }

  /**
   * Online backup to one file. It holds sealed chunks and the log, so a restore replays the head:
   * every sample acknowledged before the backup started is in it.
   */
  async backup(file: string): Promise<void> {
    if (this.isClosed) throw new StorageUnavailableError('storage is closed');
    await this.ro.backup(file);
  }

  /** Installs a backup as the database of `dir` (which must not hold one, or be open). */
  static async restore(file: string, dir: string): Promise<void> {
    const check = openSqlite(file, { readonly: true, fileMustExist: true });
    try {
      const rows = check.pragma('quick_check') as { quick_check: string }[];
      if (rows.length !== 1 || rows[0]!.quick_check !== 'ok') throw new Error(`backup ${file} is damaged (${rows.map((r) => r.quick_check).join('; ')}); pick another backup`);
      check.prepare('SELECT count(*) FROM series').get();
    } finally {
      check.close();
    }
    mkdirSync(dir, { recursive: true });
    const target = join(dir, dbFileName);
    if (existsSync(target)) throw new Error(`${target} already exists; restore into an empty folder or move the current database away first`);
    copyFileSync(file, target + '.restoring');
    for (const suffix of ['-wal', '-shm']) rmSync(target + suffix, { force: true });
    renameSync(target + '.restoring', target);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.timer) clearInterval(this.timer);
    // The reader first: the writer, closing last, checkpoints and removes the -wal and -shm
    // files (a read-only connection closing last cannot).
    try {
      // Query workers hold read-only connections of their own: closed before the writer too.
      await this.pool?.close();
      this.ro.close();
    } finally {
      await this.client.close();
    }
  }

  /** Tests: kill the compression worker as a crash would (it is respawned). */
  async crashWorkerForTest(): Promise<void> {
    await this.client.crash();
  }
}

/** The query workers `opts` ask for, when their compiled entry is there. */
function queryPool(opts: TsdbOptions, file: string): QueryPool | null {
  const size = opts.queryWorkers ?? Math.min(4, availableParallelism());
  const url = opts.queryWorkerUrl ?? new URL('./query-worker.js', import.meta.url);
  if (size <= 0 || !existsSync(fileURLToPath(url))) return null;
  return new QueryPool(url, { file, sqliteBinding: sqliteBinding() }, size);
}

/** A logged batch without its histogram samples (their value column holds HistogramMarker). */
function withoutHistograms(b: { refs: Uint32Array; t: Float64Array; v: Float64Array }): { refs: Uint32Array; t: Float64Array; v: Float64Array } {
  let k = 0;
  for (let i = 0; i < b.v.length; i++) {
    if (isHistogramMarker(b.v[i]!)) continue;
    if (k !== i) {
      b.refs[k] = b.refs[i]!;
      b.t[k] = b.t[i]!;
      b.v[k] = b.v[i]!;
    }
    k++;
  }
  return k === b.v.length ? b : { refs: b.refs.subarray(0, k), t: b.t.subarray(0, k), v: b.v.subarray(0, k) };
}
