/**
 * The compression worker's logic, independent of how it is hosted: inside a worker thread
 * (worker.ts) or in-process (`TSDB.open({ worker: false })`, for tests and tools).
 *
 * Write path of one batch: (1) one SQLite transaction stores the new series, the raw batch in
 * the `wal_batches` log and the batch id: that commit is the durability point acknowledged to
 * `commit()`; (2) samples go into the head, which may seal chunks; (3) a second transaction
 * writes the sealed chunks. Every `checkpointEvery` batches, quiet series are sealed and the log
 * is truncated behind the oldest batch an open chunk still needs, and behind the log hold
 * (`meta.log_hold`: the oldest batch remote write has not sent yet).
 */
import type Database from 'better-sqlite3';
import { decodeChunk, decodeHistogramChunk, encodeChunk, encodeHistogramChunks, isHistogramEncoding } from './chunkenc/chunk.js';
import { HistogramMarker, isHistogramMarker, packHistograms, unpackHistograms } from './histogram-log.js';
import { StaleNaN, type NativeHistogram } from './interface.js';
import { Head, type SealedRun } from './worker-head.js';
import type { LookbackPoints } from './interface.js';
import type { AppendBatch, CompactionResult, HeadRead, InitialState, RetentionResult, WorkerCounters, WorkerMemory } from './worker-protocol.js';
import { isMainThread } from 'node:worker_threads';
import { collectGarbage } from '../util/gc-hint.js';
import { blobOf, openWritable, windowOf } from './store-schema.js';
import { compactSeries, markCompacted, pendingWindows } from './compact.js';
import { LabelStringsWriter } from './series-labels.js';
import { WindowBounds, deleteChunksBefore, newestChunkTime, oldestWindow, sizeRetentionCutoff } from './chunk-windows.js';
import { packRefs, packTimes, unpackBatch } from './log-codec.js';

export interface CoreOptions {
  readonly file: string;
  readonly maxChunkSamples?: number;
  readonly checkpointEvery?: number;
  /** false: no compaction at checkpoints (a bulk import, which ends with `compact`). Default true. */
  readonly backgroundCompaction?: boolean;
}

/** What a worker thread is started with: its options and the native SQLite build to load. */
export interface WorkerStart extends CoreOptions {
  readonly sqliteBinding: string | undefined;
}

type Stmt = Database.Statement;

/** Series merged per checkpoint by background compaction (a few ms of the writer's time). */
const compactSliceSeries = 500;

const staleOne = Float64Array.of(StaleNaN);
const zeroOne = new Float64Array(1);

/** Refused batch: storage must get the missing series first (worker-serve maps the code). */
function seriesGap(detail: string): Error {
  return Object.assign(new Error(`series not yet stored: ${detail}`), { code: 'VIGIL_SERIES_GAP' });
}

export class WorkerCore {
  private readonly db: Database.Database;
  private readonly head: Head;
  private lastBatchId: number;
  private maxRef = 0;
  private batchesSinceCheckpoint = 0;
  /** String ids of series labels (series-labels.ts). */
  private labels: LabelStringsWriter;
  /** Background compaction in progress: the window, and the next series ref to merge. */
  private compacting: { window: number; nextRef: number } | null = null;
  /** Batches with id ≥ this stay in the log until released (0: no hold). Persisted in meta. */
  private logHold: number;
  private readonly checkpointEvery: number;
  private readonly backgroundCompaction: boolean;
  /** Sealed runs whose chunk write failed (e.g. disk full); retried, and still served to reads. */
  private unwritten: SealedRun[] = [];
  /** Why the last chunk write failed, until one succeeds. */
  writeError: string | null = null;
  private readonly counters: WorkerCounters = { chunksWritten: 0, headSamples: 0, headSeries: 0, compactions: 0, quarantinedChunks: 0, logBatches: 0, logBytes: 0 };
  private readonly st: {
    insertSeries: Stmt;
    insertBatch: Stmt;
    insertHistograms: Stmt;
    setLastBatch: Stmt;
    insertChunk: Stmt;
    noteWindow: Stmt;
    truncateLog: Stmt;
    truncateHistograms: Stmt;
  };

