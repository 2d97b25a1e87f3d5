/**
 * The `chunk_windows` table (FORMAT.md): per 2 h window that may hold chunks, the smallest
 * `min_t` and largest `max_t` written into it. The chunks table is clustered by series and has
 * no time index, so this tiny table answers "oldest / newest sealed sample" and tells retention
 * whether anything is old enough to delete; deletes then go series by series along the key.
 */
import type Database from 'better-sqlite3';
import { chunkWindowMs, windowOf } from './store-schema.js';

/** Bounds of the chunks one transaction writes, per window, flushed in one upsert per window. */
export class WindowBounds {
  private readonly byWindow = new Map<number, { min: number; max: number }>();

  note(minT: number, maxT: number): void {
    const w = windowOf(minT);
    const b = this.byWindow.get(w);
    if (b === undefined) this.byWindow.set(w, { min: minT, max: maxT });
    else {
      if (minT < b.min) b.min = minT;
      if (maxT > b.max) b.max = maxT;
    }
  }

  /** `upsert`: INSERT … ON CONFLICT(window) keeping the smaller min_t and the larger max_t. */
  write(upsert: Database.Statement): void {
    for (const [w, b] of this.byWindow) upsert.run(w, b.min, b.max);
  }
}

/** Newest `max_t` of any sealed chunk, or null when none is. */
export function newestChunkTime(db: Database.Database): number | null {
  return (db.prepare('SELECT max(max_t) FROM chunk_windows').pluck().get() as number | null) ?? null;
}

/** A lower bound of the oldest sealed sample (exact unless a chunk of its window was quarantined), or null. */
export function oldestChunkTime(db: Database.Database): number | null {
  return (db.prepare('SELECT min(min_t) FROM chunk_windows').pluck().get() as number | null) ?? null;
}

/** The oldest window holding chunks, or null. */
export function oldestWindow(db: Database.Database): number | null {
  return (db.prepare('SELECT min(window) FROM chunk_windows').pluck().get() as number | null) ?? null;
}

/**
 * The next cutoff of size retention in window `w` (the oldest), after `previous`: a sixteenth of
 * the span between its oldest sample and its newest chunk end further (at least 1 ms), and the
 * window's end once that passes its newest chunk end. Strictly increasing, so rounds progress.
 */
export function sizeRetentionCutoff(db: Database.Database, w: number, previous: number): number {
  const b = db.prepare('SELECT min_t, max_t FROM chunk_windows WHERE window = ?').get(w) as { min_t: number; max_t: number };
  const cutoff = Math.max(previous, b.min_t) + Math.max(1, Math.ceil((b.max_t - b.min_t) / 16));
  return cutoff > b.max_t ? (w + 1) * chunkWindowMs : cutoff;
}

/**
 * Deletes every chunk whose `max_t` is before `cutoff`, one key range per series (refs 1 …
 * `maxRef`), in one transaction, and brings `chunk_windows` up to date: windows wholly before
 * the cutoff's window go, the cutoff's own window gets its `min_t` measured again (or goes when
 * it is empty). Returns the number of chunks deleted.
 */
export function deleteChunksBefore(db: Database.Database, maxRef: number, cutoff: number): number {
  const oldest = oldestChunkTime(db);
  if (oldest === null || oldest >= cutoff) return 0;
  const del = db.prepare('DELETE FROM chunks WHERE series_ref = ? AND min_t < ? AND max_t < ?');
  const firstIn = db.prepare('SELECT min_t FROM chunks WHERE series_ref = ? AND min_t >= ? AND min_t < ? ORDER BY min_t LIMIT 1').pluck();
  return db.transaction(() => {
    let deleted = 0;
    for (let ref = 1; ref <= maxRef; ref++) deleted += del.run(ref, cutoff, cutoff).changes;
    const w = windowOf(cutoff);
    db.prepare('DELETE FROM chunk_windows WHERE window < ?').run(w);
    if (db.prepare('SELECT 1 FROM chunk_windows WHERE window = ?').get(w) !== undefined) {
      const from = w * chunkWindowMs;
      let min = Infinity;
      for (let ref = 1; ref <= maxRef; ref++) {
        const t = firstIn.get(ref, from, from + chunkWindowMs) as number | undefined;
        if (t !== undefined && t < min) min = t;
      }
      if (min === Infinity) db.prepare('DELETE FROM chunk_windows WHERE window = ?').run(w);
      else db.prepare('UPDATE chunk_windows SET min_t = ? WHERE window = ?').run(min, w);
    }
    return deleted;
  })();
}
