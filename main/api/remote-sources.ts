/**
 * Remote data sources on the contract: the store's channels (list without secrets, save, delete,
 * test) and the query channels answered either by this engine or, when a request names a remote
 * source, by that source's Prometheus API through the engine (main/remote/source-client.ts). The
 * page only ever sends a uid; a running remote query is cancelled by its queryId like a local one.
 */
import { join } from 'node:path';
import { ApiError } from '../../app/api/errors.js';
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import { localSourceUid } from '../../app/api/remote-sources.js';
import { callSource, defaultSourceLimits, instantFromProm, rangeFromProm, seconds, type SourceLimits } from '../remote/source-client.js';
import { publicSource, SourcesStore, type SecretSealer, type StoredSource } from '../remote/sources-store.js';
import type { Logger } from '../util/log.js';
import { rankNames } from '../../app/promql/rank-names.js';
import { fromWire } from '../../app/api/query.js';
import type { RuleQueryRunner } from '../rules/backtest-query.js';
import type { RuleSample } from '../rules/types.js';
import { labelsFromRecord } from '../tsdb/labels.js';
import type { QueriesService, SourcesService } from './services.js';

/** A list of names as a source answers it (sorted), or an error saying the answer is not one. */
function names(data: unknown, what: string): string[] {
  if (!Array.isArray(data) || data.some((x) => typeof x !== 'string')) throw new ApiError({ kind: 'unavailable', message: `the source's answer is not a Prometheus ${what}` });
  return (data as string[]).slice().sort();
}

const noStats = (totalMs: number): ResponseOf<'query'>['stats'] => ({ seriesTouched: 0, samplesTouched: 0, peakSamples: 0, totalMs, nodes: [] });

export class RemoteSources implements SourcesService {
  private readonly running = new Map<string, AbortController>();

  private constructor(
    private readonly store: SourcesStore,
    private readonly userAgent: string,
    private readonly now: () => number,
    private readonly limits: SourceLimits,
  ) {}

  /** Opens `<data>/remote-sources.sqlite`; null (logged) when it cannot, so the rest of Vigil runs. */
  static open(
    dataDir: string,
    userAgent: string,
    logger: Logger,
    o: { now?: (() => number) | undefined; limits?: SourceLimits | undefined; sealer?: SecretSealer | null | undefined } = {},
  ): RemoteSources | null {
    try {
      return new RemoteSources(new SourcesStore(join(dataDir, 'remote-sources.sqlite'), o.sealer ?? null), userAgent, o.now ?? Date.now, o.limits ?? defaultSourceLimits);
    } catch (err) {
      logger.error(`remote data sources unavailable: ${(err as Error).message}`);
      return null;
    }
  }

  close(): void {
    for (const c of this.running.values()) c.abort();
    this.store.close();
  }

  /** The uids of the stored sources (dashboard import keeps references to them). */
  uids(): Set<string> {
    return new Set(this.store.list().map((s) => s.uid));
  }

  remoteSources(): Promise<ResponseOf<'remoteSources'>> {
    return Promise.resolve({ sources: this.store.list().map(publicSource) });
  }

  saveRemoteSource(req: RequestOf<'saveRemoteSource'>): Promise<ResponseOf<'saveRemoteSource'>> {
    if (req.uid === localSourceUid) throw new ApiError({ kind: 'bad_request', where: 'uid', message: `uid "${localSourceUid}" names this engine; choose another` });
    if (req.uid !== undefined && this.store.get(req.uid) === null) throw new ApiError({ kind: 'bad_request', where: 'uid', message: `no remote source with uid ${JSON.stringify(req.uid)}` });
    if (req.proxyUrl && !/^https?:\/\/[^/]/i.test(req.proxyUrl)) throw new ApiError({ kind: 'bad_request', where: 'proxyUrl', message: 'the proxy URL must be http:// or https://' });
    const a = req.auth;
    const auth =
      a.kind === 'basic' ? { kind: a.kind, username: a.username, secret: a.password } : a.kind === 'bearer' ? { kind: a.kind, username: '', secret: a.token } : { kind: a.kind, username: '', secret: '' };
    const saved = this.store.save(
      {
        uid: req.uid,
        name: req.name,
        kind: req.kind,
        url: req.url,
        orgId: req.orgId ?? '',
        headers: req.headers ?? {},
        tlsInsecureSkipVerify: req.tlsInsecureSkipVerify ?? false,
        caPem: req.caPem ?? '',
        proxyUrl: req.proxyUrl ?? '',
        auth,
      },
      this.now(),
    );
    return Promise.resolve(publicSource(saved));
  }

