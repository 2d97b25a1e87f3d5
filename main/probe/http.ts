/**
 * The http prober: blackbox_exporter 0.23's ProbeHTTP semantics (metrics, phases summed over
 * redirects, status/version/header/body checks) with Vigil's safety rules: every redirect hop is
 * checked (http/https only, no link-local metadata addresses unless allowed) and bodies are capped.
 */
import { isIP } from 'node:net';
import type { HttpProbeConfig } from './module-schema.js';
import { chooseProtocol, type LookupFn } from './resolve.js';
import { isLinkLocal } from '../util/ip.js';
import { runHop, type HopProxy, type HopResult, type HopTls } from './http-hop.js';
import { explainChain, recordCertSeries, recordTlsMetrics, trustedRoots } from './tls-chain.js';
import { authorizationHeader } from '../http-client/auth.js';
import { nodeTlsOptions } from '../http-client/tls.js';
import { connectHeaders, proxyFor } from '../http-client/proxy.js';
import { authSettings, proxySettings, tlsSettings } from '../http-client/settings.js';
import type { ProbeContext } from './types.js';

/** Go's http.Client stops after 10 redirects. */
const maxRedirects = 10;
/** With no body_size_limit, still refuse to buffer more than this (blackbox has no cap). */
const defaultBodyCap = 64 * 1024 * 1024;
const phases = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;

/**
 * Headers for one hop. On a redirect to another host, the configured Host override and the
 * credentials stay behind (Go's client drops Authorization across hosts, too).
 */
function requestHeaders(cfg: HttpProbeConfig, url: URL, method: string, body: string | undefined, sameHost: boolean, authorization: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { Host: url.host, 'User-Agent': 'Blackbox Exporter/0.23.0 (Vigil)' };
  for (const [k, v] of Object.entries(cfg.headers)) {
    const isHost = k.toLowerCase() === 'host';
    if (isHost && !sameHost) continue;
    if (!sameHost && k.toLowerCase() === 'authorization') continue;
    headers[isHost ? 'Host' : k] = v;
  }
  if (cfg.compression !== '') headers['Accept-Encoding'] = cfg.compression;
  // Go's request writer: the body's length, and an explicit 0 for a POST, PUT or PATCH without one.
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  else if (method === 'POST' || method === 'PUT' || method === 'PATCH') headers['Content-Length'] = '0';
  if (sameHost && authorization !== undefined) headers['Authorization'] = authorization;
  return headers;
}

function hopTls(cfg: HttpProbeConfig): HopTls {
  const o = nodeTlsOptions(tlsSettings(cfg.tls_config));
  return {
    ...(o.ca !== undefined ? { ca: o.ca } : {}),
    ...(o.cert !== undefined ? { cert: o.cert } : {}),
    ...(o.key !== undefined ? { key: o.key } : {}),
    ...(o.servername !== undefined ? { serverName: o.servername } : {}),
    ...(o.minVersion !== undefined ? { minVersion: o.minVersion } : {}),
    ...(o.maxVersion !== undefined ? { maxVersion: o.maxVersion } : {}),
    insecure: !o.rejectUnauthorized,
    roots: trustedRoots(o.ca),
  };
}

const s = (ms: number): number => ms / 1000;

/**
 * The proxy of one hop. As blackbox_exporter, the decision (no_proxy, loopback) is made for the
 * URL as sent, whose host is the resolved IP; the proxy is asked for that IP. Probes speak to
 * http:// proxies only.
 */
function hopProxy(cfg: HttpProbeConfig, url: URL, ip: string): HopProxy | undefined {
  const sent = new URL(url.href);
  sent.hostname = isIP(ip) === 6 ? `[${ip}]` : ip;
  const settings = proxySettings(cfg);
  const proxy = proxyFor(settings, sent);
  if (proxy === undefined) return undefined;
  if (proxy.protocol !== 'http:') throw new Error(`proxy ${proxy.host}: probes go through http:// proxies only, not ${proxy.protocol.slice(0, -1)}://`);
  return { url: proxy, connectHeaders: connectHeaders(settings) };
}

