/**
 * One HTTP(S) request with the client config applied, for callers that send a request and read a
 * bounded answer (HTTP SD, notification receivers, OAuth2 token requests). Redirects follow Go's
 * http.Client, as Prometheus and Alertmanager do with follow_redirects: at most 10 hops, http and
 * https only, 301/302/303 turn a POST into a GET without body, 307/308 repeat it, and the
 * Authorization header is kept on the same host only. The scrape loop has its own client
 * (main/scrape/http.ts) because it streams, decompresses and limits bodies while reading.
 */
import { Buffer } from 'node:buffer';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { alpnRequest, readBody } from './alpn.js';
import { proxyAgent, proxyFor, type ProxySettings } from './proxy.js';
import type { NodeTlsOptions } from './tls.js';

export interface HttpRequestOptions {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Connection reuse for callers that send often (remote write); default: a new connection. */
  readonly agent?: http.Agent;
  /** Used for https URLs (the first request and any redirect to https). */
  readonly tls?: NodeTlsOptions;
  /** One deadline over all hops. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** A longer answer fails the request rather than filling memory. */
  readonly maxBodyBytes: number;
  /** follow_redirects: false returns the 3xx answer itself. */
  readonly followRedirects: boolean;
  /** proxy_url etc.; absent or empty connects directly. */
  readonly proxy?: ProxySettings;
  /** enable_http2: offer h2 by ALPN on https (./alpn.ts); not through a proxy. */
  readonly http2?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The URL that answered, after redirects. */
  readonly url: URL;
}

/** Go's http.Client gives up after this many redirects. */
export const maxRedirects = 10;

function once(url: URL, o: HttpRequestOptions, method: string, headers: Record<string, string>, body: string | Uint8Array | undefined, deadline: number): Promise<HttpResponse> {
  const mod = url.protocol === 'https:' ? https : http;
  const tls = url.protocol === 'https:' ? (o.tls ?? {}) : {};
  const timeout = Math.max(1, deadline - Date.now());
  const sized = body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    // Each hop decides again: a redirect may leave (or enter) the no_proxy list.
    let agent: http.Agent | undefined;
    try {
      const proxy = o.proxy === undefined ? undefined : proxyFor(o.proxy, url);
      if (proxy !== undefined) agent = proxyAgent(proxy, url, o.proxy!, false);
    } catch (err) {
      return reject(err as Error);
    }
    // A proxy agent is this request's own; a caller's keep-alive agent (remote write) is reused
    // when no proxy applies and it fits the scheme, and is never destroyed here.
    const own = agent;
    if (url.protocol === 'https:' && o.http2 === true && own === undefined) {
      alpnRequest(url, o.tls ?? { rejectUnauthorized: true }, method, sized, body, timeout, o.maxBodyBytes, o.signal).then((r) => resolve({ ...r, url }), reject);
      return;
    }
    if (agent === undefined && o.agent !== undefined && (o.agent instanceof https.Agent) === (url.protocol === 'https:')) agent = o.agent;
    const req = mod.request(url, { method, headers: sized, timeout, ...(o.signal !== undefined ? { signal: o.signal } : {}), ...(agent !== undefined ? { agent } : {}), ...tls }, (res) => {
      readBody(res, o.maxBodyBytes).then(
        (b) => {
          own?.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, url });
        },
        (err: Error) => {
          own?.destroy();
          reject(err);
        },
      );
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', (err) => {
      own?.destroy();
      reject(err);
    });
    req.end(body);
  });
}

/** Sends the request, following redirects as configured. Throws on network errors, timeouts and redirect loops. */
export async function httpRequest(url: URL, o: HttpRequestOptions): Promise<HttpResponse> {
  const deadline = Date.now() + o.timeoutMs;
  let method = o.method;
  let body = o.body;
  let headers: Record<string, string> = { ...o.headers };
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await once(current, o, method, headers, body, deadline);
    const location = res.headers.location;
    if (!o.followRedirects || res.status < 300 || res.status > 399 || location === undefined || ![301, 302, 303, 307, 308].includes(res.status)) return res;
    if (hop >= maxRedirects) throw new Error(`stopped after ${maxRedirects} redirects`);
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new Error(`redirect to unsupported protocol scheme "${next.protocol.slice(0, -1)}"`);
    if (res.status !== 307 && res.status !== 308 && method !== 'GET' && method !== 'HEAD') {
      method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type'));
    }
    if (next.host !== current.host) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    current = next;
  }
}