  deleteRemoteSource(req: RequestOf<'deleteRemoteSource'>): Promise<ResponseOf<'deleteRemoteSource'>> {
    return Promise.resolve({ deleted: this.store.delete(req.uid) });
  }

  async testRemoteSource(req: RequestOf<'testRemoteSource'>): Promise<ResponseOf<'testRemoteSource'>> {
    const unreadable = this.store.get(req.uid)?.auth.unreadable ?? null;
    if (unreadable !== null) return { ok: false, message: unreadable };
    const s = this.source(req.uid);
    try {
      await callSource(s, '/api/v1/query', new URLSearchParams({ query: '1+1' }), undefined, this.userAgent, this.limits);
      return { ok: true, message: `${s.name} answers queries` };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  }

  /** The stored source a request names, or a bad_request naming the uid. */
  private source(uid: string): StoredSource {
    const s = this.store.get(uid);
    if (s === null) throw new ApiError({ kind: 'bad_request', where: 'source', message: `no remote source with uid ${JSON.stringify(uid)} (it may have been removed)` });
    if (s.auth.unreadable !== null) throw new ApiError({ kind: 'bad_request', where: 'source', message: s.auth.unreadable });
    return s;
  }

  /** True when a request goes to a remote source rather than this engine. */
  static isRemote(source: string | undefined): source is string {
    return source !== undefined && source !== '' && source !== localSourceUid;
  }

  private async tracked<T>(queryId: string | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const c = new AbortController();
    if (queryId !== undefined) {
      this.running.get(queryId)?.abort();
      this.running.set(queryId, c);
    }
    try {
      return await run(c.signal);
    } finally {
      if (queryId !== undefined && this.running.get(queryId) === c) this.running.delete(queryId);
    }
  }

  /** Cancels a remote query by id; false when none runs under it. */
  cancel(queryId: string): boolean {
    const c = this.running.get(queryId);
    if (c === undefined) return false;
    c.abort();
    this.running.delete(queryId);
    return true;
  }

  async query(req: RequestOf<'query'>, uid: string): Promise<ResponseOf<'query'>> {
    const s = this.source(uid);
    const started = performance.now();
    return this.tracked(req.queryId, async (signal) => {
      const p = new URLSearchParams({ query: req.query, time: seconds(req.time ?? this.now()) });
      const a = await callSource(s, '/api/v1/query', p, signal, this.userAgent, this.limits);
      return { result: instantFromProm(a.data), warnings: a.warnings ?? [], infos: a.infos ?? [], stats: noStats(performance.now() - started) };
    });
  }

  async queryRange(req: RequestOf<'queryRange'>, uid: string): Promise<ResponseOf<'queryRange'>> {
    const s = this.source(uid);
    const started = performance.now();
    return this.tracked(req.queryId, async (signal) => {
      const p = new URLSearchParams({ query: req.query, start: seconds(req.start), end: seconds(req.end), step: seconds(req.step) });
      const a = await callSource(s, '/api/v1/query_range', p, signal, this.userAgent, this.limits);
      return { result: rangeFromProm(a.data, req.start, req.end, req.step), warnings: a.warnings ?? [], infos: a.infos ?? [], stats: noStats(performance.now() - started) };
    });
  }

  private params(match: readonly string[] | undefined, start: number | undefined, end: number | undefined): URLSearchParams {
    const p = new URLSearchParams();
    for (const m of match ?? []) p.append('match[]', m);
    if (start !== undefined) p.set('start', seconds(start));
    if (end !== undefined) p.set('end', seconds(end));
    return p;
  }

  async labelNames(req: RequestOf<'labelNames'>, uid: string): Promise<ResponseOf<'labelNames'>> {
    const a = await callSource(this.source(uid), '/api/v1/labels', this.params(req.match, req.start, req.end), undefined, this.userAgent, this.limits);
    const all = names(a.data, 'label names answer');
    const limit = req.limit ?? all.length;
    return { values: all.slice(0, limit), truncated: all.length > limit };
  }

  async labelValues(req: RequestOf<'labelValues'>, uid: string): Promise<ResponseOf<'labelValues'>> {
    const a = await callSource(this.source(uid), `/api/v1/label/${encodeURIComponent(req.name)}/values`, this.params(req.match, req.start, req.end), undefined, this.userAgent, this.limits);
    const all = names(a.data, 'label values answer');
    const { names: ranked, truncated } = rankNames(all, req.search ?? '', req.limit ?? all.length);
    return { values: ranked, truncated };
  }

  /**
   * A backtest's queries on a remote source (main/rules/backtest-query.ts): instant queries, and
   * the rule expression's range queries over blocks of steps. Rules themselves stay local.
   */
  ruleRunner(uid: string): RuleQueryRunner {
    const s = this.source(uid);
    const call = (path: string, p: Record<string, string>, signal: AbortSignal | undefined) => callSource(s, path, new URLSearchParams(p), signal, this.userAgent, this.limits);
    return {
      instant: async (expr, timeMs, signal) => {
        const r = instantFromProm((await call('/api/v1/query', { query: expr, time: seconds(timeMs) }, signal)).data);
        if (r.resultType === 'vector') return r.samples.map((x) => ({ labels: labelsFromRecord(x.labels), value: fromWire(x.v) }));
        if (r.resultType === 'scalar') return [{ labels: [], value: fromWire(r.v) }];
        throw new Error(`rule expression ${JSON.stringify(expr)} must return a vector or scalar, got ${r.resultType}`);
      },
      range: async (expr, first, last, stepMs, signal) => {
        const a = await call('/api/v1/query_range', { query: expr, start: seconds(first), end: seconds(last), step: seconds(stepMs) }, signal);
        const r = rangeFromProm(a.data, first, last, stepMs);
        const steps: (RuleSample[] | undefined)[] = [];
        for (const series of r.series) {
          const labels = labelsFromRecord(series.labels);
          series.values.forEach((v, i) => {
            if (v !== null) (steps[i] ??= []).push({ labels, value: fromWire(v) });
          });
        }
        return steps;
      },
      // Prometheus refuses a range query of more than 11,000 points per series.
      maxPoints: 11_000,
    };
  }

  async metadata(req: RequestOf<'metadata'>, uid: string): Promise<ResponseOf<'metadata'>> {
    const s = this.source(uid);
    // Metric names come from __name__'s values; TYPE/HELP/UNIT from /api/v1/metadata where the source has it.
    const names = await this.labelValues({ name: '__name__', ...(req.search !== undefined ? { search: req.search } : {}), ...(req.limit !== undefined ? { limit: req.limit } : {}) }, uid);
    const list = req.metric !== undefined ? [req.metric] : names.values;
    let md: Record<string, { type: string; help: string; unit: string }[]> = {};
    try {
      md = ((await callSource(s, '/api/v1/metadata', new URLSearchParams(req.metric !== undefined ? { metric: req.metric } : {}), undefined, this.userAgent, this.limits)).data ?? {}) as typeof md;
    } catch {
      /* not every source serves metadata: names alone still complete */
    }
    return { metrics: list.map((name) => ({ name, type: md[name]?.[0]?.type ?? '', help: md[name]?.[0]?.help ?? '', unit: md[name]?.[0]?.unit ?? '' })), truncated: names.truncated };
  }
}

/** The query channels: a request naming a remote source goes there, any other to this engine. */
export function withRemoteSources(local: QueriesService, sources: RemoteSources | null): QueriesService {
  const remote = (source: string | undefined): RemoteSources | null => {
    if (!RemoteSources.isRemote(source)) return null;
    if (sources === null) throw new ApiError({ kind: 'unavailable', where: 'source', message: 'the remote source store is not available' });
    return sources;
  };
  const strip = <T extends { source?: string | undefined }>(r: T): Omit<T, 'source'> => {
    const { source: _source, ...rest } = r;
    return rest;
  };
  return {
    query: (r) => remote(r.source)?.query(r, r.source!) ?? local.query(strip(r)),
    queryRange: (r) => remote(r.source)?.queryRange(r, r.source!) ?? local.queryRange(strip(r)),
    // The engine's estimate only knows its own storage: a remote query is never held back by it.
    estimateQuery: (r) => (remote(r.source) ? Promise.resolve({ series: 0, samples: 0, tooHeavy: false, reason: null }) : local.estimateQuery(strip(r))),
    cancelQuery: async (r) => (sources?.cancel(r.queryId) ? { cancelled: true } : local.cancelQuery(r)),
    labelNames: (r) => remote(r.source)?.labelNames(r, r.source!) ?? local.labelNames(strip(r)),
    labelValues: (r) => remote(r.source)?.labelValues(r, r.source!) ?? local.labelValues(strip(r)),
    metadata: (r) => remote(r.source)?.metadata(r, r.source!) ?? local.metadata(strip(r)),
  };
}