  constructor(opts: CoreOptions) {
    this.db = openWritable(opts.file);
    this.head = new Head(opts.maxChunkSamples);
    this.checkpointEvery = opts.checkpointEvery ?? 32;
    this.backgroundCompaction = opts.backgroundCompaction ?? true;
    const db = this.db;
    this.labels = new LabelStringsWriter(db);
    this.st = {
      insertSeries: db.prepare('INSERT OR IGNORE INTO series(ref, labels) VALUES (?, ?)'),
      insertBatch: db.prepare('INSERT INTO wal_batches(id, n, refs, t, v) VALUES (?, ?, ?, ?, ?)'),
      insertHistograms: db.prepare('INSERT INTO wal_histograms(id, h) VALUES (?, ?)'),
      setLastBatch: db.prepare("UPDATE meta SET value = ? WHERE key = 'last_batch_id'"),
      insertChunk: db.prepare('INSERT INTO chunks(series_ref, min_t, max_t, encoding, count, data) VALUES (?, ?, ?, ?, ?, ?)'),
      noteWindow: db.prepare(
        'INSERT INTO chunk_windows(window, min_t, max_t) VALUES (?, ?, ?) ON CONFLICT(window) DO UPDATE SET min_t = min(min_t, excluded.min_t), max_t = max(max_t, excluded.max_t), compacted = 0',
      ),
      truncateLog: db.prepare('DELETE FROM wal_batches WHERE id < ?'),
      truncateHistograms: db.prepare('DELETE FROM wal_histograms WHERE id < ?'),
    };
    this.lastBatchId = db.prepare("SELECT value FROM meta WHERE key = 'last_batch_id'").pluck().get() as number;
    this.logHold = (db.prepare("SELECT value FROM meta WHERE key = 'log_hold'").pluck().get() as number | undefined) ?? 0;
    this.recover();
  }

  /** Rebuilds the head: newest sealed time per series, then replay of the log. */
  private recover(): void {
    const db = this.db;
    this.maxRef = (db.prepare('SELECT max(ref) FROM series').pluck().get() as number | null) ?? 0;
    this.head.ensure(this.maxRef);
    // Newest sealed time per series: one seek per series on the clustered key (a scan of the
    // chunks table would read every chunk's bytes).
    const newest = db.prepare('SELECT max_t FROM chunks WHERE series_ref = ? ORDER BY min_t DESC LIMIT 1').pluck();
    const sealed: { ref: number; t: number }[] = [];
    for (let ref = 1; ref <= this.maxRef; ref++) {
      const t = newest.get(ref) as number | undefined;
      if (t === undefined) continue;
      this.head.lastT[ref] = t;
      sealed.push({ ref, t });
    }
    const replay = db.prepare('SELECT b.id, b.n, b.refs, b.t, b.v, h.h FROM wal_batches b LEFT JOIN wal_histograms h ON h.id = b.id ORDER BY b.id');
    const runs: SealedRun[] = [];
    for (const row of replay.iterate() as Iterable<{ id: number; n: number; refs: Uint8Array; t: Uint8Array; v: Uint8Array; h: Uint8Array | null }>) {
      const { refs, t, v } = unpackBatch(row.n, row.refs, row.t, row.v);
      this.applySamples(row.id, refs, t, v, row.h === null ? undefined : unpackHistograms(row.h), runs);
    }
    this.writeRuns(runs);
    // Series whose newest sample is sealed: read it back for duplicate detection in main.
    const last = db.prepare('SELECT encoding, data FROM chunks WHERE series_ref = ? ORDER BY min_t DESC LIMIT 1');
    for (const { ref, t } of sealed) {
      if (this.head.lastT[ref] !== t) continue;
      const row = last.get(ref) as { encoding: number; data: Uint8Array } | undefined;
      if (!row) continue;
      if (isHistogramEncoding(row.encoding)) {
        const d = decodeHistogramChunk(row.encoding, row.data);
        this.head.lastV[ref] = d.h.length > 0 && d.h[d.h.length - 1] === null ? StaleNaN : HistogramMarker;
        continue;
      }
      const d = decodeChunk(row.encoding, row.data);
      this.head.lastV[ref] = d.v.length > 0 ? d.v[d.v.length - 1]! : NaN;
    }
  }

