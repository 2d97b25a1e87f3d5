/**
 * A step-aligned result cache for range queries (the idea of VictoriaMetrics' rollup result cache
 * and the Cortex/Thanos query-frontend): the answer of a query at a step and an alignment
 * (`start mod step`) is kept as one extent of steps; a later request for an overlapping range
 * evaluates only the steps the extent lacks (the new tail of a refreshing dashboard) and takes
 * the rest from the extent.
 *
 * Correct first: storage's write watermark (main/tsdb/write-watermark.ts) says the oldest
 * sample time written or deleted since the extent was computed, and every step at or after it is
 * dropped before use — a late sample, a backfill or a deletion cannot leave a stale step behind.
 * Steps within the freshness window (the last `freshMs`; the engine uses two scrape intervals,
 * at least 10 s) are never stored: they change with every scrape. Queries whose steps read data
 * after their own time (`@` modifiers, negative offsets) bypass the cache (see `cacheable`).
 * Bounded by bytes (least recently used extents go first); `bytes()` is shown on the Status page.
 * How it works, in prose: docs/query-frontend.md.
 */
import type { Expr } from '../../app/promql/ast.js';
import type { NativeHistogram, WriteWatermarkReader } from '../tsdb/interface.js';
import { compareLabels, labelsKey, type Labels } from '../tsdb/labels.js';

/** One series of a range answer: points at `t` (a subset of the step grid). */
interface RangeSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly h?: (NativeHistogram | undefined)[];
}

/** What evaluating a step-aligned range gives (a piece of the answer). */
export interface RangePiece<S> {
  readonly series: readonly RangeSeries[];
  readonly warnings: readonly string[];
  readonly infos: readonly string[];
  /** Evaluation statistics; summed over the pieces a request evaluated. */
  readonly stats: S;
}

export interface RangeCacheOptions {
  /** Upper bound of the bytes held (estimated); default 64 MiB. 0 disables the cache. */
  readonly maxBytes?: number;
  /** The window before now never stored, ms; default 5 min (the engine passes two scrape intervals). */
  readonly freshMs?: () => number;
  readonly now?: () => number;
}

interface CachedSeries {
  readonly labels: Labels;
  /** Values per step of the extent; `has` says which steps have a point. */
  readonly v: Float64Array;
  readonly has: Uint8Array;
  readonly h: (NativeHistogram | undefined)[] | null;
}

/** Steps `start`, `start + step`, …, `end` of one query; never mutated once stored. */
interface Extent {
  readonly start: number;
  /** Last step held (≥ start). */
  readonly end: number;
  readonly step: number;
  /** Storage generation the data is known valid at. */
  readonly gen: number;
  readonly series: ReadonlyMap<string, CachedSeries>;
  readonly warnings: readonly string[];
  readonly infos: readonly string[];
  readonly bytes: number;
}

export interface RangeCacheCounters {
  /** Requests answered at least partly from an extent. */
  hits: number;
  /** Requests evaluated in full (no usable extent). */
  misses: number;
  /** Requests that could not use the cache (`@`, negative offset, no watermark). */
  bypassed: number;
  /** Steps taken from extents / evaluated, over all cached requests. */
  stepsFromCache: number;
  stepsEvaluated: number;
  /** Extents dropped for room. */
  evictions: number;
}

/**
 * Whether every step of `expr` reads only data at or before its own time, and the same data
 * whatever the range's start and end: false for `@` (fixed or start()/end()) and negative offsets.
 */
export function cacheable(expr: Expr): boolean {
  switch (expr.type) {
    case 'vector':
      return expr.at === null && expr.offset >= 0;
    case 'matrix':
      return cacheable(expr.vector);
    case 'subquery':
      return expr.at === null && expr.offset >= 0 && cacheable(expr.expr);
    case 'aggregate':
      return cacheable(expr.expr) && (expr.param === null || cacheable(expr.param));
    case 'binary':
      return cacheable(expr.lhs) && cacheable(expr.rhs);
    case 'call':
      return expr.args.every(cacheable);
    case 'paren':
    case 'unary':
      return cacheable(expr.expr);
    case 'number':
    case 'string':
      return true;
  }
}

const defaultMaxBytes = 64 * 1024 * 1024;
const defaultFreshMs = 5 * 60_000;

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function histogramBytes(h: NativeHistogram): number {
  return 96 + 24 * (h.positive.length + h.negative.length) + 8 * h.customValues.length;
}

