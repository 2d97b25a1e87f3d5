/**
 * The query side of the contract over the PromQL engine and storage: parses with the shared
 * parser (errors carry Prometheus' message and position), runs with cancellation by query id,
 * and returns columnar results and stats. `vigil serve`'s Prometheus API uses the same service.
 */
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import { ApiError } from '../../app/api/errors.js';
import { toWire, type InstantResult, type QueryStats as WireStats, type WireHistogram } from '../../app/api/query.js';
import type { Expr } from '../../app/promql/ast.js';
import { parseExpr, PromQLParseError } from '../../app/promql/parser.js';
import type { PromQLEngine, QueryCallOptions, QueryResult } from '../promql/engine.js';
import { PromQLError, QueryMemoryLimitError, TooManySamplesError } from '../promql/errors.js';
import type { Matcher, NativeHistogram, Queryable } from '../tsdb/interface.js';
import { allBuckets } from '../promql/histogram.js';
import { formatPromFloat } from './prom-params.js';
import { labelsToRecord, metricNameLabel } from '../tsdb/labels.js';
import { rankNames } from '../../app/promql/rank-names.js';
import type { MetadataStore } from './metadata-store.js';
import type { QueryCall, QueryService } from './query-service.js';
import { estimateQuery, type Estimate } from './query-estimate.js';
import type { QueryJournal } from './query-journal.js';
import { cacheable, type RangePiece, type RangeResultCache } from '../query-frontend/range-cache.js';

const minTime = -9_223_372_036_854;
const maxTime = 9_223_372_036_854;

const errorTypes: Record<string, { errorType: string; kind: 'bad_request' | 'unavailable' | 'internal' }> = {
  execution: { errorType: 'execution', kind: 'bad_request' },
  too_many_samples: { errorType: 'execution', kind: 'bad_request' },
  not_supported: { errorType: 'execution', kind: 'bad_request' },
  bad_data: { errorType: 'bad_data', kind: 'bad_request' },
  timeout: { errorType: 'timeout', kind: 'unavailable' },
  canceled: { errorType: 'canceled', kind: 'unavailable' },
  unavailable: { errorType: 'unavailable', kind: 'unavailable' },
};

export function toApiError(err: unknown, query: string): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof PromQLParseError) {
    return new ApiError({ kind: 'bad_request', errorType: 'bad_data', message: err.format(query), pos: err.pos, where: 'query' });
  }
  if (err instanceof PromQLError) {
    const t = errorTypes[err.kind] ?? { errorType: 'execution', kind: 'bad_request' as const };
    return new ApiError({ kind: t.kind, errorType: t.errorType, message: err.message, where: 'query' });
  }
  return new ApiError({ kind: 'internal', errorType: 'internal', message: err instanceof Error ? err.message : String(err), where: 'query' });
}

function fuzzyMatch(needle: string, hay: string): boolean {
  if (needle === '') return true;
  const h = hay.toLowerCase();
  if (h.includes(needle)) return true;
  let i = 0;
  for (let j = 0; j < h.length && i < needle.length; j++) if (h.charCodeAt(j) === needle.charCodeAt(i)) i++;
  return i === needle.length;
}

export interface QueryServiceOptions {
  enableExperimental?: boolean;
  /** Accept `anchored` / `smoothed` selectors (Prometheus' promql-extended-range-selectors). */
  enableExtendedRangeSelectors?: boolean;
  /** Metadata learned by scraping (TYPE/HELP/UNIT) for a metric name, when known. */
  metadata?: (name: string) => { type: string; help: string; unit: string } | undefined;
  /** Number of series in storage; the metric-name list is re-read only when it changes. */
  seriesCount?: () => number;
  /** Records each running query on disk, so a crash names it at the next start. */
  journal?: Pick<QueryJournal, 'begin' | 'end'>;
  /**
   * The longest configured scrape interval (ms), for the pre-run estimate: assuming the sparsest
   * data, a refusal never comes from guessing the data denser than it is. Default 15 s.
   */
  scrapeIntervalMs?: () => number | undefined;
  /** Index-only series count for a selector (the estimate's cheap first pass). */
  countSeries?: (matchers: readonly Matcher[]) => number;
  /** Step-aligned range answers kept between requests (main/query-frontend/); none when absent. */
  rangeCache?: RangeResultCache;
  /** True while answers may hold data the range cache cannot see change (remote_read endpoints). */
  rangeCacheBypass?: () => boolean;
  /** The memory budget's admission (main/memory/budget.ts): throws to refuse a query whose estimate does not fit. */
  admitMemory?: (query: string, est: Estimate) => void;
}

