/**
 * Fetches one scrape over node:http/https (HTTP/2 with enable_http2 when an https server offers
 * it, ./http2-sessions.ts), as Prometheus 2.42 does: its Accept header, gzip,
 * `X-Prometheus-Scrape-Timeout-Seconds`, one deadline over the whole exchange (headers and body,
 * so a slowloris target is cut), and the body size limit counted while streaming and after
 * gunzip (so a gzip bomb stops at the limit, not when memory runs out). Redirects are followed
 * as Go's client does (at most 10, http and https only, Authorization kept on the same host
 * only, all within the one deadline), except that a redirect to a link-local address (the cloud
 * metadata range) is refused. proxy_url etc. go through main/http-client/proxy.ts; a proxied
 * request is resolved by the proxy, so the link-local refusal then applies to IP literals only.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup, type LookupAddress, type LookupOneOptions, type LookupAllOptions } from 'node:dns';
import { isIP } from 'node:net';
import { gunzip, gunzipSync, type ZlibOptions } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { ClientHttp2Session, IncomingHttpHeaders as Http2Headers } from 'node:http2';
import type { IncomingHttpHeaders } from 'node:http';
import { directConnection, ProxyAgents, type ProxySettings } from '../http-client/proxy.js';
import type { NodeTlsOptions } from '../http-client/tls.js';
import { isLinkLocal } from '../util/ip.js';
import { TlsConnectError } from '../http-client/alpn.js';
import { Http2Sessions } from './http2-sessions.js';
import { PlainHttpConnections, PlainHttpError, type PlainResponse } from './http-plain.js';

/** Prometheus 2.42's exact header (checked against the Debian binary): when a request names none. */
const scrapeAcceptHeader =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export interface ScrapeRequest {
  url: string;
  /** The deadline for the whole scrape in ms. */
  timeoutMs: number;
  /** Uncompressed bytes; 0 means no limit (Prometheus' default). */
  bodySizeLimit: number;
  /** The whole `Authorization` header value, e.g. `Bearer abc`. */
  authorization?: string;
  /** The Accept header (scrape_protocols, ./protocols.ts); Prometheus 2.42's when absent. */
  accept?: string;
  /** false sends `Accept-Encoding: identity` (Prometheus' enable_compression: false). */
  compression?: boolean;
  userAgent: string;
  signal?: AbortSignal;
  /** Follow redirects (Prometheus' follow_redirects, default true); false fails on a 3xx. */
  followRedirects?: boolean;
}

export interface ScrapeResponse {
  body: Buffer;
  contentType: string;
}

/** Why a fetch failed; `reason` feeds the self-metrics, `message` is Prometheus' wording. */
export type ScrapeFailure = 'timeout' | 'body_size' | 'http_status' | 'network' | 'decode' | 'aborted';

export class ScrapeHttpError extends Error {
  constructor(
    readonly reason: ScrapeFailure,
    message: string,
  ) {
    super(message);
  }
}

const reasonMessages: Record<'timeout' | 'body_size' | 'aborted', string> = {
  timeout: 'context deadline exceeded',
  body_size: 'body size limit exceeded',
  aborted: 'context canceled',
};

