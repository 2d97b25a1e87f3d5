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
import { StaleNaN, type LookbackPoints, type Matcher, type NativeHistogram, type Querier, type SampleArrays, type SelectHints, type SeriesSet, type ReducedGroup, type StepCounting, type StepKernel, type StepRead, type StepSeriesSet, type StoredSeries } from './interface.js';
import { thinInto, thinnedBound } from './lookback.js';
import { formatLabels, metricNameLabel, type Labels } from './labels.js';
import type { SeriesIndex } from './index-series.js';
import { selectRefs } from './matchers.js';
import type { HeadRead } from './worker-protocol.js';
import { assembleSeries, ChunkRows, Scratch, type RawChunkRow } from './chunk-rows.js';
import type { QueryPool } from './query-pool.js';
import type { StepTask, StepTaskResult } from './query-worker-core.js';
import { EventLoopTurns } from '../util/event-loop-turns.js';
import { sortYielding } from '../util/sort-yielding.js';

export interface QuerySource {
  readonly index: SeriesIndex;
  readonly ro: Database.Database;
  readHead(refs: Uint32Array, mint: number, maxt: number, points?: LookbackPoints): Promise<HeadRead>;
  /** A chunk (key: series ref and min_t) failed to decode: count it and move it to quarantine. */
  badChunk(ref: number, minT: number, reason: string): void;
  /** Query workers for `selectSteps`; null: none (it resolves null and callers select). */
  readonly pool: QueryPool | null;
}

const emptyF64 = new Float64Array(0);
/** Series per chunk read in a wide select (one SQLite statement each, ~5 ms for 1,024 series). */
const selectBatch = 1024;

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
    const m = assembleSeries(rows, from, to, head.t, head.v, hFrom, hTo, mint, maxt, t, v, (row, e) => {
      warnings.push(`skipped a damaged chunk of series ${formatLabels(this.labels)} (${e.kind}: ${e.message}); it was quarantined`);
      src.badChunk(refs[i]!, row[0], `${e.kind}: ${e.message}`);
    });
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

/** One series of a `selectSteps`: views into its task's step columns. */
class StepSlice implements StepRead {
  constructor(
    private readonly index: SeriesIndex,
    private readonly ref: number,
    readonly loaded: number,
    readonly steps: number,
    readonly v: Float64Array | null,
    readonly has: Uint8Array | null,
  ) {}

  get labels(): Labels {
    return this.index.labels(this.ref);
  }
}

export class TsdbQuerier implements Querier {
  private readonly chunkRows: ChunkRows;
  private readonly scratch = new Scratch();