function callOptions(call: QueryCall | undefined, cost: number): QueryCallOptions {
  return { cost, ...(call?.timeoutMs !== undefined ? { timeoutMs: call.timeoutMs } : {}), ...(call?.priority ? { priority: call.priority } : {}) };
}

export class EngineQueryService implements QueryService {
  private readonly running = new Map<string, AbortController>();
  private nameCache: { count: number; names: string[]; lower: string[] } | null = null;

  constructor(
    private readonly engine: PromQLEngine,
    private readonly storage: Queryable,
    private readonly metadataStore: MetadataStore,
    private readonly options: QueryServiceOptions = {},
  ) {}

  parse(query: string): Expr {
    try {
      return parseExpr(query, { enableExperimental: this.options.enableExperimental ?? false, enableExtendedRangeSelectors: this.options.enableExtendedRangeSelectors ?? false });
    } catch (err) {
      throw toApiError(err, query);
    }
  }

  private async track<T>(queryId: string | undefined, query: string, call: QueryCall | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    if (queryId !== undefined) {
      this.running.get(queryId)?.abort();
      this.running.set(queryId, controller);
    }
    const outer = call?.signal;
    const abort = (): void => controller.abort();
    if (outer?.aborted) abort();
    else outer?.addEventListener('abort', abort, { once: true });
    const journal = this.options.journal;
    const token = journal?.begin(query);
    try {
      return await run(controller.signal);
    } catch (err) {
      throw toApiError(err, query);
    } finally {
      outer?.removeEventListener('abort', abort);
      if (token !== undefined) journal!.end(token);
      if (queryId !== undefined && this.running.get(queryId) === controller) this.running.delete(queryId);
    }
  }

  async query(req: RequestOf<'query'>, call?: QueryCall): Promise<ResponseOf<'query'>> {
    const expr = this.parse(req.query);
    const time = req.time ?? Date.now();
    return this.track(req.queryId, req.query, call, async (signal) => {
      const cost = await this.admit(req.query, expr, time, time);
      const r = await this.engine.instantQuery(this.storage, expr, time, { signal, ...callOptions(call, cost) });
      return { result: instantResult(r), warnings: r.warnings, infos: r.infos, stats: wireStats(r.stats, req.query) };
    });
  }

  async queryRange(req: RequestOf<'queryRange'>, call?: QueryCall): Promise<ResponseOf<'queryRange'>> {
    const expr = this.parse(req.query);
    return this.track(req.queryId, req.query, call, async (signal) => {
      const evaluate = async (start: number, end: number): Promise<RangePiece<Stats>> => {
        const cost = await this.admit(req.query, expr, start, end);
        const r = await this.engine.rangeQuery(this.storage, expr, start, end, req.step, { signal, ...callOptions(call, cost) });
        if (r.result.type !== 'matrix') {
          throw new ApiError({ kind: 'internal', message: `range query returned ${r.result.type}` });
        }
        return { series: r.result.series, warnings: r.warnings, infos: r.infos, stats: r.stats };
      };
      const cache = this.options.rangeCacheBypass?.() ? undefined : this.options.rangeCache;
      const r = cache
        ? // A range over the points limit goes to the engine whole, which refuses it.
          await cache.rangeQuery(req.query, cacheable(expr) && (req.end - req.start) / req.step + 1 <= this.engine.options.maxPointsPerSeries, req.start, req.end, req.step, evaluate, {
            sum: sumStats,
            none: noStats,
          })
        : await evaluate(req.start, req.end);
      const n = Math.floor((req.end - req.start) / req.step) + 1;
      const timestamps = Array.from({ length: n }, (_, i) => req.start + i * req.step);
      const series = r.series.map((s) => {
        const values: Array<ReturnType<typeof toWire> | null> = new Array(n).fill(null);
        const histograms: Array<WireHistogram | null> | null = s.h ? new Array(n).fill(null) : null;
        for (let i = 0; i < s.t.length; i++) {
          const idx = Math.round((s.t[i]! - req.start) / req.step);
          if (idx < 0 || idx >= n) continue;
          const h = s.h?.[i];
          values[idx] = h ? 0 : toWire(s.v[i]!);
          if (h && histograms) histograms[idx] = wireHistogram(h);
        }
        return histograms ? { labels: labelsToRecord(s.labels), values, histograms } : { labels: labelsToRecord(s.labels), values };
      });
      return { result: { resultType: 'matrix' as const, timestamps, series }, warnings: [...r.warnings], infos: [...r.infos], stats: wireStats(r.stats, req.query) };
    });
  }