/** Keeps connections alive between scrapes of one target, like Go's http.Transport. */
export class ScrapeClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly httpsAgent: https.Agent;
  private readonly proxies: ProxyAgents;
  /** enable_http2: HTTP/2 sessions for https targets that offer it; null speaks HTTP/1.1 only. */
  private readonly http2: Http2Sessions | null;
  /** Plain http without a proxy: the lean client (./http-plain.ts). */
  private readonly plain = new PlainHttpConnections();
  /** The last request head built for the plain client, and what it was built from. */
  private plainHead = { key: '', head: '' };

  /** `tls` comes from main/http-client's nodeTlsOptions (files already read). */
  constructor(
    private readonly tls: NodeTlsOptions = { rejectUnauthorized: true },
    proxy: ProxySettings = directConnection,
    enableHttp2 = false,
  ) {
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 1, ...tls });
    this.proxies = new ProxyAgents(proxy, true);
    this.http2 = enableHttp2 ? new Http2Sessions(tls) : null;
  }

  /** How one hop is sent: HTTP/2 when enabled and the https server offers it (not through a proxy), else HTTP/1.1. */
  private async opener(hop: ScrapeRequest, isRedirect: boolean): Promise<Opener> {
    const { agent, tls, proxied } = this.route(hop.url);
    if (this.http2 === null || proxied || !hop.url.startsWith('https:')) return http1Opener(agent, isRedirect, tls);
    let session: ClientHttp2Session | null;
    try {
      session = await this.http2.session(new URL(hop.url), hop.timeoutMs, hop.signal, isRedirect ? (lookupRefusingLinkLocal as never) : undefined);
    } catch (err) {
      if (!(err instanceof TlsConnectError)) throw err;
      const message = err.reason === 'network' ? err.message : reasonMessages[err.reason];
      throw new ScrapeHttpError(err.reason, `Get "${hop.url}": ${message}`);
    }
    return session === null ? http1Opener(agent, isRedirect, tls) : http2Opener(session);
  }

  /** The agent for one hop and, through a proxy, the TLS options the tunnel's handshake needs. */
  private route(url: string): { agent: http.Agent; tls: NodeTlsOptions | undefined; proxied: boolean } {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return { agent: this.httpAgent, tls: undefined, proxied: false };
    }
    const secure = target.protocol === 'https:';
    let proxied: http.Agent | undefined;
    try {
      proxied = this.proxies.agentFor(target);
    } catch (err) {
      throw new ScrapeHttpError('network', `Get "${url}": proxyconnect: ${(err as Error).message}`);
    }
    if (proxied !== undefined) return { agent: proxied, tls: secure ? this.tls : undefined, proxied: true };
    return { agent: secure ? this.httpsAgent : this.httpAgent, tls: undefined, proxied: false };
  }

  async fetch(req: ScrapeRequest): Promise<ScrapeResponse> {
    const deadline = Date.now() + req.timeoutMs;
    const origin = hostOf(req.url);
    let hop = req;
    for (let redirects = 0; ; redirects++) {
      const plainUrl = redirects === 0 ? this.plainUrl(hop) : null;
      const answer =
        plainUrl !== null
          ? await this.fetchPlain(hop, plainUrl, deadline)
          : await fetchOnce(hop, await this.opener(hop, redirects > 0), Math.max(1, deadline - Date.now()));
      if (!('location' in answer)) return answer;
      // Go's default: the 10th response's redirect is not followed; the error names its Location as sent.
      if (redirects + 1 >= maxRedirects) throw new ScrapeHttpError('network', `Get "${answer.location}": stopped after ${maxRedirects} redirects`);
      const next = redirectTarget(hop.url, answer.location);
      const { authorization: _dropped, ...rest } = hop;
      hop = {
        ...rest,
        url: next,
        timeoutMs: Math.max(1, deadline - Date.now()),
        // Go keeps sensitive headers only while the redirect stays on the same host.
        ...(hop.authorization !== undefined && hostOf(next) === origin ? { authorization: hop.authorization } : {}),
      };
    }
  }

  /**
   * The URL when this hop can go through the plain client: http:, no proxy, header values without
   * control characters (node:http refuses those with its own error). Redirect hops never do: they
   * need the link-local check on name resolution.
   */
  private plainUrl(hop: ScrapeRequest): URL | null {
    if (!hop.url.startsWith('http:')) return null;
    let url: URL;
    try {
      url = new URL(hop.url);
      if (this.proxies.agentFor(url) !== undefined) return null;
    } catch {
      return null;
    }
    return url;
  }

  /** The request head for the plain client, rebuilt only when the request changed (it rarely does). */
  private headOf(hop: ScrapeRequest, url: URL): string | null {
    const opt = (v: string | undefined): string => (v === undefined ? '-' : `+${v}`);
    const key = `${url.href}\n${opt(hop.accept)}\n${hop.compression}\n${hop.userAgent}\n${hop.timeoutMs}\n${opt(hop.authorization)}`;
    if (this.plainHead.key === key) return this.plainHead.head;
    let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
    for (const [name, value] of Object.entries(requestHeaders(hop))) {
      // node:http refuses control characters and non-latin1 text in headers with its own error: let it.
      if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) return null;
      head += `${name}: ${value}\r\n`;
    }
    head += 'Connection: keep-alive\r\n\r\n';
    this.plainHead = { key, head };
    return head;
  }

  /** One hop through the plain client, with fetchOnce's outcomes and wording. */
  private async fetchPlain(hop: ScrapeRequest, url: URL, deadline: number): Promise<ScrapeResponse | { location: string }> {
    const head = this.headOf(hop, url);
    if (head === null) return fetchOnce(hop, await this.opener(hop, false), Math.max(1, deadline - Date.now()));
    const limit = hop.bodySizeLimit;
    let r: PlainResponse;
    try {
      r = await this.plain.fetch({ url, head, timeoutMs: Math.max(1, deadline - Date.now()), signal: hop.signal, capOf: (gzipped) => bodyCap(limit, gzipped) });
    } catch (err) {
      if (!(err instanceof PlainHttpError)) throw err;
      throw new ScrapeHttpError(err.reason, err.afterHead ? err.message : `Get "${hop.url}": ${err.message}`);
    }
    try {
      const status = r.status;
      if (redirectStatuses.has(status) && hop.followRedirects !== false && r.location !== undefined) return { location: r.location };
      if (status !== 200) throw new ScrapeHttpError('http_status', statusError(status, r.statusMessage));
      if (!/\bgzip\b/i.test(r.contentEncoding)) return { body: r.owned ? r.body : Buffer.from(r.body), contentType: r.contentType };
      let body: Buffer;
      try {
        body = await gunzipBounded(r.body, limit);
      } catch (err) {
        throw inflateError(err as NodeJS.ErrnoException);
      }
      if (Date.now() > deadline) throw new ScrapeHttpError('timeout', reasonMessages.timeout);
      return { body, contentType: r.contentType };
    } finally {
      r.release();
    }
  }

  close(): void {
    this.plain.close();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.proxies.close();
    this.http2?.close();
  }
}

