/**
 * Reads: matchers → refs on the index, then the head through the worker and the sealed chunks
 * with ONE SQLite query per select. Head first, SQLite second: a chunk sealed in between is then
 * seen twice (head copy and chunk), never zero times, and the merge drops the repeat.
 * Samples are decoded lazily, on every `samples()` call of each series, and not kept by the
 * series: a caller streaming over a wide select (an aggregation of a rate) lets each series'
 * arrays die young instead of holding every decoded series until the select is done, which
 * promoted them to the old generation and cost long major collections on the main thread
 * (docs/query-frontend.md, "Event-loop lag").
 */
import type Database from 'better-sqlite3';
import { decodeChunkInto, decodeHistogramChunk, isHistogramEncoding } from './chunkenc/chunk.js';
import { StaleNaN, type LookbackPoints, type Matcher, type NativeHistogram, type Querier, type SampleArrays, type SelectHints, type SeriesSet, type StoredSeries } from './interface.js';
import { thinInto, thinnedBound } from './lookback.js';
import { formatLabels, type Labels } from './labels.js';
import type { SeriesIndex } from './index-series.js';
import { selectRefs } from './matchers.js';
import type { HeadRead } from './worker-protocol.js';
import { chunkWindowMs } from './store-schema.js';
import { EventLoopTurns } from '../util/event-loop-turns.js';
import { sortYielding } from '../util/sort-yielding.js';

export interface QuerySource {
  readonly index: SeriesIndex;
  readonly ro: Database.Database;
  readHead(refs: Uint32Array, mint: number, maxt: number, points?: LookbackPoints): Promise<HeadRead>;
  /** A chunk (key: series ref and min_t) failed to decode: count it and move it to quarantine. */
  badChunk(ref: number, minT: number, reason: string): void;
}

type RawChunkRow = [minT: number, ref: number, encoding: number, count: number, data: Uint8Array];

const emptyF64 = new Float64Array(0);
/** Series per chunk read in a wide select (one SQLite statement each, ~5 ms for 1,024 series). */
const selectBatch = 1024;

/** Decode buffers shared by the series of one querier (thinned reads copy out of them). */
class Scratch {
  t = new Float64Array(1024);
  v = new Float64Array(1024);

  ensure(n: number): void {
    if (this.t.length >= n) return;
    const size = Math.max(n, this.t.length * 2);
    this.t = new Float64Array(size);
    this.v = new Float64Array(size);
  }
}

/** What the series of one select share. */
interface SelectRead {
  readonly src: QuerySource;
  readonly mint: number;
  readonly maxt: number;
  readonly scratch: Scratch;
  readonly refs: Uint32Array;
  /** Chunk rows of series i: rows[first[i] … first[i + 1]). */
  readonly rows: readonly RawChunkRow[];
  readonly first: Uint32Array;
  readonly head: HeadRead;
  readonly warnings: string[];
  readonly points: LookbackPoints | undefined;
}

/** Series i of a select; samples are decoded on every `samples()` call (callers read once). */
class TsdbSeries implements StoredSeries {
  constructor(
    private readonly read: SelectRead,
    private readonly i: number,
  ) {}

  /** Built on every access (equal each time), not kept: read it once and hold on to it. */
  get labels(): Labels {
    return this.read.src.index.labels(this.read.refs[this.i]!);
  }