  async estimateQuery(req: RequestOf<'estimateQuery'>): Promise<ResponseOf<'estimateQuery'>> {
    return this.estimate(this.parse(req.query), req.start, req.end);
  }

  private estimate(expr: Expr, start: number, end: number): Promise<Estimate> {
    const interval = this.options.scrapeIntervalMs?.();
    return estimateQuery(this.storage, expr, start, end, {
      lookbackMs: this.engine.options.lookbackDelta,
      maxSamples: this.engine.options.maxSamples,
      ...(interval !== undefined ? { scrapeIntervalMs: interval } : {}),
      ...(this.options.countSeries ? { countSeries: this.options.countSeries } : {}),
    });
  }

  /**
   * The pre-run estimate (index only): refuses a query sure to exceed the samples limit or the
   * memory ceiling or the memory budget before it loads anything; otherwise its cost orders the queue.
   */
  private async admit(query: string, expr: Expr, start: number, end: number): Promise<number> {
    const est = await this.estimate(expr, start, end);
    const detail = `estimated ${est.samples.toLocaleString('en-US')} samples from ${est.series.toLocaleString('en-US')} series before running`;
    if (est.tooHeavy) throw new TooManySamplesError('query execution', `${detail}, over the limit of ${this.engine.options.maxSamples.toLocaleString('en-US')}`);
    if (est.samples * 16 > this.engine.options.maxQueryBytes) throw new QueryMemoryLimitError(this.engine.options.maxQueryBytes);
    this.options.admitMemory?.(query, est);
    return est.samples;
  }

  async cancelQuery(req: RequestOf<'cancelQuery'>): Promise<ResponseOf<'cancelQuery'>> {
    const c = this.running.get(req.queryId);
    if (!c) return { cancelled: false };
    c.abort();
    this.running.delete(req.queryId);
    return { cancelled: true };
  }

  /** Each `match[]` selector's matchers; their results are unioned, as in Prometheus. */
  matcherSets(match: string[] | undefined): Matcher[][] {
    if (!match || match.length === 0) return [[]];
    return match.map((m) => {
      const e = this.parse(m);
      if (e.type !== 'vector') throw new ApiError({ kind: 'bad_request', errorType: 'bad_data', message: `invalid parameter "match[]": ${m} is not a series selector` });
      return [...e.matchers];
    });
  }

  async labelNames(req: RequestOf<'labelNames'>): Promise<ResponseOf<'labelNames'>> {
    const q = await this.storage.querier(req.start ?? minTime, req.end ?? maxTime);
    try {
      const names = new Set<string>();
      for (const set of this.matcherSets(req.match)) for (const n of await q.labelNames(set)) names.add(n);
      return limitList([...names].sort(), req.limit);
    } finally {
      q.close();
    }
  }

  async labelValues(req: RequestOf<'labelValues'>): Promise<ResponseOf<'labelValues'>> {
    const q = await this.storage.querier(req.start ?? minTime, req.end ?? maxTime);
    try {
      const values = new Set<string>();
      for (const set of this.matcherSets(req.match)) for (const v of await q.labelValues(req.name, set)) values.add(v);
      const needle = (req.search ?? '').toLowerCase();
      const list = [...values].filter((v) => fuzzyMatch(needle, v)).sort();
      return limitList(list, req.limit);
    } finally {
      q.close();
    }
  }

  /** Every metric name in storage (and its lower case), cached until the number of series changes. */
  private async metricNames(): Promise<{ names: string[]; lower: string[] }> {
    const count = this.options.seriesCount?.() ?? -1;
    if (this.nameCache !== null && count >= 0 && this.nameCache.count === count) return this.nameCache;
    const q = await this.storage.querier(minTime, maxTime);
    try {
      const names = await q.labelValues(metricNameLabel, []);
      this.nameCache = { count, names, lower: names.map((n) => n.toLowerCase()) };
      return this.nameCache;
    } finally {
      q.close();
    }
  }