function requestHeaders(req: ScrapeRequest): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: req.accept ?? scrapeAcceptHeader,
    'Accept-Encoding': req.compression === false ? 'identity' : 'gzip',
    'User-Agent': req.userAgent,
    'X-Prometheus-Scrape-Timeout-Seconds': String(req.timeoutMs / 1000),
  };
  if (req.authorization !== undefined) headers['Authorization'] = req.authorization;
  return headers;
}

/** Compressed bodies up to this size inflate synchronously: even at gzip's ~1000:1 worst case that is ≤ 4 MiB, a few ms. */
const syncInflateMax = 4 * 1024;
/**
 * A larger body whose gzip trailer announces at most this many bytes inflates synchronously too,
 * capped at this size (the trailer is only a hint: a lying one costs at most this much work).
 * 2 MiB inflate in ~2 ms; a typical exporter page (100–500 KB) then skips the thread pool's
 * round trip and zlib's stream machinery, which cost more CPU than the inflate itself.
 */
const syncInflateOutMax = 2 * 1024 * 1024;

/**
 * The uncompressed size a gzip body's trailer (ISIZE, RFC 1952 §2.3.1) states, modulo 2^32; exact
 * for the single-member bodies HTTP servers send, and only used to pick the path below.
 */
function statedSize(body: Buffer): number {
  return body.length >= 18 ? body.readUInt32LE(body.length - 4) : Infinity;
}

/**
 * Inflates a gzip body, stopping as soon as the output would pass the limit, so a gzip bomb costs
 * at most `limit` bytes of work and memory. A small body, or one whose trailer states at most
 * syncInflateOutMax bytes, inflates in one synchronous call capped there (less CPU than a zlib
 * stream's thread-pool round trip); a larger one (or one that overruns the cap) on the thread
 * pool in 1 MiB chunks, so a 64 MiB inflate (about 160 ms of CPU) does not stall other targets' scrapes.
 */
