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

export type SendOutcome =
  | { readonly kind: 'sent' }
  | { readonly kind: 'retry'; readonly error: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'drop'; readonly error: string };

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

export async function sendOnce(ep: Endpoint, agent: http.Agent, body: Uint8Array, retryOn429: boolean, signal: AbortSignal): Promise<SendOutcome> {
  const headers: Record<string, string> = {
    ...ep.headers,
    'Content-Encoding': 'snappy',
    'Content-Type': 'application/x-protobuf',
    'User-Agent': ep.userAgent,
    'X-Prometheus-Remote-Write-Version': '0.1.0',
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
    if (res.status >= 200 && res.status < 300) return { kind: 'sent' };
    const error = `server returned HTTP status ${res.status}${firstLine(res.body)}`;
    if (res.status >= 500 || (res.status === 429 && retryOn429)) return { kind: 'retry', error, retryAfterMs: parseRetryAfter(res.headers['retry-after'], Date.now()) };
    return { kind: 'drop', error };
  } catch (err) {
    return { kind: 'retry', error: (err as Error).message, retryAfterMs: null };
  }
}