export async function probeHttp(ctx: ProbeContext, target: string, cfg: HttpProbeConfig, resolver?: LookupFn): Promise<boolean> {
  const m = ctx.metrics;
  for (const phase of phases) m.set('probe_http_duration_seconds', 0, { phase });
  m.register(
    'probe_http_content_length',
    'probe_http_uncompressed_body_length',
    'probe_http_redirects',
    'probe_http_ssl',
    'probe_http_status_code',
    'probe_http_version',
    'probe_failed_due_to_regex',
  );
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : `http://${target}`);
  } catch {
    ctx.log('error', 'http', 'Could not parse target URL', { target, hint: 'use e.g. https://example.com/health' });
    return false;
  }
  let tls: HopTls;
  try {
    tls = hopTls(cfg);
  } catch (err) {
    ctx.log('error', 'tls', 'Error creating the TLS configuration', { err: (err as Error).message });
    return false;
  }
  let authorization: string | undefined;
  try {
    authorization = await authorizationHeader(authSettings(cfg));
  } catch (err) {
    ctx.log('error', 'http', 'Error creating the request credentials', { err: (err as Error).message });
    return false;
  }
  const follow = cfg.no_follow_redirects === true ? false : cfg.follow_redirects;
  let method = cfg.method;
  let body = cfg.body;
  let redirects = 0;
  let unfollowed = false;
  const firstHost = url.host;
  let hop: HopResult | undefined;
  for (let i = 0; ; i++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.log('error', 'redirect', `Refusing ${i === 0 ? 'target' : 'redirect'} with scheme "${url.protocol}"`, { url: url.href, hint: 'only http and https are probed' });
      return false;
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let ip: string;
    const resolveStart = performance.now();
    try {
      if (i === 0) {
        const r = await chooseProtocol(ctx, host, cfg.preferred_ip_protocol, cfg.ip_protocol_fallback, resolver);
        m.add('probe_http_duration_seconds', r.lookupSeconds, { phase: 'resolve' });
        ip = r.address;
      } else {
        const want = cfg.preferred_ip_protocol === 'ip4' ? 4 : 6;
        const addrs = isIP(host) !== 0 ? [{ address: host, family: isIP(host) }] : await (resolver ?? (await defaultResolver()))(host);
        ip = (addrs.find((a) => a.family === want) ?? (cfg.ip_protocol_fallback ? addrs[0] : undefined))?.address ?? '';
        m.add('probe_http_duration_seconds', s(performance.now() - resolveStart), { phase: 'resolve' });
        if (ip === '') throw new Error(`no address for "${host}"`);
      }
    } catch (err) {
      ctx.log('error', 'resolve', 'Error resolving address', { host, err: (err as Error).message });
      return false;
    }
    if (!cfg.allow_link_local && isLinkLocal(ip)) {
      ctx.log('error', 'redirect', `Refusing to connect to link-local address ${ip} (cloud metadata range)`, { url: url.href, hint: 'set allow_link_local: true in the module to probe it' });
      return false;
    }
    let proxy: HopProxy | undefined;
    try {
      proxy = hopProxy(cfg, url, ip);
    } catch (err) {
      ctx.log('error', 'http', 'Error choosing the proxy', { err: (err as Error).message });
      return false;
    }
    ctx.log('info', 'http', 'Making HTTP request', { url: url.href, host: url.host, ip, ...(proxy !== undefined ? { proxy: proxy.url.host } : {}) });
    hop = await runHop({
      ...(proxy !== undefined ? { proxy } : {}),
      url,
      ip,
      method,
      headers: requestHeaders(cfg, url, method, body, url.host === firstHost, authorization),
      ...(body !== undefined ? { body } : {}),
      tls,
      http2: cfg.enable_http2,
      bodyLimit: cfg.body_size_limit ?? defaultBodyCap,
      compression: cfg.compression,
      signal: ctx.signal,
    });
    addHopTimings(ctx, hop);
    if (hop.tlsError !== undefined) {
      ctx.log('error', 'tls', 'TLS certificate verification failed', { url: url.href, err: hop.tlsError, hint: 'fix the chain, add its root to tls_config.ca_file, or set insecure_skip_verify' });
      if (hop.tls) {
        explainChain(ctx, hop.tls, hop.tlsError);
        recordCertSeries(ctx, hop.tls);
      }
      return false;
    }
    if (hop.error !== undefined || hop.response === undefined) {
      ctx.log('error', hop.times.gotConn === 0 ? 'connect' : 'http', 'Error for HTTP request', { url: url.href, err: hop.error ?? 'no response' });
      return false;
    }
    const res = hop.response;
    ctx.log('info', 'http', 'Received HTTP response', { status_code: res.statusCode, proto: `HTTP/${res.httpVersion}` });
    const location = res.headers['location']?.[0];
    const status = res.statusCode;
    if (location === undefined || ![301, 302, 303, 307, 308].includes(status)) break;
    // Like Go's CheckRedirect in blackbox: a redirect seen counts even when it is not followed,
    // and the unfollowed 3xx becomes the final response (its body is not read).
    redirects++;
    if (!follow || redirects > maxRedirects) {
      ctx.log(follow ? 'error' : 'info', 'redirect', follow ? `Stopped after ${maxRedirects} redirects` : 'Not following redirect', { location });
      unfollowed = true;
      break;
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      ctx.log('error', 'redirect', 'Unparseable Location header', { location });
      return false;
    }
    ctx.log('info', 'redirect', 'Received redirect', { location: next.href, status_code: status });
    if (status === 301 || status === 302 || status === 303) {
      if (method !== 'HEAD') method = 'GET';
      body = undefined;
    }
    url = next;
  }
  return finishHttp(ctx, cfg, unfollowed ? { ...hop, body: Buffer.alloc(0) } : hop, redirects);
}