export function gunzipBounded(body: Buffer, limit: number): Promise<Buffer> {
  const opts: ZlibOptions = limit > 0 ? { maxOutputLength: Math.max(1, limit - 1) } : {};
  if (body.length <= syncInflateMax) {
    try {
      return Promise.resolve(gunzipSync(body, opts));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
  const stated = statedSize(body);
  if (stated <= syncInflateOutMax) {
    const cap = Math.min(syncInflateOutMax, opts.maxOutputLength ?? Infinity);
    try {
      // One output chunk a little larger than the stated size: no concatenation, no second chunk.
      return Promise.resolve(exactSize(gunzipSync(body, { maxOutputLength: cap, chunkSize: Math.max(16 * 1024, stated + 64) })));
    } catch (err) {
      // Past the cap but within the limit: the trailer lied, inflate on the thread pool as below.
      const overCap = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' && cap < (opts.maxOutputLength ?? Infinity);
      if (!overCap) return Promise.reject(err as Error);
    }
  }
  return new Promise((resolve, reject) => gunzip(body, { ...opts, chunkSize: 1024 * 1024 }, (err, out) => (err ? reject(err) : resolve(exactSize(out)))));
}

/**
 * Node hands back an inflate that fit in one output chunk as a slice of that 1 MiB chunk: kept
 * as the page, it held a whole MiB per target until the next scrape (a heap snapshot of W-fleet:
 * 50 MiB of buffers for 50 targets of ~200 KB pages). A copy of the right size costs a memcpy.
 */
function exactSize(out: Buffer): Buffer {
  return out.length < out.buffer.byteLength / 2 ? Buffer.from(out) : out;
}

/**
 * Body bytes at which a fetch fails: Prometheus reads at most `limit` bytes and fails when it got
 * all of them. Compressed bytes get the same cap plus gzip's worst-case growth, so an endless gzip
 * stream is cut too.
 */
function bodyCap(limit: number, gzipped: boolean): number {
  return limit <= 0 ? Infinity : gzipped ? limit + Math.ceil(limit / 100) + 1024 : limit;
}

function statusError(status: number, statusMessage: string | undefined): string {
  return `server returned HTTP status ${status} ${statusMessage ?? http.STATUS_CODES[status] ?? ''}`.trimEnd();
}

function inflateError(err: NodeJS.ErrnoException): ScrapeHttpError {
  const tooBig = err.code === 'ERR_BUFFER_TOO_LARGE';
  return new ScrapeHttpError(tooBig ? 'body_size' : 'decode', tooBig ? reasonMessages.body_size : `gzip: ${err.message}`);
}

const maxRedirects = 10;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** The next URL of a redirect, or the error Go's client (or Vigil's link-local rule) gives. */
function redirectTarget(from: string, location: string): string {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new ScrapeHttpError('network', `Get "${from}": failed to parse Location header "${location}"`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new ScrapeHttpError('network', `Get "${next.href}": unsupported protocol scheme "${next.protocol.slice(0, -1)}"`);
  }
  const host = next.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0 && isLinkLocal(host)) throw new ScrapeHttpError('network', `Get "${next.href}": ${linkLocalRefusal(host)}`);
  return next.href;
}

function linkLocalRefusal(address: string): string {
  return `refusing to follow a redirect to link-local address ${address} (cloud metadata range); scrape that address directly if it is meant`;
}

/** DNS for a redirect hop: a name that resolves into the link-local range is refused. */
function lookupRefusingLinkLocal(
  hostname: string,
  options: LookupOneOptions | LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isLinkLocal(a.address));
    if (bad) return callback(new ScrapeHttpError('network', linkLocalRefusal(bad.address)), []);
    if ((options as LookupAllOptions).all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
}

/** A response as fetchOnce reads it, from HTTP/1.1 (node:http) or HTTP/2 (node:http2). */
interface OpenedResponse {
  readonly status: number;
  /** HTTP/1.1's reason phrase; HTTP/2 has none (the standard text is used). */
  readonly statusMessage: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
}

/** Sends the request; calls back once with the response or an error; `destroy` cancels it. */
type Opener = (url: URL, headers: Record<string, string>, onResponse: (r: OpenedResponse) => void, onError: (err: Error) => void) => { destroy(): void };

