/**
 * `enable_http2` for one-shot requests (main/http-client/request.ts): over TLS the client offers
 * `h2` and `http/1.1` by ALPN, as Go's transport does when HTTP/2 is enabled, and speaks what the
 * server picks (node:http2 or node:https on the same socket). With enable_http2: false only
 * `http/1.1` is offered, so an HTTP/2-only server refuses the handshake, as it refuses Go. Plain
 * http stays HTTP/1.1 (no h2c), as in Go.
 */
import { Buffer } from 'node:buffer';
import https from 'node:https';
import { connect as http2Connect, type IncomingHttpHeaders as H2Headers } from 'node:http2';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { NodeTlsOptions } from './tls.js';

export interface BodyAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Reads a body up to `max` bytes; a longer one rejects (and the stream is destroyed). */
export function readBody(stream: Readable, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    stream.on('data', (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size <= max) return void chunks.push(c);
      // Reject here: destroying the request alone can still end the response with a cut body.
      tooLarge = true;
      reject(new Error(`response larger than ${max} bytes`));
      stream.destroy();
    });
    stream.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks));
    });
    stream.on('error', reject);
  });
}

/** Why a TLS connection could not be opened: the caller words it (Prometheus' or its own). */
export class TlsConnectError extends Error {
  constructor(
    readonly reason: 'timeout' | 'aborted' | 'network',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A TLS connection to the URL's host offering `h2` and `http/1.1` by ALPN (`alpnProtocol` tells
 * the server's choice). The SNI is the URL's host name unless `tls` sets one. Rejects with a
 * TlsConnectError.
 */
export function connectTls(url: URL, tls: NodeTlsOptions, timeoutMs: number, signal?: AbortSignal, lookup?: LookupFunction): Promise<TLSSocket> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port: url.port === '' ? 443 : Number(url.port),
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...tls,
      ALPNProtocols: ['h2', 'http/1.1'],
      ...(lookup !== undefined ? { lookup } : {}),
    });
    const fail = (err: TlsConnectError): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err);
    };
    const onAbort = (): void => fail(new TlsConnectError('aborted', 'aborted'));
    const timer = setTimeout(() => fail(new TlsConnectError('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err: Error) => fail(new TlsConnectError('network', err.message)));
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function h2Request(socket: TLSSocket, url: URL, method: string, headers: Readonly<Record<string, string>>, body: string | Uint8Array | undefined, maxBody: number, signal: AbortSignal | undefined): Promise<BodyAnswer> {
  const session = http2Connect(url.origin, { createConnection: () => socket });
  const h: Record<string, string> = { ':method': method, ':path': url.pathname + url.search };
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (name === 'host') h[':authority'] = v;
    else if (name !== 'connection' && name !== 'transfer-encoding') h[name] = v;
  }
  return new Promise<BodyAnswer>((resolve, reject) => {
    session.on('error', reject);
    const stream = session.request(h, { endStream: body === undefined, ...(signal !== undefined ? { signal } : {}) });
    stream.on('error', reject);
    stream.on('response', (rh: H2Headers) => {
      const plain: IncomingHttpHeaders = {};
      for (const [k, v] of Object.entries(rh)) if (!k.startsWith(':')) plain[k] = v as string | string[];
      readBody(stream, maxBody).then((b) => resolve({ status: Number(rh[':status'] ?? 0), headers: plain, body: b }), reject);
    });
    if (body !== undefined) stream.end(body);
  }).finally(() => session.close());
}

function h1Request(socket: TLSSocket, url: URL, method: string, headers: Readonly<Record<string, string>>, body: string | Uint8Array | undefined, maxBody: number, signal: AbortSignal | undefined): Promise<BodyAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, createConnection: () => socket, ...(signal !== undefined ? { signal } : {}) }, (res) => {
      readBody(res, maxBody).then((b) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b }), reject);
    });
    req.on('error', reject);
    req.end(body);
  }).finally(() => socket.destroy()) as Promise<BodyAnswer>;
}

/** One request over TLS offering h2 and http/1.1; the server's choice is spoken. */
export async function alpnRequest(
  url: URL,
  tls: NodeTlsOptions,
  method: string,
  headers: Readonly<Record<string, string>>,
  body: string | Uint8Array | undefined,
  timeoutMs: number,
  maxBody: number,
  signal?: AbortSignal,
): Promise<BodyAnswer> {
  const socket = await connectTls(url, tls, timeoutMs, signal);
  const send = socket.alpnProtocol === 'h2' ? h2Request : h1Request;
  const deadline = new Promise<never>((_, reject) => {
    const t = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('close', () => clearTimeout(t));
  });
  return Promise.race([send(socket, url, method, headers, body, maxBody, signal), deadline]);
}