async function defaultResolver(): Promise<LookupFn> {
  const { lookup } = await import('node:dns/promises');
  return (h) => lookup(h, { all: true, verbatim: true });
}

/** Adds one round trip's phases, as blackbox sums its httptrace timings over redirects. */
function addHopTimings(ctx: ProbeContext, hop: HopResult): void {
  const t = hop.times;
  const add = (phase: string, ms: number): void => ctx.metrics.add('probe_http_duration_seconds', s(ms), { phase });
  if (t.gotConn === 0) return;
  add('connect', t.connectDone - t.start);
  if (hop.isTls) add('tls', t.tlsDone - t.tlsStart);
  if (t.responseStart === 0) return;
  add('processing', t.responseStart - t.gotConn);
  if (t.end === 0) return;
  add('transfer', t.end - t.responseStart);
}

function finishHttp(ctx: ProbeContext, cfg: HttpProbeConfig, hop: HopResult, redirects: number): boolean {
  const m = ctx.metrics;
  const res = hop.response!;
  const status = res.statusCode;
  let success = cfg.valid_status_codes.length > 0 ? cfg.valid_status_codes.includes(status) : status >= 200 && status < 300;
  if (!success) {
    ctx.log('error', 'check', 'Invalid HTTP response status code', {
      status_code: status,
      valid_status_codes: cfg.valid_status_codes.length > 0 ? cfg.valid_status_codes.join(',') : '2xx',
    });
  }
  if (success && (cfg.fail_if_header_matches.length > 0 || cfg.fail_if_header_not_matches.length > 0)) {
    success = checkHeaders(ctx, cfg, res.headers);
    m.set('probe_failed_due_to_regex', success ? 0 : 1);
  }
  const text = hop.body?.toString('utf8') ?? '';
  if (success && hop.bodyError === undefined && (cfg.fail_if_body_matches_regexp.length > 0 || cfg.fail_if_body_not_matches_regexp.length > 0)) {
    success = checkBody(ctx, cfg, text);
    m.set('probe_failed_due_to_regex', success ? 0 : 1);
  }
  if (hop.bodyError !== undefined) {
    ctx.log('error', 'http', 'Failed to read HTTP response body', { err: hop.bodyError });
    success = false;
  }
  const proto = `HTTP/${res.httpVersion}`;
  if (cfg.valid_http_versions.length > 0 && !cfg.valid_http_versions.includes(proto)) {
    ctx.log('error', 'check', 'Invalid HTTP version number', { version: proto, valid_http_versions: cfg.valid_http_versions.join(',') });
    success = false;
  }
  const lastModified = res.headers['last-modified']?.[0];
  if (lastModified !== undefined && !Number.isNaN(Date.parse(lastModified))) {
    m.set('probe_http_last_modified_timestamp_seconds', Math.floor(Date.parse(lastModified) / 1000));
  }
  m.set('probe_http_version', Number(res.httpVersion) || 0);
  if (hop.isTls && hop.tls) {
    m.set('probe_http_ssl', 1);
    recordTlsMetrics(ctx, hop.tls, cfg.tls_config.insecure_skip_verify);
    recordCertSeries(ctx, hop.tls);
    if (cfg.fail_if_ssl) {
      ctx.log('error', 'check', 'Final request was over SSL', { hint: 'fail_if_ssl is set' });
      success = false;
    }
  } else if (cfg.fail_if_not_ssl && success) {
    ctx.log('error', 'check', 'Final request was not over SSL', { hint: 'fail_if_not_ssl is set' });
    success = false;
  }
  m.set('probe_http_status_code', status);
  m.set('probe_http_content_length', res.contentLength);
  m.set('probe_http_uncompressed_body_length', hop.body?.length ?? 0);
  m.set('probe_http_redirects', redirects);
  return success;
}