export class RangeResultCache {
  private readonly entries = new Map<string, Extent>();
  /** The statistics of the last evaluation per key (bounded), for answers taken wholly from the cache. */
  private readonly lastStats = new Map<string, unknown>();
  private held = 0;
  readonly counters: RangeCacheCounters = { hits: 0, misses: 0, bypassed: 0, stepsFromCache: 0, stepsEvaluated: 0, evictions: 0 };
  private readonly maxBytes: number;
  /** The bound in force: `maxBytes`, or less while the memory budget is under pressure. */
  private limit: number;
  private readonly freshMs: () => number;
  private readonly now: () => number;

  constructor(
    private readonly writes: WriteWatermarkReader | undefined,
    opts: RangeCacheOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? defaultMaxBytes;
    this.limit = this.maxBytes;
    this.freshMs = opts.freshMs ?? (() => defaultFreshMs);
    this.now = opts.now ?? Date.now;
  }

  /** Estimated bytes held by the extents. */
  bytes(): number {
    return this.held;
  }

  /** Number of extents held. */
  size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  /**
   * Bounds the cache at `fraction` of its configured size, evicting the oldest extents down to it
   * (memory pressure, main/memory/budget.ts); 1 restores the configured size, 0 empties it.
   */
  sizeTo(fraction: number): void {
    this.limit = Math.max(0, Math.min(1, fraction)) * this.maxBytes;
    this.evict();
  }

  private evict(): void {
    for (const [k, e] of this.entries) {
      if (this.held <= this.limit) break;
      this.entries.delete(k);
      this.held -= e.bytes;
      this.counters.evictions++;
    }
  }

  /**
   * Answers `[start, end]` at `step` for `query` (a key: same text, same answer): steps the
   * cache holds come from it, the others from `evaluate` (called with step-aligned sub-ranges,
   * at most two: before and after the held extent). `usable` false (see `cacheable`) evaluates
   * the whole range and keeps nothing. `stats.sum` adds the statistics of two pieces;
   * `stats.none` is what an answer taken wholly from the cache reports.
   */
  async rangeQuery<S>(
    query: string,
    usable: boolean,
    start: number,
    end: number,
    step: number,
    evaluate: (start: number, end: number) => Promise<RangePiece<S>>,
    stats: { sum: (a: S, b: S) => S; none: S },
  ): Promise<RangePiece<S>> {
    const writes = this.writes;
    if (!usable || writes === undefined || this.limit <= 0 || !(step > 0) || end < start) {
      this.counters.bypassed++;
      return evaluate(start, end);
    }
    const key = `${step}|${mod(start, step)}|${query}`;
    // The generation before anything is read: writes after it invalidate what this request stores.
    const gen = writes.generation();
    const held = this.validExtent(key, writes, gen);
    const n = Math.floor((end - start) / step) + 1;
    end = start + (n - 1) * step;
    // The held steps within the request, if any.
    const lo = held ? Math.max(start, held.start) : 0;
    const hi = held ? Math.min(end, held.end) : -1;
    const pieces: Array<{ start: number; end: number }> = [];
    if (held && lo <= hi) {
      if (start < lo) pieces.push({ start, end: lo - step });
      if (hi < end) pieces.push({ start: hi + step, end });
      this.counters.hits++;
      this.counters.stepsFromCache += (hi - lo) / step + 1;
    } else {
      pieces.push({ start, end });
      this.counters.misses++;
    }
    const answers = await Promise.all(pieces.map((p) => evaluate(p.start, p.end)));
    for (const p of pieces) this.counters.stepsEvaluated += (p.end - p.start) / step + 1;

    // Assemble the steps of [start, end]: held ones first, then each evaluated piece.
    const cols = new Map<string, { labels: Labels; v: Float64Array; has: Uint8Array; h: (NativeHistogram | undefined)[] | null }>();
    const column = (k: string, labels: Labels, withH: boolean) => {
      let c = cols.get(k);
      if (!c) {
        c = { labels, v: new Float64Array(n), has: new Uint8Array(n), h: null };
        cols.set(k, c);
      }
      if (withH && c.h === null) c.h = new Array<NativeHistogram | undefined>(n);
      return c;
    };
    if (held && lo <= hi) {
      const from = (lo - held.start) / step;
      const to = (hi - held.start) / step;
      const at = (lo - start) / step;
      for (const [k, s] of held.series) {
        let any = false;
        for (let i = from; i <= to; i++) if (s.has[i]) any = true;
        if (!any) continue;
        const c = column(k, s.labels, s.h !== null);
        for (let i = from; i <= to; i++) {
          if (!s.has[i]) continue;
          c.has[at + i - from] = 1;
          c.v[at + i - from] = s.v[i]!;
          if (s.h && c.h) c.h[at + i - from] = s.h[i];
        }
      }
    }
    for (const a of answers) {
      for (const s of a.series) {
        const c = column(labelsKey(s.labels), s.labels, s.h !== undefined);
        for (let i = 0; i < s.t.length; i++) {
          const idx = Math.round((s.t[i]! - start) / step);
          if (idx < 0 || idx >= n) continue;
          c.has[idx] = 1;
          c.v[idx] = s.v[i]!;
          if (s.h && c.h) c.h[idx] = s.h[i];
        }
      }
    }
    const warnings = new Set<string>(answers.flatMap((a) => a.warnings));
    const infos = new Set<string>(answers.flatMap((a) => a.infos));
    if (held && lo <= hi) {
      for (const w of held.warnings) warnings.add(w);
      for (const i of held.infos) infos.add(i);
    }
    this.store(key, { start, end, step, gen, n }, cols, { warnings: [...warnings], infos: [...infos] });

    const series: RangeSeries[] = [];
    for (const c of cols.values()) {
      let k = 0;
      for (let i = 0; i < n; i++) k += c.has[i]!;
      if (k === 0) continue;
      const t = new Float64Array(k);
      const v = new Float64Array(k);
      const h = c.h ? new Array<NativeHistogram | undefined>(k) : undefined;
      k = 0;
      for (let i = 0; i < n; i++) {
        if (!c.has[i]) continue;
        t[k] = start + i * step;
        v[k] = c.v[i]!;
        if (h) h[k] = c.h![i];
        k++;
      }
      series.push(h ? { labels: c.labels, t, v, h } : { labels: c.labels, t, v });
    }
    series.sort((a, b) => compareLabels(a.labels, b.labels));
    // An answer wholly from the cache reports the statistics of the last evaluation of this key
    // (Explore's Explain tree shows them), not an empty tree.
    let summed = answers.map((a) => a.stats).reduce(stats.sum, stats.none);
    if (answers.length > 0) {
      this.lastStats.delete(key);
      this.lastStats.set(key, summed);
      if (this.lastStats.size > 1024) this.lastStats.delete(this.lastStats.keys().next().value!);
    } else summed = (this.lastStats.get(key) as S | undefined) ?? summed;
    return { series, warnings: [...warnings], infos: [...infos], stats: summed };
  }

