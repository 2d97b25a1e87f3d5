/**
 * The PromQL engine: options and limits, instant and range queries over any Queryable, and the
 * conversion of evaluated columns into API results. Evaluation itself lives in evaluator.ts.
 */
import type { Expr, PosRange } from '../../app/promql/ast.js';
import { resolveDurations } from '../../app/promql/durations.js';
import { parseExpr, PromQLParseError } from '../../app/promql/parser.js';
import type { NativeHistogram, Queryable } from '../tsdb/interface.js';
import type { Labels } from '../tsdb/labels.js';
import { compareLabels, labelsKey, metricNameLabel } from '../tsdb/labels.js';
import {
  HistogramNotSupportedError,
  PromQLError,
  QueryCanceledError,
  QueryExecutionError,
  QueryMemoryLimitError,
  QueryTimeoutError,
  TooManyConcurrentQueriesError,
  TooManyPointsError,
} from './errors.js';
import { Evaluator } from './evaluator.js';
import { extendedWindow, extendedWindowPoints } from './extended-range.js';
import { statsSelectors } from './histogram-stats.js';
import type { EvalValue, HistogramColumn, Matrix, QueryResultValue, Sample, SeriesPoints } from './value.js';


export interface EngineOptions {
  /** How far back an instant selector looks for a sample (ms). */
  readonly lookbackDelta: number;
  /** Samples one query may hold at once (Prometheus' --query.max-samples). */
  readonly maxSamples: number;
  /** Bytes one query's loaded and intermediate values may hold at once (--query.max-memory). */
  readonly maxQueryBytes: number;
  readonly timeoutMs: number;
  readonly maxPointsPerSeries: number;
  /** Queries beyond this many wait for a slot (Prometheus' --query.max-concurrency). */
  readonly maxConcurrent: number;
  /** Queries beyond this many waiting are refused at once (503), not queued. */
  readonly maxQueued: number;
  /**
   * Queries estimated at no more samples than this (an `up`, a single series) skip the queue in
   * a lane of their own, as many as maxConcurrent at once: they cost little and must answer
   * while heavy queries hold every slot.
   */
  readonly cheapSamples: number;
  /** Step of subqueries written without one (`[1h:]`), ms. */
  readonly defaultSubqueryStep: number;
  /** Text → AST for queries passed as strings; default: app/promql's parseExpr (no experimental functions). */
  readonly parse: (query: string) => Expr;
}

/**
 * Laptop-safe limits (docs/reliability.md, "Query and server limits"). Prometheus' defaults are
 * 50,000,000 samples and 20 concurrent queries, sized for a server; here a few heavy dashboard
 * queries must not take the memory the scrapes and the desktop need.
 */
const defaultEngineOptions: EngineOptions = {
  lookbackDelta: 5 * 60_000,
  maxSamples: 10_000_000,
  maxQueryBytes: 256 * 1024 * 1024,
  timeoutMs: 120_000,
  maxPointsPerSeries: 11_000,
  maxConcurrent: 4,
  maxQueued: 100,
  cheapSamples: 100_000,
  defaultSubqueryStep: 60_000,
  parse: (query) => parseExpr(query),
};

/**
 * Who waits for a query slot first: the UI's own queries and rule evaluation ('interactive')
 * before queries from outside through Prometheus' API ('bulk'); within a class, cheaper first.
 */
export type QueryPriority = 'interactive' | 'bulk';

/** Admission figures for /metrics. */
export interface AdmissionStats {
  readonly running: number;
  readonly queued: Readonly<Record<QueryPriority, number>>;
  readonly maxConcurrent: number;
  /** Queries that ended in a limit, by reason (too_many_samples, timeout, queue_full, …). */
  readonly refused: Readonly<Record<string, number>>;
}

interface NodeStats {
  readonly pos: PosRange;
  readonly type: string;
  readonly ms: number;
  readonly series: number;
  readonly samples: number;
  readonly example: Labels | null;
}

interface QueryStats {
  readonly seriesTouched: number;
  readonly samplesTouched: number;
  readonly peakSamples: number;
  /** Time per AST node, keyed by `start-end` of the node's position. */
  readonly nodes: Readonly<Record<string, NodeStats>>;
  readonly totalMs: number;
}

