/**
 * The one chunk read of a select and the one way a series' samples are put together from its
 * chunk rows and its head samples. Used by the querier on the main thread (querier.ts) and by the
 * query workers (query-worker-core.ts), so both read the same rows and merge them the same way.
 */
import type Database from 'better-sqlite3';
import { decodeChunkInto } from './chunkenc/chunk.js';
import type { ChunkDecodeError } from './chunkenc/errors.js';
import { chunkWindowMs } from './store-schema.js';

export type RawChunkRow = [minT: number, ref: number, encoding: number, count: number, data: Uint8Array];

/**
 * Refs this dense or denser (span of refs / refs ≤ this) are read with one range scan of the
 * primary key and the rows of other series dropped: ~1.0 µs a row against ~1.45 µs for a lookup
 * per ref through json_each (W-offline, 512 refs).
 */
const denseSpan = 1.25;

/** The chunk rows of some series overlapping [mint, maxt], ordered by series then time. */
export class ChunkRows {
  private readonly listed: Database.Statement;
  private readonly ranged: Database.Statement;

  constructor(db: Database.Database) {
    const cached = statements.get(db);
    if (cached) {
      [this.listed, this.ranged] = cached;
      return;
    }
    const cols = 'SELECT min_t, series_ref AS ref, encoding, count, data FROM chunks';
    const window = 'AND min_t > ? AND min_t <= ? AND max_t >= ? ORDER BY series_ref, min_t';
    this.listed = db.prepare(`${cols} WHERE series_ref IN (SELECT value FROM json_each(?)) ${window}`).raw(true);
    this.ranged = db.prepare(`${cols} WHERE series_ref >= ? AND series_ref <= ? ${window}`).raw(true);
    statements.set(db, [this.listed, this.ranged]);
  }

  /** Rows of `refs` (distinct; ascending or not; rows come back by ascending ref). */
  read(refs: ArrayLike<number>, mint: number, maxt: number): RawChunkRow[] {
    const k = refs.length;
    if (k === 0) return [];
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < k; i++) {
      const r = refs[i]!;
      if (r < lo) lo = r;
      if (r > hi) hi = r;
    }
    const span = hi - lo + 1;
    if (span > k * denseSpan) return this.listed.all(JSON.stringify(Array.from(refs)), mint - chunkWindowMs, maxt, mint) as unknown as RawChunkRow[];
    const rows = this.ranged.all(lo, hi, mint - chunkWindowMs, maxt, mint) as unknown as RawChunkRow[];
    if (span === k) return rows;
    const wanted = new Uint8Array(span);
    for (let i = 0; i < k; i++) wanted[refs[i]! - lo] = 1;
    let kept = 0;
    for (let j = 0; j < rows.length; j++) if (wanted[rows[j]![1] - lo]) rows[kept++] = rows[j]!;
    rows.length = kept;
    return rows;
  }
}

/** Prepared once per connection (a querier is made per query). */
const statements = new WeakMap<Database.Database, [Database.Statement, Database.Statement]>();

/** Decode buffers reused from series to series. */
export class Scratch {
  t = new Float64Array(1024);
  v = new Float64Array(1024);

  ensure(n: number): void {
    if (this.t.length >= n) return;
    const size = Math.max(n, this.t.length * 2);
    this.t = new Float64Array(size);
    this.v = new Float64Array(size);
  }
}

/**
 * Float samples of one series into t/v from 0: its chunk rows [from, to) decoded end to end, then
 * head samples [hFrom, hTo), compacted to [mint, maxt] with repeats dropped (compactInPlace).
 * A damaged chunk is skipped whole and reported to `bad`. t/v must hold every sample (sum of the
 * rows' counts plus the head's). Returns how many samples were kept. `timesOnly`: the caller
 * reads values only to tell staleness markers (decodeChunkInto's `timesOnly`).
 */
export function assembleSeries(
  rows: readonly RawChunkRow[],
  from: number,
  to: number,
  headT: Float64Array,
  headV: Float64Array,
  hFrom: number,
  hTo: number,
  mint: number,
  maxt: number,
  t: Float64Array,
  v: Float64Array,
  bad: (row: RawChunkRow, error: ChunkDecodeError) => void,
  timesOnly = false,
): number {
  let k = 0;
  for (let r = from; r < to; r++) {
    const row = rows[r]!;
    const d = decodeChunkInto(row[2], row[4], t, v, k, timesOnly);
    if (d.error) {
      // Skipped whole: the chunk goes to quarantine, and a query must not see it change.
      bad(row, d.error);
      continue;
    }
    k += d.n;
  }
  // Element copies, not set(subarray): no view objects per series (bits survive the copy).
  for (let j = hFrom; j < hTo; j++, k++) {
    t[k] = headT[j]!;
    v[k] = headV[j]!;
  }
  return compactInPlace(t, v, k, mint, maxt);
}

/** Samples the rows [from, to) hold, by their `count` column. */
export function rowSamples(rows: readonly RawChunkRow[], from: number, to: number): number {
  let n = 0;
  for (let r = from; r < to; r++) n += rows[r]![3];
  return n;
}

/**
 * Keeps samples within [mint, maxt] that are newer than the last kept (a head copy of a just
 * sealed chunk repeats its samples), moving them to the front; returns how many were kept.
 */
function compactInPlace(t: Float64Array, v: Float64Array, n: number, mint: number, maxt: number): number {
  let k = 0;
  let last = -Infinity;
  for (let j = 0; j < n; j++) {
    const ts = t[j]!;
    if (ts <= last || ts < mint || ts > maxt) continue;
    if (k !== j) {
      t[k] = ts;
      v[k] = v[j]!;
    }
    last = ts;
    k++;
  }
  return k;
}