  constructor(
    private readonly src: QuerySource,
    private readonly mint: number,
    private readonly maxt: number,
  ) {
    this.chunkRows = new ChunkRows(src.ro);
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
      const raw = this.chunkRows.read(batch, this.mint, this.maxt);
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

  /**
   * The kernel over every series `select` would return, run by the query workers on slices of
   * the series in label order; the step columns come back and are handed out in that order.
   */
  async selectSteps(matchers: readonly Matcher[], hints: SelectHints, kernel: StepKernel): Promise<StepSeriesSet | null> {
    const pool = this.src.pool;
    if (pool === null) return null;
    const { index } = this.src;
    const { mint, maxt } = this;
    const warnings: string[] = [];
    const refs = this.refs(matchers);
    if (refs.length === 0 || maxt < mint) return { series: [], warnings };
    const signal = hints.signal;
    const turns = new EventLoopTurns();
    const pause = async (): Promise<void> => {
      if (await turns.pause()) signal?.throwIfAborted();
    };
    // Label order first, so the head read and the tasks are in the order answers are wanted.
    const order = await sortYielding(Array.from(refs), (a, b) => index.compareSeries(a, b), pause);
    const sorted = Uint32Array.from(order);
    // The head is read by the storage worker while this thread groups the series.
    const reading = this.src.readHead(sorted, mint, maxt, kernel.kind === 'instant' ? { times: kernel.times, delta: kernel.lookback } : undefined);
    reading.catch(() => {}); // awaited below, unless grouping is aborted first
    const counting = kernel.kind === 'instant' ? kernel.count : undefined;
    const grouping = counting ?? kernel.reduce;
    const grouped = grouping ? await groupsOf(index, sorted, grouping, pause) : null;
    const head = await reading;
    signal?.throwIfAborted();
    if (head.h !== undefined && head.h.some((x) => x !== undefined)) return null;
    // Slices small enough that an abort waits for little, big enough to keep both cores busy.
    const per = Math.max(64, Math.min(512, Math.ceil(sorted.length / (pool.size * 4))));
    // Reducing needs whole groups per task (members in label order): worth it with enough
    // groups to share out; else every series' steps come back and the caller reduces.
    const reduce = kernel.reduce && grouped && grouped.labels.length >= pool.size * 2 ? kernel.reduce : undefined;
    const slices = reduce ? groupSlices(grouped!.of, grouped!.labels.length, per) : refSlices(sorted, per);
    const jobs: Promise<StepTaskResult>[] = [];
    for (const { pos, groups } of slices) {
      const refsOf = new Uint32Array(pos.length);
      const headOffsets = new Uint32Array(pos.length + 1);
      let h = 0;
      for (let i = 0; i < pos.length; i++) {
        refsOf[i] = sorted[pos[i]!]!;
        headOffsets[i] = h;
        h += head.offsets[pos[i]! + 1]! - head.offsets[pos[i]!]!;
      }
      headOffsets[pos.length] = h;
      const headT = new Float64Array(h);
      const headV = new Float64Array(h);
      for (let i = 0; i < pos.length; i++) {
        for (let j = head.offsets[pos[i]!]!, o = headOffsets[i]!; j < head.offsets[pos[i]! + 1]!; j++, o++) {
          headT[o] = head.t[j]!;
          headV[o] = head.v[j]!;
        }
      }
      const task: StepTask = {
        refs: refsOf,
        mint,
        maxt,
        kernel,
        headOffsets,
        headT,
        headV,
        ...(counting ? { groupOf: Int32Array.from(pos, (p) => grouped!.of[p]!) } : {}),
        ...(reduce ? { reduce: { op: reduce.op, groupOf: localGroups(pos, grouped!.of, groups!), groups: groups!.length } } : {}),
      };
      jobs.push(pool.run(task, signal));
    }
    // Every job settles (an abort rejects the queued ones), so none is left unhandled.
    const results = await Promise.allSettled(jobs);
    signal?.throwIfAborted();
    const n = kernel.kind === 'instant' ? kernel.times.length : kernel.ends.length;
    const bySorted: (StepSlice | undefined)[] = new Array<StepSlice | undefined>(sorted.length);
    const counts: (Float64Array | undefined)[] = [];
    const columns: (ReducedGroup | undefined)[] = [];
    for (const [j, settled] of results.entries()) {
      if (settled.status === 'rejected') throw settled.reason;
      const r = settled.value;
      if (r.histograms) return null;
      const { pos, groups } = slices[j]!;
      for (const bad of r.bad) {
        warnings.push(`skipped a damaged chunk of series ${formatLabels(index.labels(bad.ref))} (${bad.reason}); it was quarantined`);
        this.src.badChunk(bad.ref, bad.minT, bad.reason);
      }
      if (counting && r.groups && r.counts) {
        // Integer counts: the sum is the same in any order.
        for (let l = 0; l < r.groups.length; l++) {
          const into = (counts[r.groups[l]!] ??= new Float64Array(n));
          for (let i = 0, o = l * n; i < n; i++, o++) into[i]! += r.counts[o]!;
        }
      }
      if (reduce && groups) {
        for (let l = 0; l < groups.length; l++) {
          columns[groups[l]!] = { labels: grouped!.labels[groups[l]!]!, v: r.v.subarray(l * n, (l + 1) * n), c: r.c ? r.c.subarray(l * n, (l + 1) * n) : null, has: r.has.subarray(l * n, (l + 1) * n) };
        }
      }
      for (let i = 0; i < pos.length; i++) {
        if (!r.present[i]) continue;
        const on = !counting && !reduce && r.steps[i]! > 0;
        bySorted[pos[i]!] = new StepSlice(index, sorted[pos[i]!]!, r.loaded[i]!, r.steps[i]!, on ? r.v.subarray(i * n, (i + 1) * n) : null, on ? r.has.subarray(i * n, (i + 1) * n) : null);
      }
    }
    // Series in label order; a group takes its place in the answer where its first series with
    // a value comes, as in the streaming aggregation.
    const series: StepRead[] = [];
    const groupOrder: number[] = [];
    const placed = new Uint8Array(grouped?.labels.length ?? 0);
    for (let p = 0; p < sorted.length; p++) {
      const s = bySorted[p];
      if (s === undefined) continue;
      series.push(s);
      if (grouped && s.steps > 0 && !placed[grouped.of[p]!]) {
        placed[grouped.of[p]!] = 1;
        groupOrder.push(grouped.of[p]!);
      }
    }
    if (counting) return { series, groups: groupOrder.map((g) => ({ labels: grouped!.labels[g]!, counts: counts[g]! })), warnings };
    if (reduce) return { series, reduced: groupOrder.map((g) => columns[g]!), warnings };
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

/** Each series' group for counting (numbered as first met in `refs`' order) and each group's labels. */
async function groupsOf(index: SeriesIndex, refs: Uint32Array, c: StepCounting, pause: () => Promise<void>): Promise<{ of: Int32Array; labels: Labels[] }> {
  const names = new Set(c.names);
  const keeps = c.without ? (name: string): boolean => !names.has(name) && name !== metricNameLabel : (name: string): boolean => names.has(name);
  // Keyed by the index's string ids of the kept pairs (one id per string, so the same groups as
  // by names and values): labels are built for each group's first series only.
  const kept = new Map<number, boolean>();
  const ids = new Map<string, number>();
  const of = new Int32Array(refs.length);
  const labels: Labels[] = [];
  for (let i = 0; i < refs.length; i++) {
    if ((i & 255) === 255) await pause();
    const p = index.pairs(refs[i]!);
    let key = '';
    for (let j = 0; j < p.length; j += 2) {
      let keep = kept.get(p[j]!);
      if (keep === undefined) kept.set(p[j]!, (keep = keeps(index.strings.get(p[j]!))));
      if (keep) key += `${p[j]!},${p[j + 1]!};`;
    }
    let g = ids.get(key);
    if (g === undefined) {
      g = labels.length;
      ids.set(key, g);
      labels.push(index.labels(refs[i]!).filter((l) => keeps(l.name)));
    }
    of[i] = g;
  }
  return { of, labels };
}

/**
 * Tasks of series with consecutive refs (positions in `sorted`, by ref): a task's rows are then
 * one range scan (chunk-rows.ts). Any order will do where each series' steps or counts come back
 * on their own; answers are put in label order by position.
 */
function refSlices(sorted: Uint32Array, per: number): { pos: Uint32Array; groups?: number[] }[] {
  const byRef = Uint32Array.from(sorted.keys()).sort((a, b) => sorted[a]! - sorted[b]!);
  const out: { pos: Uint32Array }[] = [];
  for (let b = 0; b < byRef.length; b += per) out.push({ pos: byRef.slice(b, b + per) });
  return out;
}

/** Tasks of whole groups (each group's members in label order), about `per` series each. */
function groupSlices(of: Int32Array, groups: number, per: number): { pos: Uint32Array; groups: number[] }[] {
  const members: number[][] = Array.from({ length: groups }, () => []);
  for (let p = 0; p < of.length; p++) members[of[p]!]!.push(p);
  const out: { pos: Uint32Array; groups: number[] }[] = [];
  let pos: number[] = [];
  let gs: number[] = [];
  for (let g = 0; g < groups; g++) {
    pos.push(...members[g]!);
    gs.push(g);
    if (pos.length >= per) {
      out.push({ pos: Uint32Array.from(pos), groups: gs });
      pos = [];
      gs = [];
    }
  }
  if (gs.length > 0) out.push({ pos: Uint32Array.from(pos), groups: gs });
  return out;
}

/** Each series' group numbered within its task (`groups`: the task's groups by select-wide number). */
function localGroups(pos: Uint32Array, of: Int32Array, groups: readonly number[]): Int32Array {
  const local = new Map(groups.map((g, l) => [g, l]));
  return Int32Array.from(pos, (p) => local.get(of[p]!)!);
}