export interface QueryResult {
  readonly result: QueryResultValue;
  readonly warnings: string[];
  readonly infos: string[];
  readonly stats: QueryStats;
}

export interface QueryCallOptions {
  readonly signal?: AbortSignal;
  /** This query's evaluation timeout, capped by the engine's (Prometheus' `timeout` parameter). */
  readonly timeoutMs?: number;
  /** Default 'interactive'; Prometheus' API from outside passes 'bulk'. */
  readonly priority?: QueryPriority;
  /** Estimated samples, to let cheap queries of a class pass heavy ones in the queue. */
  readonly cost?: number;
}

interface Waiter {
  readonly rank: number;
  readonly cost: number;
  readonly seq: number;
  readonly priority: QueryPriority;
  readonly go: () => void;
}

const rankOf: Record<QueryPriority, number> = { interactive: 0, bulk: 1 };

export class PromQLEngine {
  readonly options: EngineOptions;
  private running = 0;
  /** Cheap queries running in their own lane (not counted in `running`). */
  private light = 0;
  private seq = 0;
  private readonly waiting: Waiter[] = [];
  private readonly refused: Record<string, number> = {};
  /** Aborted by close(): every running and queued query ends. */
  private readonly closing = new AbortController();

  constructor(options: Partial<EngineOptions> = {}) {
    this.options = { ...defaultEngineOptions, ...options };
  }

  instantQuery(queryable: Queryable, query: Expr | string, timeMs: number, opts: QueryCallOptions = {}): Promise<QueryResult> {
    return this.run(queryable, query, timeMs, timeMs, 0, false, opts);
  }

  async rangeQuery(queryable: Queryable, query: Expr | string, startMs: number, endMs: number, stepMs: number, opts: QueryCallOptions = {}): Promise<QueryResult> {
    if (!(stepMs > 0)) throw new QueryExecutionError('zero or negative query resolution step widths are not accepted. Try a positive integer');
    if (endMs < startMs) throw new QueryExecutionError('end timestamp must not be before start time');
    if ((endMs - startMs) / stepMs + 1 > this.options.maxPointsPerSeries) throw new TooManyPointsError(this.options.maxPointsPerSeries);
    return this.run(queryable, query, startMs, endMs, stepMs, true, opts);
  }

  /** Cancels every running and queued query and refuses new ones (shutdown). */
  close(): void {
    this.closing.abort();
  }

  admission(): AdmissionStats {
    const queued = { interactive: 0, bulk: 0 };
    for (const w of this.waiting) queued[w.priority]++;
    return { running: this.running + this.light, queued, maxConcurrent: this.options.maxConcurrent, refused: { ...this.refused } };
  }