  initialState(): InitialState {
    return {
      lastBatchId: this.lastBatchId,
      maxRef: this.maxRef,
      lastT: this.head.lastT.slice(0, this.maxRef + 1),
      lastV: this.head.lastV.slice(0, this.maxRef + 1),
    };
  }

  /**
   * Applies a batch once; a batch id seen before is acknowledged without effect. A batch whose
   * new series do not continue the series table, or whose samples name a series the table does
   * not have (an earlier batch carrying it failed, e.g. on a full disk), is refused rather than
   * acknowledged with samples left out: main re-sends those series with its next batch.
   */
  append(b: AppendBatch): void {
    if (b.id <= this.lastBatchId) return;
    let newMax = this.maxRef;
    if (b.newRefs.length > 0) {
      if (b.newRefs[0]! > this.maxRef + 1) throw seriesGap(`new series start at ref ${b.newRefs[0]}, the table ends at ${this.maxRef}`);
      newMax = Math.max(newMax, b.newRefs[b.newRefs.length - 1]!);
    }
    for (let i = 0; i < b.refs.length; i++) if (b.refs[i]! > newMax) throw seriesGap(`sample for unknown series ref ${b.refs[i]}`);
    if (b.bulkOpen !== undefined && b.h === undefined) {
      this.appendBulk(b, b.bulkOpen);
      return;
    }
    const tx = this.db.transaction(() => {
      for (let i = 0; i < b.newRefs.length; i++) this.st.insertSeries.run(b.newRefs[i]!, this.labels.encodeJson(b.newLabels[i]!));
      if (b.refs.length > 0) this.st.insertBatch.run(b.id, b.refs.length, packRefs(b.refs), packTimes(b.t), blobOf(b.v));
      if (b.h !== undefined && b.h.length > 0) this.st.insertHistograms.run(b.id, packHistograms(b.h));
      this.st.setLastBatch.run(b.id);
    });
    try {
      tx();
    } catch (e) {
      this.labels = new LabelStringsWriter(this.db); // its new string ids were rolled back
      throw e;
    }
    this.lastBatchId = b.id;
    for (let i = 0; i < b.newRefs.length; i++) if (b.newRefs[i]! > this.maxRef) this.maxRef = b.newRefs[i]!;
    this.head.ensure(this.maxRef);
    const runs: SealedRun[] = [];
    this.applySamples(b.id, b.refs, b.t, b.v, b.h, runs);
    if (++this.batchesSinceCheckpoint >= this.checkpointEvery) this.checkpoint(runs);
    else this.writeRuns(runs);
  }

  /**
   * A bulk batch (an import: each series' samples together and in order). The chunks it completes
   * are encoded straight from its columns and written in the batch's own transaction, with its new
   * series and its id; only the samples left in open chunks go to the log (replayed into the head
   * after a crash, as any batch). So the batch is durable when acknowledged, most of its samples
   * never pass through the head or the log, and a crash leaves either all of it or none.
   * A series' run is sealed whole unless main named it in `open` (it may go on in the next batch:
   * its last chunk stays open in the head).
   */
  private appendBulk(b: AppendBatch, openRefs: Uint32Array): void {
    const mayContinue = new Set(openRefs);
    const runs: SealedRun[] = [];
    const refs = b.refs;
    const n = refs.length;
    const maxRef = Math.max(this.maxRef, b.newRefs.length > 0 ? b.newRefs[b.newRefs.length - 1]! : 0);
    this.head.ensure(maxRef);
    // Samples left open in the head: [from, to) ranges of the batch, logged below.
    const open: number[] = [];
    let logged = 0;
    for (let i = 0; i < n; ) {
      const ref = refs[i]!;
      let j = i + 1;
      while (j < n && refs[j] === ref) j++;
      if (ref !== 0 && ref <= maxRef) {
        const from = this.head.appendRun(ref, b.t, b.v, i, j, b.id, !mayContinue.has(ref), runs);
        if (from < j) {
          open.push(from, j);
          logged += j - from;
        }
      }
      i = j;
    }
    const lr = new Uint32Array(logged);
    const lt = new Float64Array(logged);
    const lv = new Float64Array(logged);
    for (let k = 0, o = 0; k < open.length; k += 2) {
      const [from, to] = [open[k]!, open[k + 1]!];
      lr.set(refs.subarray(from, to), o);
      lt.set(b.t.subarray(from, to), o);
      lv.set(b.v.subarray(from, to), o);
      o += to - from;
    }
    const all = this.unwritten.length > 0 ? [...this.unwritten, ...runs] : runs;
    try {
      this.db.transaction(() => {
        for (let i = 0; i < b.newRefs.length; i++) this.st.insertSeries.run(b.newRefs[i]!, this.labels.encodeJson(b.newLabels[i]!));
        this.insertRuns(all);
        if (logged > 0) this.st.insertBatch.run(b.id, logged, packRefs(lr), packTimes(lt), blobOf(lv));
        this.st.setLastBatch.run(b.id);
      })();
    } catch (e) {
      // Nothing of the batch is stored; its chunks are kept for the next write (as writeRuns
      // keeps a failed write's), and the commit fails. Open samples are in the head only.
      this.labels = new LabelStringsWriter(this.db); // its new string ids were rolled back
      this.unwritten = all;
      this.writeError = (e as Error).message;
      throw e;
    }
    this.counters.chunksWritten += all.length;
    this.unwritten = [];
    this.writeError = null;
    this.lastBatchId = b.id;
    this.maxRef = maxRef;
    if (++this.batchesSinceCheckpoint >= this.checkpointEvery) this.checkpoint([]);
  }

