/**
 * Requests to a remote data source's Prometheus HTTP API (`/api/v1/query`, `query_range`,
 * `labels`, `label/<name>/values`, `metadata`, `status/buildinfo`) with the source's auth, TLS,
 * proxy and headers through main/http-client/, and their answers turned into the contract's
 * shapes. Answers are bounded in size and time; an abort (the page cancelled) ends the request.
 */
import { ApiError } from '../../app/api/errors.js';
import { toWire, type InstantResult, type RangeResult, type WireHistogram, type WireValue } from '../../app/api/query.js';
import { authorizationHeader } from '../http-client/auth.js';
import { httpRequest, type HttpResponse } from '../http-client/request.js';
import type { HttpAuth } from '../http-client/settings.js';
import type { StoredSource } from './sources-store.js';

/**
 * Bounds on one request to a source: the whole exchange (a source that answers slowly or
 * trickles its bytes is cut off at `timeoutMs`, not only one that goes quiet) and the answer's
 * size (the local API's own answers stay below 64 MiB too).
 */
export interface SourceLimits {
  readonly timeoutMs: number;
  readonly maxAnswerBytes: number;
}
export const defaultSourceLimits: SourceLimits = { timeoutMs: 30_000, maxAnswerBytes: 64 << 20 };

const mib = (n: number) => (n >= 1 << 20 ? `${Math.round(n / (1 << 20))} MiB` : `${n} bytes`);

interface PromAnswer {
  status: 'success' | 'error';
  data?: unknown;
  errorType?: string;
  error?: string;
  warnings?: string[];
  infos?: string[];
}

function authOf(s: StoredSource): HttpAuth {
  switch (s.auth.kind) {
    case 'basic':
      return { kind: 'basic', username: s.auth.username, password: s.auth.secret, passwordFile: '' };
    case 'bearer':
      return { kind: 'authorization', type: 'Bearer', credentials: s.auth.secret, credentialsFile: '' };
    default:
      return { kind: 'none' };
  }
}

/**
 * One API call; throws an ApiError naming the source (bad_request for the source's 4xx and for an
 * answer over the size limit, unavailable otherwise; errorType "timeout" past `limits.timeoutMs`,
 * "canceled" when `signal` aborts). It settles by the deadline whatever the source does.
 */
export async function callSource(
  s: StoredSource,
  path: string,
  params: URLSearchParams,
  signal: AbortSignal | undefined,
  userAgent: string,
  limits: SourceLimits = defaultSourceLimits,
): Promise<PromAnswer> {
  const where = `source ${JSON.stringify(s.name)}`;
  const url = new URL(s.url.replace(/\/+$/, '') + path);
  const post = path === '/api/v1/query' || path === '/api/v1/query_range';
  if (!post) url.search = params.toString();
  const headers: Record<string, string> = { ...s.headers, Accept: 'application/json', 'User-Agent': userAgent };
  if (s.orgId !== '') headers['X-Scope-OrgID'] = s.orgId;
  // One controller ends the exchange: the page's cancel or the deadline, whichever comes first.
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, limits.timeoutMs);
  const cancel = () => stop.abort();
  signal?.addEventListener('abort', cancel, { once: true });
  if (signal?.aborted) stop.abort();
  // The race settles the call even where a cut response would leave the body read pending.
  const stopped = new Promise<never>((_, reject) => stop.signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));
  let res: HttpResponse;
  try {
    const authorization = await authorizationHeader(authOf(s));
    if (authorization !== undefined) headers['Authorization'] = authorization;
    if (post) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const request = httpRequest(url, {
      method: post ? 'POST' : 'GET',
      headers,
      ...(post ? { body: params.toString() } : {}),
      tls: { rejectUnauthorized: !s.tlsInsecureSkipVerify, ...(s.caPem !== '' ? { ca: s.caPem } : {}) },
      timeoutMs: limits.timeoutMs,
      signal: stop.signal,
      maxBodyBytes: limits.maxAnswerBytes,
      followRedirects: true,
      proxy: { url: s.proxyUrl, noProxy: '', fromEnvironment: false, connectHeader: {} },
    });
    res = await Promise.race([request, stopped]);
  } catch (err) {
    if (signal?.aborted) throw new ApiError({ kind: 'bad_request', errorType: 'canceled', where, message: `${where}: query was canceled` });
    if (timedOut) {
      throw new ApiError({ kind: 'unavailable', errorType: 'timeout', where, message: `${where} (${url.origin}) did not answer within ${limits.timeoutMs / 1000} s; the request was stopped` });
    }
    if (/response larger than/.test((err as Error).message)) {
      throw new ApiError({
        kind: 'bad_request',
        errorType: 'execution',
        where,
        message: `${where} answered more than ${mib(limits.maxAnswerBytes)}; the answer was dropped — ask for fewer series, a shorter range or a larger step`,
      });
    }
    throw new ApiError({ kind: 'unavailable', where, message: `${where} (${url.origin}) did not answer: ${(err as Error).message}` });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
  let body: PromAnswer | null = null;
  try {
    body = JSON.parse(res.body.toString('utf8')) as PromAnswer;
  } catch {
    /* not JSON: said below */
  }
  if (body === null || (body.status !== 'success' && body.status !== 'error')) {
    const text = res.body.subarray(0, 200).toString('utf8').trim();
    throw new ApiError({ kind: 'unavailable', where, message: `${where} answered HTTP ${res.status} without a Prometheus API answer${text ? `: ${text}` : ''}` });
  }
  if (body.status === 'error') {
    const kind = res.status >= 500 ? 'unavailable' : 'bad_request';
    throw new ApiError({ kind, where, ...(body.errorType ? { errorType: body.errorType } : {}), message: `${where}: ${body.error ?? `HTTP ${res.status}`}` });
  }
  return body;
}