  /** Takes a slot, waiting in priority order; the query's deadline covers the wait, as in Prometheus. */
  private async acquire(signal: AbortSignal, deadline: number, opts: QueryCallOptions): Promise<'slot' | 'light'> {
    if (signal.aborted) throw new QueryCanceledError('query queue');
    if (this.running < this.options.maxConcurrent && this.waiting.length === 0) {
      this.running++;
      return 'slot';
    }
    if (opts.cost !== undefined && opts.cost <= this.options.cheapSamples && this.light < this.options.maxConcurrent) {
      this.light++;
      return 'light';
    }
    if (this.waiting.length >= this.options.maxQueued) {
      throw new TooManyConcurrentQueriesError(this.options.maxConcurrent, this.waiting.length);
    }
    const priority = opts.priority ?? 'interactive';
    await new Promise<void>((resolve, reject) => {
      const leave = (err: Error): void => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        clearTimeout(timer);
        reject(err);
      };
      const onAbort = (): void => leave(new QueryCanceledError('query queue'));
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        leave(new QueryTimeoutError('query queue'));
      }, Math.max(0, deadline - Date.now()));
      const waiter: Waiter = {
        rank: rankOf[priority],
        cost: opts.cost ?? 0,
        seq: this.seq++,
        priority,
        go: () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let at = this.waiting.length;
      while (at > 0 && before(waiter, this.waiting[at - 1]!)) at--;
      this.waiting.splice(at, 0, waiter);
    });
    // The slot was handed over by release(), which did not decrement `running`.
    return 'slot';
  }

  private release(lane: 'slot' | 'light'): void {
    if (lane === 'light') {
      this.light--;
      return;
    }
    const next = this.waiting.shift();
    if (next) next.go();
    else this.running--;
  }

  private count(err: unknown): void {
    const reason = err instanceof TooManyConcurrentQueriesError ? 'queue_full' : err instanceof QueryMemoryLimitError ? 'memory' : err instanceof PromQLError ? err.kind : null;
    if (reason === null || reason === 'execution' || reason === 'bad_data' || reason === 'not_supported') return;
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
  }

  private async run(
    queryable: Queryable,
    query: Expr | string,
    start: number,
    end: number,
    step: number,
    isRange: boolean,
    opts: QueryCallOptions,
  ): Promise<QueryResult> {
    const text = typeof query === 'string' ? query : '';
    let expr: Expr;
    if (typeof query === 'string') {
      expr = this.options.parse(query);
    } else {
      expr = query;
    }
    // `[step()]`, `offset range()`: the experimental duration expressions that depend on the query.
    try {
      expr = resolveDurations(expr, { stepMs: step, rangeMs: end - start });
    } catch (err) {
      if (err instanceof PromQLParseError) throw new QueryExecutionError(err.message);
      throw err;
    }
    const deadline = Date.now() + Math.min(this.options.timeoutMs, opts.timeoutMs ?? Infinity);
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
    let lane: 'slot' | 'light';
    try {
      lane = await this.acquire(signal, deadline, opts);
    } catch (err) {
      this.count(err);
      throw err;
    }
    const started = performance.now();
    const ev = new Evaluator(
      queryable,
      {
        lookbackDelta: this.options.lookbackDelta,
        maxSamples: this.options.maxSamples,
        maxBytes: this.options.maxQueryBytes,
        defaultSubqueryStep: this.options.defaultSubqueryStep,
        deadline,
        signal,
        statsSelectors: statsSelectors(expr),
      },
      start,
      end,
      step,
      isRange,
      text,
    );
    try {
      const n = isRange ? Math.floor((end - start) / step) + 1 : 1;
      const grid = new Float64Array(n);
      for (let i = 0; i < n; i++) grid[i] = start + i * step;
      const value = await ev.eval(expr, grid);
      const result = isRange ? toMatrix(value, grid) : toInstant(value, start);
      const nodes: Record<string, NodeStats> = {};
      for (const [k, t] of ev.timings) nodes[k] = { pos: t.pos, type: t.type, ms: t.ms, series: t.series, samples: t.samples, example: t.example };
      return {
        result,
        warnings: [...ev.annotations.warnings],
        infos: [...ev.annotations.infos],
        stats: {
          seriesTouched: ev.seriesTouched,
          samplesTouched: ev.samplesTouched,
          peakSamples: ev.peakSamples,
          nodes,
          totalMs: performance.now() - started,
        },
      };
    } catch (err) {
      this.count(err);
      throw err;
    } finally {
      ev.close();
      this.release(lane);
    }
  }
}

/** Queue order: class first, then estimated cost, then arrival. */
function before(a: Waiter, b: Waiter): boolean {
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (a.cost !== b.cost) return a.cost < b.cost;
  return a.seq < b.seq;
}

/** Labels that go with the metric name: dropped with it (Prometheus' type-and-unit labels). */
const nameBound = new Set([metricNameLabel, '__type__', '__unit__']);

/** Applies delayed `__name__` removal. */
function finalLabels(s: { labels: Labels; dropName: boolean }): Labels {
  return s.dropName ? s.labels.filter((l) => !nameBound.has(l.name)) : s.labels;
}

const duplicateLabelset = (): QueryExecutionError => new QueryExecutionError('vector cannot contain metrics with the same labelset');