function checkHeaders(ctx: ProbeContext, cfg: HttpProbeConfig, headers: Readonly<Record<string, readonly string[]>>): boolean {
  const values = (name: string): readonly string[] | undefined => headers[name.toLowerCase()];
  for (const h of cfg.fail_if_header_matches) {
    const vs = values(h.header);
    if (vs === undefined) {
      if (!h.allow_missing) {
        ctx.log('error', 'check', 'Missing required header', { header: h.header });
        return false;
      }
      continue;
    }
    const hit = vs.find((v) => h.regexp.test(v));
    if (hit !== undefined) {
      ctx.log('error', 'check', 'Header matched regular expression', { header: h.header, regexp: h.regexp.pattern, value_received: hit });
      return false;
    }
  }
  for (const h of cfg.fail_if_header_not_matches) {
    const vs = values(h.header);
    if (vs === undefined) {
      if (!h.allow_missing) {
        ctx.log('error', 'check', 'Missing required header', { header: h.header });
        return false;
      }
      continue;
    }
    if (!vs.some((v) => h.regexp.test(v))) {
      ctx.log('error', 'check', 'Header did not match regular expression', { header: h.header, regexp: h.regexp.pattern, value_received: vs.join(', ') });
      return false;
    }
  }
  return true;
}

function checkBody(ctx: ProbeContext, cfg: HttpProbeConfig, text: string): boolean {
  const excerpt = text.length > 200 ? text.slice(0, 200) + '…' : text;
  for (const re of cfg.fail_if_body_matches_regexp) {
    if (re.test(text)) {
      ctx.log('error', 'check', 'Body matched regular expression', { regexp: re.pattern, body_received: excerpt });
      return false;
    }
  }
  for (const re of cfg.fail_if_body_not_matches_regexp) {
    if (!re.test(text)) {
      ctx.log('error', 'check', 'Body did not match regular expression', { regexp: re.pattern, body_received: excerpt });
      return false;
    }
  }
  return true;
}