  samples(): SampleArrays {
    const { src, mint, maxt, scratch, refs, rows, first, head, warnings, points } = this.read;
    const i = this.i;
    const hFrom = head.offsets[i]!;
    const hTo = head.offsets[i + 1]!;
    const from = first[i]!;
    const to = first[i + 1]!;
    // Chunks decode end to end, then the head's samples: into one array per series, or
    // (thinned) into the querier's scratch, from which only the picked samples are copied.
    let total = hTo - hFrom;
    let histograms = false;
    for (let r = from; r < to; r++) {
      total += rows[r]![3];
      if (isHistogramEncoding(rows[r]![2])) histograms = true;
    }
    if (!histograms && head.h !== undefined) for (let j = hFrom; j < hTo && !histograms; j++) histograms = head.h[j] !== undefined;
    if (histograms) return this.withHistograms(total);
    if (points) scratch.ensure(total);
    const t = points ? scratch.t : new Float64Array(total);
    const v = points ? scratch.v : new Float64Array(total);
    let k = 0;
    for (let r = from; r < to; r++) {
      const row = rows[r]!;
      const d = decodeChunkInto(row[2], row[4], t, v, k);
      if (d.error) {
        // Skipped whole: the chunk goes to quarantine, and a query must not see it change.
        warnings.push(`skipped a damaged chunk of series ${formatLabels(this.labels)} (${d.error.kind}: ${d.error.message}); it was quarantined`);
        src.badChunk(refs[i]!, row[0], `${d.error.kind}: ${d.error.message}`);
        continue;
      }
      k += d.n;
    }
    // Element copies, not set(subarray): no view objects per series (bits survive the copy).
    for (let j = hFrom; j < hTo; j++, k++) {
      t[k] = head.t[j]!;
      v[k] = head.v[j]!;
    }
    const m = compactInPlace(t, v, k, mint, maxt);
    if (!points) return m === t.length ? { t, v } : { t: t.subarray(0, m), v: v.subarray(0, m) };
    // Thinned answers copy the picked samples out of the querier's scratch.
    const n = thinnedBound(m, points);
    const ot = new Float64Array(n);
    const ov = new Float64Array(n);
    const kept = thinInto(t, v, 0, m, points, ot, ov, 0);
    return kept === n ? { t: ot, v: ov } : { t: ot.slice(0, kept), v: ov.slice(0, kept) };
  }
  /** A series holding native histograms: decoded whole (never thinned), `h` parallel to `t`. */
  private withHistograms(total: number): SampleArrays {
    const { src, mint, maxt, refs, rows, first, head, warnings } = this.read;
    const i = this.i;
    const t = new Float64Array(total);
    const v = new Float64Array(total);
    const h: (NativeHistogram | undefined)[] = [];
    let k = 0;
    for (let r = first[i]!; r < first[i + 1]!; r++) {
      const row = rows[r]!;
      if (isHistogramEncoding(row[2])) {
        const d = decodeHistogramChunk(row[2], row[4]);
        if (d.error) {
          warnings.push(`skipped a damaged chunk of series ${formatLabels(this.labels)} (${d.error.kind}: ${d.error.message}); it was quarantined`);
          src.badChunk(refs[i]!, row[0], `${d.error.kind}: ${d.error.message}`);
          continue;
        }
        const n = Math.min(d.t.length, total - k);
        for (let j = 0; j < n; j++, k++) {
          t[k] = d.t[j]!;
          const x = d.h[j]!;
          v[k] = x === null ? StaleNaN : 0;
          h[k] = x ?? undefined;
        }
        continue;
      }
      const d = decodeChunkInto(row[2], row[4], t, v, k);
      if (d.error) {
        warnings.push(`skipped a damaged chunk of series ${formatLabels(this.labels)} (${d.error.kind}: ${d.error.message}); it was quarantined`);
        src.badChunk(refs[i]!, row[0], `${d.error.kind}: ${d.error.message}`);
        continue;
      }
      k += d.n;
    }
    for (let j = head.offsets[i]!; j < head.offsets[i + 1]!; j++, k++) {
      t[k] = head.t[j]!;
      v[k] = head.v[j]!;
      if (head.h !== undefined && head.h[j] !== undefined) h[k] = head.h[j];
    }
    return compactWithHistograms(t, v, h, k, mint, maxt);
  }
}

export class TsdbQuerier implements Querier {
  private readonly chunkQuery: Database.Statement;
  private readonly scratch = new Scratch();

  constructor(
    private readonly src: QuerySource,
    private readonly mint: number,
    private readonly maxt: number,
  ) {
    this.chunkQuery = chunkRowsQuery(src.ro);
  }

  /** Matching refs without holes (refs lost to a salvaged, damaged file). */
  private refs(matchers: readonly Matcher[]): Uint32Array {
    const refs = selectRefs(this.src.index, matchers);
    const { index } = this.src;
    return refs.filter((r) => index.isLive(r));
  }

