/**
 * The Prometheus HTTP API (web/api/v1) on `vigil serve`, so Grafana and other Prometheus clients
 * can use Vigil as a data source: same paths, parameters (GET query string or POST form), JSON
 * shapes and error responses. It sits on the same QueryService the renderer uses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { maxQueryLength, type InstantResult, type RangeResult, type WireHistogram, type WireValue } from '../../app/api/query.js';
import { ApiError } from '../../app/api/errors.js';
import type { HttpServer } from './http-server.js';
import { BadParamError, formatPromFloat, parseDurationParam, parseRangeParams, parseTimeParam } from './prom-params.js';
import type { QueryCall, QueryService } from './query-service.js';

interface SeriesLookup {
  /** Label sets of series matching any of the selectors within [start, end]. */
  series(match: string[], startMs: number, endMs: number, limit?: number): Promise<Array<Record<string, string>>>;
}

export interface PromApiDeps {
  queries: QueryService;
  series: SeriesLookup;
  /** Pretty-prints a query (Prometheus' format_query); throws ApiError for a bad query. */
  formatQuery(query: string): string;
  buildInfo(): Record<string, string>;
  /** Extra GET endpoints subsystems serve (targets, rules, alerts, metadata…), path → data. */
  extra?: Record<string, (params: URLSearchParams) => Promise<unknown>>;
}

type PromError = { status: 'error'; errorType: string; error: string };

const statusForErrorType: Record<string, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 503,
  unavailable: 503,
  not_found: 404,
  internal: 500,
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

function fail(res: ServerResponse, errorType: string, error: string): void {
  const body: PromError = { status: 'error', errorType, error };
  send(res, statusForErrorType[errorType] ?? 500, body);
}

function failFrom(res: ServerResponse, err: unknown): void {
  if (err instanceof BadParamError) return fail(res, 'bad_data', err.message);
  if (err instanceof ApiError) {
    const type = err.errorType ?? (err.kind === 'bad_request' ? 'bad_data' : err.kind === 'unavailable' ? 'unavailable' : 'internal');
    return fail(res, type, err.message);
  }
  fail(res, 'internal', err instanceof Error ? err.message : String(err));
}

/** GET query string merged with a POST form body, as Prometheus' r.FormValue does. */
function paramsOf(req: IncomingMessage, url: URL, body: Buffer): URLSearchParams {
  const params = new URLSearchParams(url.search);
  if (req.method === 'POST' && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
  }
  return params;
}

const wire = (v: WireValue): string => (typeof v === 'number' ? formatPromFloat(v) : v);

/** Our wire results → Prometheus JSON `data`. */
function instantToProm(r: InstantResult): unknown {
  switch (r.resultType) {
    case 'vector':
      // Prometheus writes a histogram sample as `histogram` instead of `value`.
      return { resultType: 'vector', result: r.samples.map((s) => (s.h ? { metric: s.labels, histogram: [s.t / 1000, s.h] } : { metric: s.labels, value: [s.t / 1000, wire(s.v)] })) };
    case 'scalar':
      return { resultType: 'scalar', result: [r.t / 1000, wire(r.v)] };
    case 'string':
      return { resultType: 'string', result: [r.t / 1000, r.v] };
    case 'matrix':
      return { resultType: 'matrix', result: r.series.map((s) => promSeries(s.labels, s.t, s.v, s.h ?? null)) };
  }
}

/** A series as Prometheus writes it: float points under `values`, histogram points under `histograms`, each only when present. */
function promSeries(metric: Record<string, string>, t: readonly number[], v: readonly (WireValue | null)[], h: readonly (WireHistogram | null)[] | null): unknown {
  const values: Array<[number, string]> = [];
  const histograms: Array<[number, WireHistogram]> = [];
  t.forEach((ts, i) => {
    const hist = h?.[i];
    if (hist) histograms.push([ts / 1000, hist]);
    else if (v[i] !== null && v[i] !== undefined) values.push([ts / 1000, wire(v[i])]);
  });
  if (h === null) return { metric, values };
  return { metric, ...(values.length > 0 ? { values } : {}), ...(histograms.length > 0 ? { histograms } : {}) };
}

function rangeToProm(r: RangeResult): unknown {
  return { resultType: 'matrix', result: r.series.map((s) => promSeries(s.labels, r.timestamps, s.values, s.histograms ?? null)) };
}

function promStats(stats: { seriesTouched: number; samplesTouched: number; peakSamples: number; totalMs: number }): unknown {
  return {
    timings: { evalTotalTime: stats.totalMs / 1000, resultSortTime: 0, queryPreparationTime: 0, innerEvalTime: stats.totalMs / 1000, execQueueTime: 0, execTotalTime: stats.totalMs / 1000 },
    samples: { totalQueryableSamples: stats.samplesTouched, peakSamples: stats.peakSamples },
    series: { touched: stats.seriesTouched },
  };
}

/** The `query` parameter: present, and no longer than the contract allows (400 bad_data otherwise). */
function queryParam(p: URLSearchParams): string {
  const query = p.get('query');
  if (query === null || query === '') throw new BadParamError('invalid parameter "query": query must not be empty');
  if (query.length > maxQueryLength) {
    throw new BadParamError(`invalid parameter "query": query is ${query.length} characters long, over the limit of ${maxQueryLength}; shorten it`);
  }
  return query;
}

/** The request's own `timeout` (capped by the engine's) and its client's presence. */
function queryCall(p: URLSearchParams, signal: AbortSignal): QueryCall {
  // Clients from outside (Grafana, scripts) queue behind the UI and rule evaluation.
  const timeout = p.get('timeout');
  if (timeout === null || timeout === '') return { signal, priority: 'bulk' };
  return { signal, priority: 'bulk', timeoutMs: parseDurationParam(timeout, 'timeout') };
}