  /** Appends a batch's samples to the head; a HistogramMarker value takes the next histogram of `h`. */
  private applySamples(batch: number, refs: Uint32Array, t: Float64Array, v: Float64Array, h: readonly NativeHistogram[] | undefined, runs: SealedRun[]): void {
    let next = 0;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      const vi = v[i]!;
      let hi: NativeHistogram | null = null;
      if (vi !== vi && isHistogramMarker(vi)) {
        hi = h?.[next++] ?? null;
        if (hi === null) continue; // the side list is damaged: the sample cannot be rebuilt
      }
      if (ref === 0 || ref > this.maxRef) continue;
      const run = this.head.append(ref, t[i]!, vi, batch, hi);
      if (run) runs.push(run);
    }
  }

  /** Tests and fault drills: SQLite's max_page_count fails writes with SQLITE_FULL as a full disk does (0: no limit). */
  setMaxPages(pages: number): void {
    this.db.pragma(`max_page_count = ${pages > 0 ? Math.floor(pages) : 4294967294}`);
  }

  /** Seals quiet series, writes chunks, truncates the log behind what open chunks need, and takes a step of window compaction. */
  checkpoint(runs: SealedRun[] = []): void {
    this.batchesSinceCheckpoint = 0;
    this.head.sealBefore(this.head.maxTime(), runs);
    this.writeRuns(runs);
    this.truncateLog();
    this.compactStep();
  }

  /**
   * Background compaction: merges a slice of series (compactSliceSeries) of the oldest complete
   * window not compacted yet, so the writer never stops for a whole window at once. A window is
   * complete once the newest sample is in a later one (checkpoint sealed its open chunks).
   */
  private compactStep(): void {
    if (!this.backgroundCompaction || this.unwritten.length > 0) return; // off, or writes fail: nothing to add to that
    const newest = this.head.maxTime();
    if (!Number.isFinite(newest)) return;
    try {
      if (this.compacting === null) {
        const w = pendingWindows(this.db, windowOf(newest))[0];
        if (w === undefined) return;
        this.compacting = { window: w, nextRef: 1 };
      }
      const c = this.compacting;
      const to = Math.min(this.maxRef, c.nextRef + compactSliceSeries - 1);
      compactSeries(this.db, c.window, c.nextRef, to);
      c.nextRef = to + 1;
      if (c.nextRef > this.maxRef) {
        markCompacted(this.db, c.window);
        this.compacting = null;
        this.counters.compactions++;
      }
    } catch {
      // Compaction only saves space: a failure (e.g. a full disk) rolls its slice back and
      // leaves the chunks as they are; the window is tried again from its start.
      this.compacting = null;
    }
  }

  /**
   * Seals every open chunk, merges the chunks of every window (compact.ts) and, with `vacuum`,
   * rewrites the file packed (`VACUUM`: a b-tree filled in key order; costs a copy of the file).
   * `vigil import` ends with this.
   */
  compact(vacuum: boolean): CompactionResult {
    const bytes = (): number => (this.db.pragma('page_count', { simple: true }) as number) * (this.db.pragma('page_size', { simple: true }) as number);
    const bytesBefore = bytes();
    this.flush();
    this.compacting = null;
    let chunksBefore = 0;
    let chunksAfter = 0;
    const windows = pendingWindows(this.db);
    // Merging and VACUUM (which needs room for a second copy of the file) only pack the file: a
    // failure, e.g. a full disk, rolls back its step and leaves the data as it was.
    let packError: string | null = null;
    try {
      for (const w of windows) {
        const r = compactSeries(this.db, w, 1, this.maxRef);
        markCompacted(this.db, w);
        chunksBefore += r.chunksBefore;
        chunksAfter += r.chunksAfter;
      }
      if (vacuum) this.db.exec('VACUUM');
    } catch (e) {
      packError = (e as Error).message;
    }
    if (windows.length > 0) this.counters.compactions++;
    this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return { windows: windows.length, chunksBefore, chunksAfter, bytesBefore, bytesAfter: bytes(), packError };
  }

  /** Seals every open chunk and empties the log (before a backup or a size measurement). */
  flush(): void {
    const runs: SealedRun[] = [];
    this.head.sealAll(runs);
    this.writeRuns(runs);
    this.truncateLog();
    // Give the emptied log's pages back to the file system (auto_vacuum = INCREMENTAL).
    this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * Keeps batches with id ≥ `fromBatch` in the log (remote write's oldest unsent batch), across
   * restarts; 0 releases the hold. Lowering it below rows already deleted brings nothing back.
   */
  holdLog(fromBatch: number): void {
    const v = Math.max(0, Math.floor(fromBatch));
    if (v === this.logHold) return;
    this.db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('log_hold', ?)").run(v);
    this.logHold = v;
  }

  private truncateLog(): void {
    let keep = Math.min(this.head.oldestBatch(), this.lastBatchId + 1);
    if (this.logHold > 0) keep = Math.min(keep, this.logHold);
    for (const r of this.unwritten) keep = Math.min(keep, r.firstBatch);
    const res = this.st.truncateLog.run(keep);
    this.st.truncateHistograms.run(keep);
    if (res.changes > 0) this.counters.compactions++;
    this.counters.logBatches = this.db.prepare('SELECT count(*) FROM wal_batches').pluck().get() as number;
  }

  private writeRuns(runs: SealedRun[]): void {
    const all = this.unwritten.length > 0 ? [...this.unwritten, ...runs] : runs;
    if (all.length === 0) return;
    try {
      this.db.transaction(() => this.insertRuns(all))();
      this.counters.chunksWritten += all.length;
      this.unwritten = [];
      this.writeError = null;
    } catch (e) {
      // The samples are still in the log and in `unwritten`: nothing is lost; retried with the
      // next batch. The batch that sealed them is already durable, so this is not its error.
      this.unwritten = all;
      this.writeError = (e as Error).message;
    }
  }

  /** Encodes sealed runs and inserts their chunks (inside the caller's transaction). */
  private insertRuns(runs: readonly SealedRun[]): void {
    const windows = new WindowBounds();
    for (const r of runs) {
      if (r.h !== undefined) {
        for (const c of encodeHistogramChunks(r.t, r.h)) {
          this.st.insertChunk.run(r.ref, c.minT, c.maxT, c.encoding, c.count, c.bytes);
          windows.note(c.minT, c.maxT);
        }
        continue;
      }
      const c = encodeChunk(r.t, r.v);
      this.st.insertChunk.run(r.ref, c.minT, c.maxT, c.encoding, c.count, c.bytes);
      windows.note(c.minT, c.maxT);
    }
    windows.write(this.st.noteWindow);
  }

  read(refs: Uint32Array, mint: number, maxt: number, points?: LookbackPoints): HeadRead {
    const open = this.head.read(refs, mint, maxt, points);
    // The rare path below puts older samples in front of thinned ones: the querier thins again.
    if (this.unwritten.length === 0) return open;
    // Rare path (a chunk write failed): merge the unwritten runs in front of the open samples.
    const byRef = new Map<number, SealedRun[]>();
    for (const r of this.unwritten) byRef.set(r.ref, [...(byRef.get(r.ref) ?? []), r]);
    const t: number[] = [];
    const vParts: Float64Array[] = [];
    const hs: (NativeHistogram | undefined)[] = [];
    let anyH = open.h !== undefined;
    const offsets = new Uint32Array(refs.length + 1);
    let k = 0;
    for (let i = 0; i < refs.length; i++) {
      offsets[i] = k;
      const from = open.offsets[i]!;
      const to = open.offsets[i + 1]!;
      const parts: { t: Float64Array; v: Float64Array; h: (NativeHistogram | null | undefined)[] | undefined }[] = (byRef.get(refs[i]!) ?? []).map((r) => ({ t: r.t, v: r.v, h: r.h }));
      parts.push({ t: open.t.subarray(from, to), v: open.v.subarray(from, to), h: open.h?.slice(from, to) });
      for (const p of parts) {
        for (let j = 0; j < p.t.length; j++) {
          if (p.t[j]! < mint || p.t[j]! > maxt) continue;
          t.push(p.t[j]!);
          // A histogram run's slots: a histogram (value 0) or a staleness marker (null).
          if (p.v.length === 0) {
            const x = p.h![j];
            vParts.push(x === null ? staleOne : zeroOne);
            hs[k] = x ?? undefined;
            anyH = true;
          } else {
            vParts.push(p.v.subarray(j, j + 1));
            if (p.h?.[j]) hs[k] = p.h[j]!;
          }
          k++;
        }
      }
    }
    offsets[refs.length] = k;
    const v = new Float64Array(k);
    vParts.forEach((p, i) => v.set(p, i));
    hs.length = k;
    return anyH ? { offsets, t: Float64Array.from(t), v, h: hs } : { offsets, t: Float64Array.from(t), v };
  }

  /**
   * Drops chunks older than `retentionMs` before the newest sample, then oldest-first down to
   * `retentionBytes`; then held log rows behind time retention, then the oldest held rows while
   * the log is over `heldLogMaxBytes` (0: no cap).
   */
  retention(retentionMs: number, retentionBytes: number, heldLogMaxBytes = 0): RetentionResult {
    const used = (): number => {
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      const free = this.db.pragma('freelist_count', { simple: true }) as number;
      const size = this.db.pragma('page_size', { simple: true }) as number;
      return (pages - free) * size;
    };
    const bytesBefore = used();
    let deleted = 0;
    if (retentionMs > 0) {
      const newest = Math.max(this.head.maxTime(), newestChunkTime(this.db) ?? -Infinity);
      if (Number.isFinite(newest)) deleted += deleteChunksBefore(this.db, this.maxRef, newest - retentionMs);
    }
    if (retentionBytes > 0) {
      // Oldest first: each round moves the cutoff a sixteenth of the oldest window's span
      // forward; bounded so a budget below the empty schema cannot spin.
      let cutoff = -Infinity;
      for (let round = 0; round < 100_000 && used() > retentionBytes; round++) {
        const w = oldestWindow(this.db);
        if (w === null) break;
        cutoff = sizeRetentionCutoff(this.db, w, cutoff);
        deleted += deleteChunksBefore(this.db, this.maxRef, cutoff);
      }
    }
    const byTime = retentionMs > 0 ? this.dropHeldLogBefore(retentionMs) : { samples: 0, upToBatch: 0 };
    const bySize = this.dropHeldLogOverBytes(heldLogMaxBytes);
    const heldLogDropped = { samples: byTime.samples + bySize.samples, upToBatch: Math.max(byTime.upToBatch, bySize.upToBatch) };
    if (deleted > 0 || heldLogDropped.samples > 0) {
      this.db.pragma('incremental_vacuum');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.counters.compactions++;
    }
    return { deletedChunks: deleted, bytesBefore, bytesAfter: used(), heldLogDropped };
  }

  /**
   * Time retention wins over the log hold: held rows (not needed by the head) whose first sample
   * is older than the retention window are deleted, and their samples reported as lost.
   */
  private dropHeldLogBefore(retentionMs: number): { samples: number; upToBatch: number } {
    const out = { samples: 0, upToBatch: 0 };
    const cutoff = this.head.maxTime() - retentionMs;
    if (this.logHold === 0 || !Number.isFinite(cutoff)) return out;
    const limit = Math.min(this.head.oldestBatch(), this.lastBatchId + 1);
    const rows = this.db.prepare('SELECT id, n, t FROM wal_batches WHERE id < ? ORDER BY id').iterate(limit) as Iterable<{ id: number; n: number; t: Uint8Array }>;
    for (const r of rows) {
      if (r.t.length < 8 || Buffer.from(r.t.buffer, r.t.byteOffset, 8).readDoubleLE(0) >= cutoff) break;
      out.samples += r.n;
      out.upToBatch = r.id;
    }
    if (out.upToBatch > 0) {
      this.db.prepare('DELETE FROM wal_batches WHERE id <= ?').run(out.upToBatch);
      this.db.prepare('DELETE FROM wal_histograms WHERE id <= ?').run(out.upToBatch);
    }
    return out;
  }

  /**
   * The byte cap on the held log (an endpoint that never comes back): while the log's rows are
   * over `maxBytes`, the oldest held rows the head does not need are deleted and their samples
   * reported as lost. Also measures the log for `logBytes`.
   */
  private dropHeldLogOverBytes(maxBytes: number): { samples: number; upToBatch: number } {
    const out = { samples: 0, upToBatch: 0 };
    const size = 'coalesce(sum(length(refs) + length(t) + length(v)), 0)';
    let total = this.db.prepare(`SELECT ${size} FROM wal_batches`).pluck().get() as number;
    if (maxBytes > 0 && this.logHold > 0 && total > maxBytes) {
      const limit = Math.min(this.head.oldestBatch(), this.lastBatchId + 1);
      const rows = this.db.prepare('SELECT id, n, length(refs) + length(t) + length(v) AS bytes FROM wal_batches WHERE id < ? ORDER BY id').iterate(limit) as Iterable<{ id: number; n: number; bytes: number }>;
      for (const r of rows) {
        if (total <= maxBytes) break;
        total -= r.bytes;
        out.samples += r.n;
        out.upToBatch = r.id;
      }
      if (out.upToBatch > 0) this.db.prepare('DELETE FROM wal_batches WHERE id <= ?').run(out.upToBatch);
    }
    this.counters.logBytes = total;
    return out;
  }

  /** Moves a chunk that failed to decode out of the way, keeping its bytes for inspection. */
  quarantineChunk(ref: number, minT: number, reason: string): void {
    const moved = this.db.transaction(() => {
      const n = this.db
        .prepare('INSERT INTO quarantined_chunks(series_ref, min_t, max_t, encoding, count, data, reason, quarantined_at) SELECT series_ref, min_t, max_t, encoding, count, data, ?, ? FROM chunks WHERE series_ref = ? AND min_t = ?')
        .run(reason, Date.now(), ref, minT).changes;
      this.db.prepare('DELETE FROM chunks WHERE series_ref = ? AND min_t = ?').run(ref, minT);
      return n;
    })();
    this.counters.quarantinedChunks += moved;
  }

  /**
   * What this core holds in memory. With `shrink` (memory pressure, main/memory/budget.ts) it first
   * frees SQLite's page cache (`PRAGMA shrink_memory`) and, in a worker thread, collects garbage.
   */
  memory(shrink: boolean): WorkerMemory {
    if (shrink) {
      this.db.pragma('shrink_memory');
      if (!isMainThread) collectGarbage();
    }
    if (isMainThread) return { ownThread: false, heapBytes: 0, outsideHeapBytes: 0, headBytes: this.head.pageBytes };
    // In a worker, heapUsed and external are this isolate's own (rss is the whole process').
    const m = process.memoryUsage();
    return { ownThread: true, heapBytes: m.heapUsed, outsideHeapBytes: m.external, headBytes: this.head.pageBytes };
  }

  stats(): WorkerCounters {
    this.counters.headSamples = this.head.samples;
    this.counters.headSeries = this.head.series;
    return { ...this.counters };
  }

  close(): void {
    this.writeRuns([]);
    this.db.close();
  }
}
