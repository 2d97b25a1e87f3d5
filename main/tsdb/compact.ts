/**
 * Window compaction (FORMAT.md, "Compaction"): the head seals chunks of ≤ 120 samples; once a
 * 2 h window is complete, each series' float chunks of that window are merged into as few rows
 * as fit one b-tree cell (fewer chunk headers, first samples and rows). The samples, their bits
 * and their order are unchanged; a chunk that fails to decode leaves its series' window as it
 * was. Runs in the writer (the compression worker), one transaction per window: a reader sees
 * the window before or after, never half of it.
 */
import type Database from 'better-sqlite3';
import { decodeChunkInto, encodeChunk, isHistogramEncoding } from './chunkenc/chunk.js';
import { chunkWindowMs } from './store-schema.js';

/** Most samples a merged chunk holds: a 2 h window at 7.5 s; a query decodes a chunk whole. */
const maxMergedSamples = 960;

type Row = [minT: number, maxT: number, encoding: number, count: number, data: Uint8Array];

/**
 * The largest chunk payload kept inside a b-tree cell of this file: SQLite moves the part of a
 * WITHOUT ROWID row above (usable − 12)·64/255 − 23 bytes to overflow pages, which waste most of
 * a page each; 40 bytes are left for the key and the other columns.
 */
function mergedByteCap(pageSize: number): number {
  return Math.floor(((pageSize - 12) * 64) / 255) - 23 - 40;
}

/** Windows holding chunks written since they were last compacted, older than `beforeWindow` (all when undefined), oldest first. */
export function pendingWindows(db: Database.Database, beforeWindow?: number): number[] {
  if (beforeWindow === undefined) return db.prepare('SELECT window FROM chunk_windows WHERE compacted = 0 ORDER BY window').pluck().all() as number[];
  return db.prepare('SELECT window FROM chunk_windows WHERE compacted = 0 AND window < ? ORDER BY window').pluck().all(beforeWindow) as number[];
}

export function markCompacted(db: Database.Database, window: number): void {
  db.prepare('UPDATE chunk_windows SET compacted = 1 WHERE window = ?').run(window);
}

/** Merges the chunks of window `window` of series refs `fromRef` … `toRef`, in one transaction. */
export function compactSeries(db: Database.Database, window: number, fromRef: number, toRef: number): { chunksBefore: number; chunksAfter: number } {
  const read = db.prepare('SELECT min_t, max_t, encoding, count, data FROM chunks WHERE series_ref = ? AND min_t >= ? AND min_t < ? ORDER BY min_t').raw(true);
  const del = db.prepare('DELETE FROM chunks WHERE series_ref = ? AND min_t = ?');
  const ins = db.prepare('INSERT INTO chunks(series_ref, min_t, max_t, encoding, count, data) VALUES (?, ?, ?, ?, ?, ?)');
  const cap = mergedByteCap(db.pragma('page_size', { simple: true }) as number);
  const from = window * chunkWindowMs;
  let before = 0;
  let after = 0;
  db.transaction(() => {
    for (let ref = fromRef; ref <= toRef; ref++) {
      const rows = read.all(ref, from, from + chunkWindowMs) as unknown as Row[];
      // Runs of consecutive float chunks (histogram chunks stay as they are).
      let i = 0;
      while (i < rows.length) {
        if (isHistogramEncoding(rows[i]![2])) {
          i++;
          continue;
        }
        let j = i;
        while (j < rows.length && !isHistogramEncoding(rows[j]![2])) j++;
        if (j - i > 1) {
          const n = mergeRun(rows.slice(i, j), cap, ref, del, ins);
          if (n > 0) {
            before += j - i;
            after += n;
          }
        }
        i = j;
      }
    }
  })();
  return { chunksBefore: before, chunksAfter: after };
}

/** Rewrites one run of float chunks as fewer; returns the rows written (0: left as it was). */
function mergeRun(run: Row[], cap: number, ref: number, del: Database.Statement, ins: Database.Statement): number {
  let total = 0;
  for (const r of run) total += r[3];
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  let k = 0;
  for (const r of run) {
    const d = decodeChunkInto(r[2], r[4], t, v, k);
    if (d.error !== null || d.n !== r[3]) return 0; // damaged: the query path quarantines it
    k += d.n;
  }
  for (let j = 1; j < k; j++) if (!(t[j]! > t[j - 1]!)) return 0; // overlapping chunks: not ours to merge
  const pieces = encodePieces(t, v, 0, k, cap);
  if (pieces.length >= run.length) return 0;
  for (const r of run) del.run(ref, r[0]);
  for (const c of pieces) ins.run(ref, c.minT, c.maxT, c.encoding, c.count, c.bytes);
  return pieces.length;
}

/** Samples [start, end) as chunks of ≤ maxMergedSamples whose bytes fit `cap` (halving until they do, or one sample is left). */
function encodePieces(t: Float64Array, v: Float64Array, start: number, end: number, cap: number): ReturnType<typeof encodeChunk>[] {
  const n = end - start;
  if (n > maxMergedSamples) {
    const parts = Math.ceil(n / maxMergedSamples);
    const size = Math.ceil(n / parts);
    const out: ReturnType<typeof encodeChunk>[] = [];
    for (let s = start; s < end; s += size) out.push(...encodePieces(t, v, s, Math.min(end, s + size), cap));
    return out;
  }
  const c = encodeChunk(t, v, start, end);
  if (c.bytes.length <= cap || n === 1) return [c];
  const parts = Math.ceil(c.bytes.length / cap);
  const size = Math.ceil(n / parts);
  const out: ReturnType<typeof encodeChunk>[] = [];
  for (let s = start; s < end; s += size) out.push(...encodePieces(t, v, s, Math.min(end, s + size), cap));
  return out;
}