function withAnnotations(data: unknown, warnings: string[], infos: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { status: 'success', data };
  if (warnings.length > 0) out['warnings'] = warnings;
  if (infos.length > 0) out['infos'] = infos;
  return out;
}

export function registerPromApi(server: HttpServer, deps: PromApiDeps): void {
  const handle =
    (fn: (params: URLSearchParams, gone: AbortSignal) => Promise<unknown>) =>
    async (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> => {
      if (req.method !== 'GET' && req.method !== 'POST') return fail(res, 'bad_data', `method ${req.method} not allowed`);
      // A client that goes away before its answer (Grafana on a new refresh, a closed tab) cancels
      // its query, as Prometheus' request context does.
      const gone = new AbortController();
      const onClose = (): void => {
        if (!res.writableEnded) gone.abort();
      };
      res.once('close', onClose);
      try {
        send(res, 200, await fn(paramsOf(req, url, body), gone.signal));
      } catch (err) {
        if (!res.destroyed) failFrom(res, err);
      } finally {
        res.off('close', onClose);
      }
    };

  server.route(
    '/api/v1/query',
    handle(async (p, gone) => {
      const query = queryParam(p);
      const time = parseTimeParam(p.get('time'), 'time', Date.now());
      const answer = await deps.queries.query({ query, time }, queryCall(p, gone));
      const data = instantToProm(answer.result) as Record<string, unknown>;
      if (p.get('stats')) data['stats'] = promStats(answer.stats);
      return withAnnotations(data, answer.warnings, answer.infos);
    }),
  );

  server.route(
    '/api/v1/query_range',
    handle(async (p, gone) => {
      const query = queryParam(p);
      const { startMs, endMs, stepMs } = parseRangeParams(p);
      const answer = await deps.queries.queryRange({ query, start: startMs, end: endMs, step: stepMs }, queryCall(p, gone));
      const data = rangeToProm(answer.result) as Record<string, unknown>;
      if (p.get('stats')) data['stats'] = promStats(answer.stats);
      return withAnnotations(data, answer.warnings, answer.infos);
    }),
  );

  const timeWindow = (p: URLSearchParams) => ({
    start: parseTimeParam(p.get('start'), 'start', -9223372036854.775),
    end: parseTimeParam(p.get('end'), 'end', 9223372036854.775),
  });
  const limitOf = (p: URLSearchParams): number | undefined => {
    const l = p.get('limit');
    if (l === null || l === '') return undefined;
    const n = Number(l);
    if (!Number.isInteger(n) || n < 0) throw new BadParamError(`invalid parameter "limit": cannot parse "${l}" to a valid limit`);
    return n === 0 ? undefined : n;
  };

  server.route(
    '/api/v1/series',
    handle(async (p) => {
      const match = p.getAll('match[]');
      if (match.length === 0) throw new BadParamError('no match[] parameter provided');
      const { start, end } = timeWindow(p);
      return { status: 'success', data: await deps.series.series(match, start, end, limitOf(p)) };
    }),
  );

  server.route(
    '/api/v1/labels',
    handle(async (p) => {
      const { start, end } = timeWindow(p);
      const match = p.getAll('match[]');
      const r = await deps.queries.labelNames({ match: match.length > 0 ? match : undefined, start, end, limit: limitOf(p) });
      return { status: 'success', data: r.values };
    }),
  );

  server.route(
    '/api/v1/format_query',
    handle(async (p) => {
      return { status: 'success', data: deps.formatQuery(queryParam(p)) };
    }),
  );

  server.route(
    '/api/v1/status/buildinfo',
    handle(async () => ({ status: 'success', data: deps.buildInfo() })),
  );

  server.route(
    '/api/v1/metadata',
    handle(async (p) => {
      const r = await deps.queries.metadata({ metric: p.get('metric') ?? undefined, limit: limitOf(p) });
      const data: Record<string, Array<{ type: string; help: string; unit: string }>> = {};
      for (const m of r.metrics) data[m.name] = [{ type: m.type, help: m.help, unit: m.unit }];
      return { status: 'success', data };
    }),
  );

  for (const [path, fn] of Object.entries(deps.extra ?? {})) server.route(path, handle(fn));

  // /api/v1/label/<name>/values: a path parameter, so it goes through the prefix router.
  server.prefixRoute(
    '/api/v1/label/',
    handle(async (p) => {
      const bad = p.get('__label_name_undecodable__');
      if (bad !== null) throw new BadParamError(`invalid label name: "${bad}" is not valid percent-encoding`);
      const name = p.get('__label_name__') ?? '';
      const { start, end } = timeWindow(p);
      const match = p.getAll('match[]');
      const r = await deps.queries.labelValues({ name, match: match.length > 0 ? match : undefined, start, end, limit: limitOf(p) });
      return { status: 'success', data: r.values };
    }),
    (path): Record<string, string> | null => {
      const m = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
      if (!m) return null;
      let name: string;
      try {
        name = decodeURIComponent(m[1]!);
      } catch {
        // Answered 400 by the handler, not a 500 from the router.
        return { __label_name_undecodable__: m[1]! };
      }
      // Prometheus 3: `U__` prefix marks an escaped (UTF-8) label name.
      if (name.startsWith('U__')) name = name.slice(3).replace(/_([0-9a-fA-F]+)_/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
      return { __label_name__: name };
    },
  );
}
