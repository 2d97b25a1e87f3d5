/**
 * Reads: matchers → refs on the index, then the head through the worker and the sealed chunks
 * with ONE SQLite query per select. Head first, SQLite second: a chunk sealed in between is then
 * seen twice (head copy and chunk), never zero times, and the merge drops the repeat.
 * Samples are decoded lazily, on the first `samples()` call of each series.
 */
import type Database from 'better-sqlite3';
import { decodeChunkInto, decodeHistogramChunk, isHistogramEncoding } from './chunkenc/chunk.js';
import { StaleNaN, type Matcher, type NativeHistogram, type Querier, type SampleArrays, type SelectHints, type SeriesSet, type StoredSeries } from './interface.js';
import { compareLabels, formatLabels, type Labels } from './labels.js';
import type { SeriesIndex } from './index-series.js';
import { selectRefs } from './matchers.js';
import type { HeadRead } from './worker-protocol.js';
import { chunkWindowMs } from './store-schema.js';
import { EventLoopTurns } from '../util/event-loop-turns.js';
import { sortYielding } from '../util/sort-yielding.js';

export interface QuerySource {
  readonly index: SeriesIndex;
  readonly ro: Database.Database;
  readHead(refs: Uint32Array, mint: number, maxt: number): Promise<HeadRead>;
  /** A chunk failed to decode: count it and move it to quarantine. */
  badChunk(chunkId: number, ref: number, reason: string): void;
}

type RawChunkRow = [id: number, ref: number, encoding: number, count: number, data: Uint8Array];

interface ChunkRow {
  id: number;
  ref: number;
  encoding: number;
  count: number;
  data: Uint8Array;
}

const emptyF64 = new Float64Array(0);
/** Series per chunk read in a wide select (one SQLite statement each, ~5 ms for 1,024 series). */
const selectBatch = 1024;

export class TsdbQuerier implements Querier {
  private readonly chunkQuery: Database.Statement;

  constructor(
    private readonly src: QuerySource,
    private readonly mint: number,
    private readonly maxt: number,
  ) {
    this.chunkQuery = src.ro.prepare(
      `SELECT id, series_ref AS ref, encoding, count, data FROM chunks
       WHERE series_ref IN (SELECT value FROM json_each(?)) AND min_t > ? AND min_t <= ? AND max_t >= ?
       ORDER BY series_ref, min_t`,
    ).raw(true);
  }

  /** Matching refs without holes (refs lost to a salvaged, damaged file). */
  private refs(matchers: readonly Matcher[]): Uint32Array {
    const refs = selectRefs(this.src.index, matchers);
    return refs.filter((r) => this.src.index.pairs(r).length > 0);
  }

  async select(matchers: readonly Matcher[], hints?: SelectHints): Promise<SeriesSet> {
    const { index } = this.src;
    const refs = this.refs(matchers);
    const warnings: string[] = [];
    if (refs.length === 0 || this.maxt < this.mint) return { series: [], warnings };
    const head = await this.src.readHead(refs, this.mint, this.maxt);
    hints?.signal?.throwIfAborted();
    // Raw rows (arrays, not objects): 60k chunk rows for a wide query are cheaper this way. Read
    // in batches of series, yielding between them, so a wide select never blocks the event loop
    // for long and a cancelled query stops reading.
    const byRef = new Map<number, ChunkRow[]>();
    const turns = new EventLoopTurns();
    const pause = async (): Promise<void> => {
      if (await turns.pause()) hints?.signal?.throwIfAborted();
    };
    for (let b = 0; b < refs.length; b += selectBatch) {
      await pause();
      const batch = refs.subarray(b, b + selectBatch);
      const raw = this.chunkQuery.all(JSON.stringify(Array.from(batch)), this.mint - chunkWindowMs, this.maxt, this.mint) as unknown as RawChunkRow[];
      for (const [id, ref, encoding, count, data] of raw) {
        const r: ChunkRow = { id, ref, encoding, count, data };
        const list = byRef.get(ref);
        if (list) list.push(r);
        else byRef.set(ref, [r]);
      }
    }
    const out: { labels: Labels; s: StoredSeries }[] = [];
    for (let i = 0; i < refs.length; i++) {
      if ((i & 255) === 255) await pause();
      const ref = refs[i]!;
      const chunks = byRef.get(ref) ?? [];
      const ht = head.t.subarray(head.offsets[i]!, head.offsets[i + 1]!);
      const hv = head.v.subarray(head.offsets[i]!, head.offsets[i + 1]!);
      if (chunks.length === 0 && ht.length === 0) continue;
      const labels = index.labels(ref);
      const hh = head.h?.slice(head.offsets[i]!, head.offsets[i + 1]!);
      out.push({ labels, s: this.series(ref, labels, chunks, ht, hv, warnings, hh) });
    }
    // 100k series take ~100 ms to sort by labels: in runs, with turns of the event loop between.
    const sorted = await sortYielding(out, (a, b) => compareLabels(a.labels, b.labels), pause);
    const limited = hints?.limit !== undefined && hints.limit > 0 ? sorted.slice(0, hints.limit) : sorted;
    return { series: limited.map((x) => x.s), warnings };
  }