function toInstant(value: EvalValue, t: number): QueryResultValue {
  switch (value.kind) {
    case 'scalar':
      return { type: 'scalar', t, v: value.v[0]! };
    case 'string':
      return { type: 'string', t, value: value.s };
    case 'matrix': {
      const series: SeriesPoints[] = [];
      const end = value.ends[0]!;
      for (const s of value.series) {
        if (value.extended) {
          // `foo[5m] anchored` / `smoothed` on its own: the window with its edge points (extendFloats).
          if (s.h?.some((x) => x !== undefined)) throw new HistogramNotSupportedError('an anchored/smoothed range selector');
          const pos = { lo: 0, hi: 0 };
          extendedWindow(s, value, end, pos);
          const pts = extendedWindowPoints(s, pos.lo, pos.hi, end, value.range, value.extended.smoothed);
          if (pts !== null) series.push({ labels: finalLabels(s), t: Float64Array.from(pts.t), v: Float64Array.from(pts.v) });
          continue;
        }
        let lo = 0;
        while (lo < s.t.length && s.t[lo]! <= end - value.range) lo++;
        let hi = lo;
        while (hi < s.t.length && s.t[hi]! <= end) hi++;
        if (hi <= lo) continue;
        const labels = finalLabels(s);
        series.push(s.h ? { labels, t: s.t.slice(lo, hi), v: s.v.slice(lo, hi), h: s.h.slice(lo, hi) } : { labels, t: s.t.slice(lo, hi), v: s.v.slice(lo, hi) });
      }
      series.sort((a, b) => compareLabels(a.labels, b.labels));
      return { type: 'matrix', series };
    }
    case 'vector': {
      const samples: Sample[] = [];
      const seen = new Set<string>();
      for (const s of value.series) {
        if (!s.has[0]) continue;
        const labels = finalLabels(s);
        const key = labelsKey(labels);
        if (seen.has(key)) throw duplicateLabelset();
        seen.add(key);
        const h = s.h?.[0];
        samples.push(h ? { labels, t, v: 0, h } : { labels, t, v: s.v[0]! });
      }
      return { type: 'vector', samples };
    }
  }
}

function toMatrix(value: EvalValue, grid: Float64Array): Matrix {
  const n = grid.length;
  if (value.kind === 'scalar') return { type: 'matrix', series: [{ labels: [], t: grid.slice(), v: value.v.slice() }] };
  if (value.kind !== 'vector') {
    const name = value.kind === 'matrix' ? 'range vector' : 'string';
    throw new QueryExecutionError(`invalid expression type "${name}" for range query, must be Scalar or instant Vector`);
  }
  // Series that become equal after name removal merge if they never overlap in time.
  const merged = new Map<string, { labels: Labels; v: Float64Array; has: Uint8Array; h: HistogramColumn | undefined }>();
  for (const s of value.series) {
    const labels = finalLabels(s);
    const key = labelsKey(labels);
    const prev = merged.get(key);
    if (!prev) {
      merged.set(key, { labels, v: s.v, has: s.has, h: s.h });
      continue;
    }
    const v = prev.v.slice();
    const has = prev.has.slice();
    const h = prev.h || s.h ? (prev.h?.slice() ?? new Array<NativeHistogram | undefined>(n)) : undefined;
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      if (has[i]) throw duplicateLabelset();
      v[i] = s.v[i]!;
      if (h) h[i] = s.h?.[i];
      has[i] = 1;
    }
    merged.set(key, { labels, v, has, h });
  }
  const series: SeriesPoints[] = [];
  for (const m of merged.values()) {
    let k = 0;
    for (let i = 0; i < n; i++) k += m.has[i]!;
    if (k === 0) continue;
    const t = new Float64Array(k);
    const v = new Float64Array(k);
    const h = m.h ? new Array<NativeHistogram | undefined>(k) : undefined;
    k = 0;
    for (let i = 0; i < n; i++) {
      if (!m.has[i]) continue;
      t[k] = grid[i]!;
      v[k] = m.v[i]!;
      if (h) h[k] = m.h![i];
      k++;
    }
    series.push(h ? { labels: m.labels, t, v, h } : { labels: m.labels, t, v });
  }
  series.sort((a, b) => compareLabels(a.labels, b.labels));
  return { type: 'matrix', series };
}