/** HTTP/1.1 through a Node agent (keep-alive, or a proxy's). */
function http1Opener(agent: http.Agent, isRedirect: boolean, tls?: NodeTlsOptions): Opener {
  return (url, headers, onResponse, onError) => {
    const mod = url.protocol === 'https:' ? https : http;
    const options: https.RequestOptions = { agent, headers, ...(isRedirect ? { lookup: lookupRefusingLinkLocal as never } : {}), ...tls };
    const request = mod.get(url, options, (res) => onResponse({ status: res.statusCode ?? 0, statusMessage: res.statusMessage, headers: res.headers, body: res }));
    request.on('error', onError);
    return request;
  };
}

/** HTTP/2 on a session ALPN chose h2 for (./http2-sessions.ts). */
function http2Opener(session: ClientHttp2Session): Opener {
  return (url, headers, onResponse, onError) => {
    const h2: Record<string, string> = { ':method': 'GET', ':path': url.pathname + url.search };
    for (const [k, v] of Object.entries(headers)) h2[k.toLowerCase()] = v;
    const stream = session.request(h2, { endStream: true });
    stream.on('response', (h: Http2Headers) => {
      const plain: IncomingHttpHeaders = {};
      for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) plain[k] = v as string | string[];
      onResponse({ status: Number(h[':status'] ?? 0), statusMessage: undefined, headers: plain, body: stream });
    });
    stream.on('error', onError);
    return { destroy: () => stream.destroy() };
  };
}

/** One hop; `timeoutMs` is what is left of the scrape's deadline (opening an HTTP/2 session may have used some). */
function fetchOnce(req: ScrapeRequest, open: Opener, timeoutMs: number): Promise<ScrapeResponse | { location: string }> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(new ScrapeHttpError('network', `invalid scrape URL "${req.url}"`));
      return;
    }
    let settled = false;
    let gotHeaders = false;
    let source: Readable | null = null;

    const fail = (reason: ScrapeFailure, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      // Go wraps request-phase errors as `Get "<url>": …`; body-phase errors stand alone.
      reject(new ScrapeHttpError(reason, gotHeaders || reason === 'http_status' ? message : `Get "${req.url}": ${message}`));
      source?.destroy();
      request.destroy();
    };
    const onAbort = (): void => fail('aborted', reasonMessages.aborted);
    const timer = setTimeout(() => fail('timeout', reasonMessages.timeout), timeoutMs);

    const request = open(url, requestHeaders(req), (res) => {
      gotHeaders = true;
      const status = res.status;
      const location = res.headers.location;
      if (redirectStatuses.has(status) && req.followRedirects !== false && location !== undefined) {
        res.body.resume();
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        resolve({ location });
        return;
      }
      if (status !== 200) {
        res.body.resume();
        fail('http_status', statusError(status, res.statusMessage));
        return;
      }
      const gzipped = /\bgzip\b/i.test(res.headers['content-encoding'] ?? '');
      source = res.body;
      const chunks: Buffer[] = [];
      let size = 0;
      const limit = req.bodySizeLimit;
      const cap = bodyCap(limit, gzipped);
      res.body.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size >= cap) {
          fail('body_size', reasonMessages.body_size);
          return;
        }
        chunks.push(chunk);
      });
      res.body.on('error', (err: Error) => fail('network', err.message));
      res.body.on('aborted', () => fail('network', 'unexpected EOF'));
      res.body.on('end', () => {
        if (settled) return;
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
        chunks.length = 0;
        const done = (out: Buffer): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          req.signal?.removeEventListener('abort', onAbort);
          resolve({ body: out, contentType: res.headers['content-type'] ?? '' });
        };
        if (!gzipped) return done(body);
        gunzipBounded(body, limit).then(done, (err: NodeJS.ErrnoException) => {
          const e = inflateError(err);
          fail(e.reason, e.message);
        });
      });
    }, (err: Error) => (err instanceof ScrapeHttpError ? fail(err.reason, err.message) : fail('network', err.message)));
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
