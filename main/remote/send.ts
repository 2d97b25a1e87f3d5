/**
 * One remote-write request and what its answer means, as Prometheus' queue manager decides:
 * 2xx sent; 5xx, network errors and (with retry_on_http_429) 429 are recoverable and retried
 * after `Retry-After` or the current backoff; any other status drops the samples.
 */
import http from 'node:http';
import https from 'node:https';
import { httpRequest } from '../http-client/request.js';
import { authorizationHeader } from '../http-client/auth.js';
import type { HttpAuth } from '../http-client/settings.js';
import type { ProxySettings } from '../http-client/proxy.js';
import type { NodeTlsOptions } from '../http-client/tls.js';

export interface Endpoint {
  readonly url: URL;
  readonly auth: HttpAuth;
  readonly tls: NodeTlsOptions;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly followRedirects: boolean;
  /** proxy_url, no_proxy, proxy_from_environment, proxy_connect_header (requests through a proxy use its agent, not the keep-alive one). */
  readonly proxy: ProxySettings;
  readonly userAgent: string;
}

/** What a 2.0 receiver says it wrote (X-Prometheus-Remote-Write-*-Written); a kind is absent when its header is. */
interface Written {
  readonly samples?: number;
  readonly histograms?: number;
  readonly exemplars?: number;
}

export type SendOutcome =
  | { readonly kind: 'sent'; readonly written?: Written }
  | { readonly kind: 'retry'; readonly error: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'drop'; readonly error: string; readonly status: number };

/** Content-Type of a remote write 2.0 request. */
const v2ContentType = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

function writtenHeaders(h: Record<string, string | string[] | undefined>): Written | undefined {
  const out: Record<string, number> = {};
  for (const kind of ['samples', 'histograms', 'exemplars']) {
    const v = h[`x-prometheus-remote-write-${kind}-written`];
    const n = Number(Array.isArray(v) ? v[0] : v);
    if (v !== undefined && Number.isInteger(n) && n >= 0) out[kind] = n;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Keep-alive agents per endpoint: a queue sends every few seconds for as long as Vigil runs. */
export function endpointAgent(url: URL): http.Agent {
  const o = { keepAlive: true, maxSockets: 64 };
  return url.protocol === 'https:' ? new https.Agent(o) : new http.Agent(o);
}

/** Retry-After: delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** Only the first line of an answer goes into errors (receivers can answer with pages of HTML). */
function firstLine(body: Buffer): string {
  const text = body.subarray(0, 512).toString('utf8').split('\n')[0]!.trim();
  return text === '' ? '' : `: ${text}`;
}

/** One POST of a snappy-compressed body: a 1.0 WriteRequest, or with `v2` a 2.0 Request. */
export async function sendOnce(ep: Endpoint, agent: http.Agent, body: Uint8Array, retryOn429: boolean, signal: AbortSignal, v2 = false): Promise<SendOutcome> {
  const headers: Record<string, string> = {
    ...ep.headers,
    'Content-Encoding': 'snappy',
    'Content-Type': v2 ? v2ContentType : 'application/x-protobuf',
    'User-Agent': ep.userAgent,
    'X-Prometheus-Remote-Write-Version': v2 ? '2.0.0' : '0.1.0',
  };
  try {
    const authorization = await authorizationHeader(ep.auth);
    if (authorization !== undefined) headers['Authorization'] = authorization;
    const res = await httpRequest(ep.url, {
      method: 'POST',
      headers,
      body,
      tls: ep.tls,
      agent,
      timeoutMs: ep.timeoutMs,
      signal,
      maxBodyBytes: 1 << 20,
      followRedirects: ep.followRedirects,
      proxy: ep.proxy,
    });
    if (res.status >= 200 && res.status < 300) {
      const written = v2 ? writtenHeaders(res.headers) : undefined;
      return written === undefined ? { kind: 'sent' } : { kind: 'sent', written };
    }
    const error = `server returned HTTP status ${res.status}${firstLine(res.body)}`;
    if (res.status >= 500 || (res.status === 429 && retryOn429)) return { kind: 'retry', error, retryAfterMs: parseRetryAfter(res.headers['retry-after'], Date.now()) };
    return { kind: 'drop', error, status: res.status };
  } catch (err) {
    return { kind: 'retry', error: (err as Error).message, retryAfterMs: null };
  }
}