  async metadata(req: RequestOf<'metadata'>): Promise<ResponseOf<'metadata'>> {
    const all = req.metric ? { names: [req.metric], lower: [req.metric.toLowerCase()] } : await this.metricNames();
    const { names, truncated } = rankNames(all.names, req.search ?? '', req.limit ?? all.names.length, all.lower);
    const metrics: ResponseOf<'metadata'>['metrics'] = [];
    for (const name of names) {
      const md = this.metadataStore.lookup(name) ?? this.options.metadata?.(name) ?? this.options.metadata?.(name.replace(/_(total|bucket|sum|count|created)$/, ''));
      metrics.push({ name, type: md?.type ?? '', help: md?.help ?? '', unit: md?.unit ?? '' });
    }
    return { metrics, truncated };
  }
}

function limitList(values: string[], limit: number | undefined): { values: string[]; truncated: boolean } {
  if (limit === undefined || values.length <= limit) return { values, truncated: false };
  return { values: values.slice(0, limit), truncated: true };
}

/** A native histogram in Prometheus' API form: populated buckets from −Inf up, with their boundary rule. */
function wireHistogram(h: NativeHistogram): WireHistogram {
  const buckets: WireHistogram['buckets'] = [];
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    // Zero bucket closed on both sides, negative buckets open right, positive ones open left.
    const rule = b.zero ? 3 : b.upper <= 0 ? 1 : 0;
    buckets.push([rule, formatPromFloat(b.lower), formatPromFloat(b.upper), formatPromFloat(b.count)]);
  }
  return { count: formatPromFloat(h.count), sum: formatPromFloat(h.sum), buckets };
}

function instantResult(r: QueryResult): InstantResult {
  const v = r.result;
  switch (v.type) {
    case 'vector':
      return {
        resultType: 'vector',
        samples: v.samples.map((s) => (s.h ? { labels: labelsToRecord(s.labels), t: s.t, v: 0, h: wireHistogram(s.h) } : { labels: labelsToRecord(s.labels), t: s.t, v: toWire(s.v) })),
      };
    case 'scalar':
      return { resultType: 'scalar', t: v.t, v: toWire(v.v) };
    case 'string':
      return { resultType: 'string', t: v.t, v: v.value };
    case 'matrix':
      return {
        resultType: 'matrix',
        series: v.series.map((s) => {
          const base = { labels: labelsToRecord(s.labels), t: Array.from(s.t), v: Array.from(s.v, toWire) };
          return s.h ? { ...base, h: Array.from(s.h, (h) => (h ? wireHistogram(h) : null)) } : base;
        }),
      };
  }
}

function wireStats(stats: Stats, query: string): WireStats {
  return {
    seriesTouched: stats.seriesTouched,
    samplesTouched: stats.samplesTouched,
    peakSamples: stats.peakSamples,
    totalMs: stats.totalMs,
    nodes: Object.values(stats.nodes).map((n) => ({
      pos: n.pos,
      expr: query.slice(n.pos.start, n.pos.end),
      type: n.type,
      ms: n.ms,
      series: n.series,
      samples: n.samples,
      example: n.example ? labelsToRecord(n.example) : null,
    })),
  };
}

type Stats = QueryResult['stats'];

const noStats: Stats = { seriesTouched: 0, samplesTouched: 0, peakSamples: 0, totalMs: 0, nodes: {} };

/** The statistics of a range answer evaluated in two pieces (the range cache's head and tail). */
function sumStats(a: Stats, b: Stats): Stats {
  const nodes: Record<string, Stats['nodes'][string]> = { ...a.nodes };
  for (const [k, n] of Object.entries(b.nodes)) {
    const m = nodes[k];
    nodes[k] = m ? { ...m, ms: m.ms + n.ms, series: Math.max(m.series, n.series), samples: m.samples + n.samples } : n;
  }
  return {
    seriesTouched: a.seriesTouched + b.seriesTouched,
    samplesTouched: a.samplesTouched + b.samplesTouched,
    peakSamples: Math.max(a.peakSamples, b.peakSamples),
    totalMs: a.totalMs + b.totalMs,
    nodes,
  };
}
