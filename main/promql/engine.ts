/**
 * The PromQL engine: options and limits, instant and range queries over any Queryable, and the
 * conversion of evaluated columns into API results. Evaluation itself lives in evaluator.ts.
 */
import type { Expr, PosRange } from '../../app/promql/ast.js';
import { parseExpr } from '../../app/promql/parser.js';
import type { Queryable } from '../tsdb/interface.js';
import type { Labels } from '../tsdb/labels.js';
import { compareLabels, labelsKey, metricNameLabel } from '../tsdb/labels.js';
import { QueryCanceledError, QueryExecutionError, TooManyConcurrentQueriesError, TooManyPointsError } from './errors.js';
import { Evaluator } from './evaluator.js';
import type { EvalValue, Matrix, QueryResultValue, Sample, SeriesPoints } from './value.js';


export interface EngineOptions {
  /** How far back an instant selector looks for a sample (ms). */
  readonly lookbackDelta: number;
  readonly maxSamples: number;
  readonly timeoutMs: number;
  readonly maxPointsPerSeries: number;
  /** Queries beyond this many wait for a slot (Prometheus' active query tracker). */
  readonly maxConcurrent: number;
  /** Step of subqueries written without one (`[1h:]`), ms. */
  readonly defaultSubqueryStep: number;
  /** Text → AST for queries passed as strings; default: app/promql's parseExpr (no experimental functions). */
  readonly parse: (query: string) => Expr;
}

const defaultEngineOptions: EngineOptions = {
  lookbackDelta: 5 * 60_000,
  maxSamples: 50e6,
  timeoutMs: 120_000,
  maxPointsPerSeries: 11_000,
  maxConcurrent: 20,
  defaultSubqueryStep: 60_000,
  parse: (query) => parseExpr(query),
};

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
}

export class PromQLEngine {
  readonly options: EngineOptions;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

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

  private async acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.running < this.options.maxConcurrent) {
      this.running++;
      return;
    }
    if (this.waiting.length >= this.options.maxConcurrent * 10) throw new TooManyConcurrentQueriesError(this.options.maxConcurrent);
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new QueryCanceledError('queue'));
      };
      const go = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(go);
    });
    this.running++;
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
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
    await this.acquire(opts.signal);
    const started = performance.now();
    const ev = new Evaluator(
      queryable,
      {
        lookbackDelta: this.options.lookbackDelta,
        maxSamples: this.options.maxSamples,
        defaultSubqueryStep: this.options.defaultSubqueryStep,
        deadline: Date.now() + Math.min(this.options.timeoutMs, opts.timeoutMs ?? Infinity),
        signal: opts.signal,
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
    } finally {
      ev.close();
      this.release();
    }
  }
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
        let lo = 0;
        while (lo < s.t.length && s.t[lo]! <= end - value.range) lo++;
        let hi = lo;
        while (hi < s.t.length && s.t[hi]! <= end) hi++;
        if (hi <= lo) continue;
        const labels = finalLabels(s);
        series.push({ labels, t: s.t.slice(lo, hi), v: s.v.slice(lo, hi) });
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
        samples.push({ labels, t, v: s.v[0]! });
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
  const merged = new Map<string, { labels: Labels; v: Float64Array; has: Uint8Array }>();
  for (const s of value.series) {
    const labels = finalLabels(s);
    const key = labelsKey(labels);
    const prev = merged.get(key);
    if (!prev) {
      merged.set(key, { labels, v: s.v, has: s.has });
      continue;
    }
    const v = prev.v.slice();
    const has = prev.has.slice();
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      if (has[i]) throw duplicateLabelset();
      v[i] = s.v[i]!;
      has[i] = 1;
    }
    merged.set(key, { labels, v, has });
  }
  const series: SeriesPoints[] = [];
  for (const m of merged.values()) {
    let k = 0;
    for (let i = 0; i < n; i++) k += m.has[i]!;
    if (k === 0) continue;
    const t = new Float64Array(k);
    const v = new Float64Array(k);
    k = 0;
    for (let i = 0; i < n; i++) {
      if (!m.has[i]) continue;
      t[k] = grid[i]!;
      v[k] = m.v[i]!;
      k++;
    }
    series.push({ labels: m.labels, t, v });
  }
  series.sort((a, b) => compareLabels(a.labels, b.labels));
  return { type: 'matrix', series };
}