  private series(ref: number, labels: Labels, chunks: ChunkRow[], ht: Float64Array, hv: Float64Array, warnings: string[], hh?: (NativeHistogram | undefined)[]): StoredSeries {
    let cached: SampleArrays | null = null;
    const { mint, maxt, src } = this;
    return {
      labels,
      samples(): SampleArrays {
        if (cached) return cached;
        // One allocation per series: chunks decode end to end into it, then the head's samples.
        let total = ht.length;
        for (const c of chunks) total += c.count;
        const t = new Float64Array(total);
        const v = new Float64Array(total);
        // Histogram samples, parallel to t (only when the series has any).
        let h: (NativeHistogram | undefined)[] | undefined;
        let k = 0;
        for (const c of chunks) {
          if (isHistogramEncoding(c.encoding)) {
            const d = decodeHistogramChunk(c.encoding, c.data);
            if (d.error) {
              warnings.push(`skipped a damaged chunk of series ${formatLabels(labels)} (${d.error.kind}: ${d.error.message}); it was quarantined`);
              src.badChunk(c.id, ref, `${d.error.kind}: ${d.error.message}`);
              continue;
            }
            h ??= [];
            const n = Math.min(d.t.length, total - k);
            for (let j = 0; j < n; j++, k++) {
              t[k] = d.t[j]!;
              const x = d.h[j]!;
              v[k] = x === null ? StaleNaN : 0;
              h[k] = x ?? undefined;
            }
            continue;
          }
          const d = decodeChunkInto(c.encoding, c.data, t, v, k);
          if (d.error) {
            // Skipped whole: the chunk goes to quarantine, and a query must not see it change.
            warnings.push(`skipped a damaged chunk of series ${formatLabels(labels)} (${d.error.kind}: ${d.error.message}); it was quarantined`);
            src.badChunk(c.id, ref, `${d.error.kind}: ${d.error.message}`);
            continue;
          }
          k += d.n;
        }
        t.set(ht, k);
        v.set(hv, k);
        if (hh !== undefined) {
          h ??= [];
          for (let j = 0; j < hh.length; j++) if (hh[j] !== undefined) h[k + j] = hh[j];
        }
        k += ht.length;
        cached = h === undefined ? compactInPlace(t, v, k, mint, maxt) : compactWithHistograms(t, v, h, k, mint, maxt);
        return cached;
      },
    };
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
 * Keeps samples within [mint, maxt] that are newer than the last kept (a head copy of a just
 * sealed chunk repeats its samples), moving them to the front; returns views, no copy.
 */
function compactInPlace(t: Float64Array, v: Float64Array, n: number, mint: number, maxt: number): SampleArrays {
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
  return k === t.length ? { t, v } : { t: t.subarray(0, k), v: v.subarray(0, k) };
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