  async select(matchers: readonly Matcher[], hints?: SelectHints): Promise<SeriesSet> {
    const { index } = this.src;
    const refs = this.refs(matchers);
    const warnings: string[] = [];
    if (refs.length === 0 || this.maxt < this.mint) return { series: [], warnings };
    const points = hints?.lookback;
    const head = await this.src.readHead(refs, this.mint, this.maxt, points);
    hints?.signal?.throwIfAborted();
    // Raw rows (arrays, not objects), ordered by ref as `refs` is: series i owns rows
    // [first[i], first[i + 1]). Read in batches of series, yielding between them, so a wide
    // select never blocks the event loop for long and a cancelled query stops reading.
    const rows: RawChunkRow[] = [];
    const first = new Uint32Array(refs.length + 1);
    const turns = new EventLoopTurns();
    const pause = async (): Promise<void> => {
      if (await turns.pause()) hints?.signal?.throwIfAborted();
    };
    for (let b = 0; b < refs.length; b += selectBatch) {
      await pause();
      const batch = refs.subarray(b, b + selectBatch);
      const raw = this.chunkQuery.all(JSON.stringify(Array.from(batch)), this.mint - chunkWindowMs, this.maxt, this.mint) as unknown as RawChunkRow[];
      let r = 0;
      for (let i = 0; i < batch.length; i++) {
        first[b + i] = rows.length;
        while (r < raw.length && raw[r]![1] === batch[i]) rows.push(raw[r++]!);
      }
    }
    first[refs.length] = rows.length;
    // One small object per series (no closures, no views, no labels until asked for), sorted
    // by labels through the index's ids: a wide select over 100k series leaves little behind
    // on the JS heap, and what a streaming caller reads of it dies young.
    const order: number[] = [];
    for (let i = 0; i < refs.length; i++) if (first[i] !== first[i + 1] || head.offsets[i] !== head.offsets[i + 1]) order.push(i);
    // 100k series take ~100 ms to sort by labels: in runs, with turns of the event loop between.
    const sorted = await sortYielding(order, (a, b) => index.compareSeries(refs[a]!, refs[b]!), pause);
    const limit = hints?.limit !== undefined && hints.limit > 0 ? Math.min(hints.limit, sorted.length) : sorted.length;
    const read: SelectRead = { src: this.src, mint: this.mint, maxt: this.maxt, scratch: this.scratch, refs, rows, first, head, warnings, points };
    const series: TsdbSeries[] = new Array<TsdbSeries>(limit);
    for (let k = 0; k < limit; k++) series[k] = new TsdbSeries(read, sorted[k]!);
    return { series, warnings };
  }

  async labelNames(matchers?: readonly Matcher[]): Promise<string[]> {
    const { index } = this.src;
    const names = new Set<number>();
    if (!matchers || matchers.length === 0) {
      for (const [name, list] of index.namePostings) if (list.length > 0) names.add(name);
    } else {
      for (const ref of this.refs(matchers)) {
        const p = index.pairs(ref);
        for (let i = 0; i < p.length; i += 2) names.add(p[i]!);
      }
    }
    return [...names].map((id) => index.strings.get(id)).sort();
  }

  async labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]> {
    const { index } = this.src;
    const nameId = index.strings.lookup(name);
    if (nameId < 0) return [];
    const values = new Set<number>();
    if (!matchers || matchers.length === 0) {
      for (const id of index.postings.get(nameId)?.keys() ?? []) values.add(id);
    } else {
      for (const ref of this.refs(matchers)) {
        const v = index.valueId(ref, nameId);
        if (v >= 0) values.add(v);
      }
    }
    return [...values].map((id) => index.strings.get(id)).sort();
  }

  close(): void {}
}

/**
 * The one read of sealed chunks: rows [min_t, ref, encoding, count, data] of the series in a JSON
 * array (bound 1) overlapping [mint (bound 4), maxt (bound 3)], with bound 2 = mint − 2 h (a
 * chunk never spans its window), in key order: one range of the clustered key per series.
 */
function chunkRowsQuery(ro: Database.Database): Database.Statement {
  return ro
    .prepare(
      `SELECT min_t, series_ref AS ref, encoding, count, data FROM chunks
       WHERE series_ref IN (SELECT value FROM json_each(?)) AND min_t > ? AND min_t <= ? AND max_t >= ?
       ORDER BY series_ref, min_t`,
    )
    .raw(true);
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

/** compactInPlace for a series with histogram samples: `h` moves with its samples. */
function compactWithHistograms(t: Float64Array, v: Float64Array, h: (NativeHistogram | undefined)[], n: number, mint: number, maxt: number): SampleArrays {
  let k = 0;
  let last = -Infinity;
  const hs: (NativeHistogram | undefined)[] = [];
  for (let j = 0; j < n; j++) {
    const ts = t[j]!;
    if (ts <= last || ts < mint || ts > maxt) continue;
    t[k] = ts;
    v[k] = v[j]!;
    hs.push(h[j]);
    last = ts;
    k++;
  }
  return { t: t.subarray(0, k), v: v.subarray(0, k), h: hs };
}

/** Concatenates time-sorted parts within [mint, maxt], dropping samples not newer than the last kept. */
export function mergeParts(parts: readonly SampleArrays[], mint: number, maxt: number): SampleArrays {
  if (parts.length === 0) return { t: emptyF64, v: emptyF64 };
  let total = 0;
  for (const p of parts) total += p.t.length;
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  let k = 0;
  let last = -Infinity;
  for (const p of parts) {
    for (let j = 0; j < p.t.length; j++) {
      const ts = p.t[j]!;
      if (ts <= last || ts < mint || ts > maxt) continue;
      t[k] = ts;
      v[k] = p.v[j]!;
      last = ts;
      k++;
    }
  }
  return k === total ? { t, v } : { t: t.slice(0, k), v: v.slice(0, k) };
}