  /** The extent for `key` without the steps storage changed under since it was computed. */
  private validExtent(key: string, writes: WriteWatermarkReader, gen: number): Extent | null {
    const e = this.entries.get(key);
    if (!e) return null;
    // Least recently used goes first: a use moves the key to the end.
    this.entries.delete(key);
    const changed = writes.minWrittenSince(e.gen);
    // Steps at or after the oldest changed sample time may read it: keep the ones before.
    const end = changed > e.end ? e.end : e.start + (Math.ceil((changed - e.start) / e.step) - 1) * e.step;
    if (!(end >= e.start)) {
      this.held -= e.bytes;
      return null;
    }
    const valid: Extent = end === e.end ? { ...e, gen } : { ...e, end, gen };
    this.entries.set(key, valid);
    return valid;
  }

  private store(
    key: string,
    at: { start: number; end: number; step: number; gen: number; n: number },
    cols: ReadonlyMap<string, { labels: Labels; v: Float64Array; has: Uint8Array; h: (NativeHistogram | undefined)[] | null }>,
    notes: { warnings: string[]; infos: string[] },
  ): void {
    const { start, end, step, gen, n } = at;
    const horizon = this.now() - this.freshMs();
    let last = Math.min(end, horizon);
    last = start + Math.floor((last - start) / step) * step;
    const old = this.entries.get(key);
    if (last < start) return; // nothing old enough to keep; a held extent stays as it is
    const m = (last - start) / step + 1;
    const series = new Map<string, CachedSeries>();
    let bytes = 200 + key.length * 2;
    for (const [k, c] of cols) {
      let any = false;
      for (let i = 0; i < m; i++) if (c.has[i]) any = true;
      if (!any) continue;
      const v = m === n ? c.v : c.v.slice(0, m);
      const has = m === n ? c.has : c.has.slice(0, m);
      const h = c.h ? (m === n ? c.h : c.h.slice(0, m)) : null;
      series.set(k, { labels: c.labels, v, has, h });
      bytes += 64 + k.length * 2 + m * 9;
      if (h) for (let i = 0; i < m; i++) bytes += h[i] ? histogramBytes(h[i]!) : 8;
    }
    if (bytes > this.limit / 4) return; // one answer must not flush everything else
    if (old) {
      this.entries.delete(key);
      this.held -= old.bytes;
    }
    const extent: Extent = {
      start,
      end: last,
      step,
      gen,
      series,
      warnings: notes.warnings,
      infos: notes.infos,
      bytes,
    };
    this.entries.set(key, extent);
    this.held += bytes;
    this.evict();
  }
}