/** A value as Prometheus' JSON writes it ("1.5", "NaN", "+Inf") on the contract's wire. */
function wireValue(v: unknown): WireValue {
  if (v === 'NaN' || v === '+Inf' || v === '-Inf') return v;
  return toWire(Number(v));
}

interface PromHistogram {
  count: string;
  sum: string;
  buckets?: [number, string, string, string][];
}
const wireHistogram = (h: PromHistogram): WireHistogram => ({ count: h.count, sum: h.sum, buckets: h.buckets ?? [] });

const bad = (what: string): never => {
  throw new ApiError({ kind: 'unavailable', message: `the source's answer is not a Prometheus ${what}` });
};

/** `/api/v1/query`'s data as the contract's instant result. */
export function instantFromProm(data: unknown): InstantResult {
  const d = data as { resultType?: string; result?: unknown };
  switch (d.resultType) {
    case 'vector':
      return {
        resultType: 'vector',
        samples: ((d.result ?? []) as { metric: Record<string, string>; value?: [number, string]; histogram?: [number, PromHistogram] }[]).map((s) =>
          s.histogram ? { labels: s.metric, t: s.histogram[0] * 1000, v: 0, h: wireHistogram(s.histogram[1]) } : { labels: s.metric, t: (s.value?.[0] ?? 0) * 1000, v: wireValue(s.value?.[1]) },
        ),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        series: ((d.result ?? []) as { metric: Record<string, string>; values?: [number, string][] }[]).map((s) => ({
          labels: s.metric,
          t: (s.values ?? []).map((p) => Math.round(p[0] * 1000)),
          v: (s.values ?? []).map((p) => wireValue(p[1])),
        })),
      };
    case 'scalar': {
      const [t, v] = d.result as [number, string];
      return { resultType: 'scalar', t: t * 1000, v: wireValue(v) };
    }
    case 'string': {
      const [t, v] = d.result as [number, string];
      return { resultType: 'string', t: t * 1000, v };
    }
    default:
      return bad('query answer');
  }
}

/** `/api/v1/query_range`'s matrix on the contract's columns: one slot per step from start to end. */
export function rangeFromProm(data: unknown, startMs: number, endMs: number, stepMs: number): RangeResult {
  const d = data as { resultType?: string; result?: { metric: Record<string, string>; values?: [number, string][]; histograms?: [number, PromHistogram][] }[] };
  if (d.resultType !== 'matrix') return bad('range answer');
  const n = Math.floor((endMs - startMs) / stepMs) + 1;
  const timestamps = Array.from({ length: n }, (_, i) => startMs + i * stepMs);
  const series = (d.result ?? []).map((s) => {
    const values: (WireValue | null)[] = new Array<WireValue | null>(n).fill(null);
    for (const [t, v] of s.values ?? []) {
      const i = Math.round((t * 1000 - startMs) / stepMs);
      if (i >= 0 && i < n) values[i] = wireValue(v);
    }
    if (!s.histograms || s.histograms.length === 0) return { labels: s.metric, values };
    const histograms: (WireHistogram | null)[] = new Array<WireHistogram | null>(n).fill(null);
    for (const [t, h] of s.histograms) {
      const i = Math.round((t * 1000 - startMs) / stepMs);
      if (i >= 0 && i < n) {
        histograms[i] = wireHistogram(h);
        values[i] = 0;
      }
    }
    return { labels: s.metric, values, histograms };
  });
  return { resultType: 'matrix', timestamps, series };
}

/** Prometheus takes times as seconds (decimals allowed). */
export const seconds = (ms: number): string => String(ms / 1000);
