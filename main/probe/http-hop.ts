/**
 * One HTTP round trip to an already-resolved IP, with the phase timestamps blackbox_exporter
 * takes from Go's httptrace (connect, TLS, first response byte, end of body), the TLS facts read
 * while the socket is open, and a capped body. Over TLS we dial ourselves and offer ALPN h2 when
 * the module allows HTTP/2 (as Go's transport does), then speak HTTP/1.1 or HTTP/2 on that socket.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable, Transform } from 'node:stream';
import { proxyAuthorization } from '../http-client/proxy.js';
import { lightenHostCheck, secureContextFor, tlsFacts, type ChainCert, type TlsFacts } from './tls-chain.js';

export interface HopTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly serverName?: string;
  readonly insecure: boolean;
  readonly minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly roots: readonly ChainCert[];
}

/** An HTTP proxy for the hop (main/http-client/proxy.ts decides whether the hop uses one). */
export interface HopProxy {
  /** http://host:port; user info in it becomes Proxy-Authorization. */
  readonly url: URL;
  /** proxy_connect_header: sent on CONNECT (https targets) only, as Go does. */
  readonly connectHeaders: Readonly<Record<string, string>>;
}

export interface HopRequest {
  readonly url: URL;
  readonly ip: string;
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body?: string;
  readonly tls: HopTls;
  readonly http2: boolean;
  readonly bodyLimit: number;
  /** Decompress the body with this algorithm regardless of Content-Encoding (blackbox does). */
  readonly compression: '' | 'gzip' | 'br' | 'deflate' | 'identity';
  readonly signal: AbortSignal;
  /** Through this proxy, as blackbox_exporter does: to the resolved IP, with the Host header of the URL. */
  readonly proxy?: HopProxy;
}

/** performance.now() milliseconds; 0 = never reached. */
interface HopTimes {
  start: number;
  connectDone: number;
  tlsStart: number;
  tlsDone: number;
  gotConn: number;
  responseStart: number;
  end: number;
}

/** What the prober needs of a response, for HTTP/1.1 and HTTP/2 alike. */
interface HopResponse {
  readonly statusCode: number;
  /** Lower-case names, no HTTP/2 pseudo-headers. */
  readonly headers: IncomingHttpHeaders;
  /** "1.1", "1.0" or "2.0" (Go's Proto without "HTTP/"). */
  readonly httpVersion: string;
}

export interface HopResult {
  readonly times: HopTimes;
  readonly isTls: boolean;
  readonly tls?: TlsFacts;
  /** Set when the TLS handshake completed but verification failed (and was not skipped). */
  readonly tlsError?: string;
  readonly response?: HopResponse;
  readonly rawBytes: number;
  readonly body?: Buffer;
  /** A failure after the response began (body too large, reset, decompression error). */
  readonly bodyError?: string;
  readonly error?: string;
}

const decompressors: Record<string, (() => Transform) | undefined> = {
  gzip: createGunzip,
  br: createBrotliDecompress,
  deflate: createInflate,
};

type Finish = (r: Omit<HopResult, 'times' | 'isTls' | 'tls' | 'tlsError'>) => void;

/** Reads a response body into memory under the size cap, decompressing when configured. */
function readBody(stream: Readable, response: HopResponse, req: HopRequest, times: HopTimes, finish: Finish): void {
  let rawBytes = 0;
  const chunks: Buffer[] = [];
  const decompress = decompressors[req.compression];
  const sink = decompress ? decompress() : undefined;
  let failed: string | undefined;
  const fail = (msg: string): void => {
    if (failed !== undefined) return;
    failed = msg;
    stream.destroy();
    sink?.destroy();
    finish({ response, rawBytes, bodyError: msg });
  };
  stream.on('data', (chunk: Buffer) => {
    rawBytes += chunk.length;
    if (rawBytes > req.bodyLimit) return fail(`response body exceeds the limit of ${req.bodyLimit} bytes`);
    if (sink) sink.write(chunk);
    else chunks.push(chunk);
  });
  stream.on('error', (err) => fail(`reading the body: ${describeError(err, req.signal)}`));
  stream.on('aborted', () => fail('the server closed the connection before the body ended'));
  const done = (): void => {
    if (failed !== undefined) return;
    times.end = performance.now();
    finish({ response, rawBytes, body: Buffer.concat(chunks) });
  };
  if (sink) {
    sink.on('data', (c: Buffer) => chunks.push(c));
    sink.on('error', (err) => fail(`decompressing the body (${req.compression}): ${err.message}`));
    sink.on('end', done);
    stream.on('end', () => sink.end());
  } else stream.on('end', done);
}

function h1Response(res: IncomingMessage): HopResponse {
  return { statusCode: res.statusCode ?? 0, headers: res.headers, httpVersion: res.httpVersion };
}

/** HTTP/1.1 over a plain socket (Node dials) or our already-verified TLS socket. */
function runH1(req: HopRequest, times: HopTimes, finish: Finish, tlsSocket?: TLSSocket): void {
  const port = req.url.port === '' ? (tlsSocket ? 443 : 80) : Number(req.url.port);
  const path = req.url.pathname + req.url.search;
  // Plain HTTP through a proxy: the request in absolute form, to the proxy.
  const forward = tlsSocket === undefined && req.proxy !== undefined ? req.proxy : undefined;
  // On our TLS socket: no agent at all (agent:false would make Node dial its own connection).
  const clientReq = httpRequest({
    host: forward ? forward.url.hostname.replace(/^\[(.*)\]$/, '$1') : req.ip,
    port: forward ? proxyPort(forward.url) : port,
    path: forward ? `http://${hostPort(req.ip, port)}${path}` : path,
    method: req.method,
    headers: forward ? { ...req.headers, ...proxyAuthorization(forward.url) } : req.headers,
    signal: req.signal,
    ...(tlsSocket ? { createConnection: () => tlsSocket } : { agent: false }),
  });
  if (!tlsSocket) {
    clientReq.on('socket', (socket) => {
      socket.once('connect', () => {
        times.connectDone = performance.now();
        times.gotConn = times.connectDone;
      });
    });
  }
  clientReq.on('error', (err) => finish({ rawBytes: 0, error: describeError(err, req.signal) }));
  clientReq.on('response', (res) => {
    times.responseStart = performance.now();
    readBody(res, h1Response(res), req, times, finish);
  });
  if (req.body !== undefined) clientReq.write(req.body);
  clientReq.end();
}

/** HTTP/2 on the TLS socket that negotiated h2 via ALPN. */
function runH2(req: HopRequest, times: HopTimes, finish: Finish, socket: TLSSocket): void {
  let session: ClientHttp2Session;
  const done: Finish = (r) => {
    session?.close();
    finish(r);
  };
  try {
    session = http2Connect(req.url.origin, { createConnection: () => socket });
  } catch (err) {
    finish({ rawBytes: 0, error: (err as Error).message });
    return;
  }
  session.on('error', (err) => done({ rawBytes: 0, error: describeError(err, req.signal) }));
  const headers: Record<string, string | string[] | number> = { ':method': req.method, ':path': req.url.pathname + req.url.search, ':scheme': 'https' };
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    const name = k.toLowerCase();
    if (name === 'host') headers[':authority'] = String(v);
    else if (name !== 'connection' && name !== 'transfer-encoding') headers[name] = v;
  }
  const stream = session.request(headers, { endStream: req.body === undefined, signal: req.signal });
  stream.on('error', (err) => done({ rawBytes: 0, error: describeError(err, req.signal) }));
  stream.on('response', (h) => {
    times.responseStart = performance.now();
    const plain: IncomingHttpHeaders = {};
    for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) plain[k] = v as string | string[];
    readBody(stream, { statusCode: Number(h[':status'] ?? 0), headers: plain, httpVersion: '2.0' }, req, times, done);
  });
  if (req.body !== undefined) stream.end(req.body);
}

const proxyPort = (u: URL): number => (u.port === '' ? 80 : Number(u.port));
const hostPort = (ip: string, port: number): string => (isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`);

/**
 * Opens a CONNECT tunnel through the proxy to ip:port; resolves with the tunnel's socket, or
 * rejects naming the proxy's answer.
 */
function connectTunnel(req: HopRequest, proxy: HopProxy, port: number): Promise<Socket> {
  const authority = hostPort(req.ip, port);
  return new Promise((resolve, reject) => {
    const r = httpRequest({
      host: proxy.url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: proxyPort(proxy.url),
      method: 'CONNECT',
      path: authority,
      headers: { Host: authority, ...proxy.connectHeaders, ...proxyAuthorization(proxy.url) },
      agent: false,
      signal: req.signal,
    });
    r.on('connect', (res, socket) => {
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(new Error(`proxyconnect tcp: the proxy ${proxy.url.host} answered CONNECT ${authority} with ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd()));
    });
    r.on('error', (err: NodeJS.ErrnoException) => reject(Object.assign(new Error(`proxyconnect tcp: ${proxy.url.host}: ${err.message}`), { code: err.code })));
    r.end();
  });
}

export function runHop(req: HopRequest): Promise<HopResult> {
  const times: HopTimes = { start: performance.now(), connectDone: 0, tlsStart: 0, tlsDone: 0, gotConn: 0, responseStart: 0, end: 0 };
  const isTls = req.url.protocol === 'https:';
  let facts: TlsFacts | undefined;
  let tlsError: string | undefined;

  return new Promise<HopResult>((resolve) => {
    let settled = false;
    const finish: Finish = (r) => {
      if (settled) return;
      settled = true;
      resolve({ times, isTls, ...(facts ? { tls: facts } : {}), ...(tlsError !== undefined ? { tlsError } : {}), ...r });
    };
    if (!isTls) return runH1(req, times, finish);
    const port = req.url.port === '' ? 443 : Number(req.url.port);
    /** TLS to the target, on a socket of its own or inside the proxy's CONNECT tunnel. */
    const startTls = (tunnel: Socket | undefined): void => {
      const hostname = req.url.hostname.replace(/^\[(.*)\]$/, '$1');
      const servername = req.tls.serverName ?? (isIP(hostname) === 0 ? hostname : undefined);
      const socket = tlsConnect({
        // Over a tunnel `host` only names whom the certificate is checked against (without a servername).
        ...(tunnel !== undefined ? { socket: tunnel, host: req.ip } : { host: req.ip, port }),
        ...(servername !== undefined ? { servername } : {}),
        secureContext: secureContextFor({
          ...(req.tls.ca !== undefined ? { ca: req.tls.ca } : {}),
          ...(req.tls.cert !== undefined ? { cert: req.tls.cert } : {}),
          ...(req.tls.key !== undefined ? { key: req.tls.key } : {}),
          ...(req.tls.minVersion !== undefined ? { minVersion: req.tls.minVersion } : {}),
          ...(req.tls.maxVersion !== undefined ? { maxVersion: req.tls.maxVersion } : {}),
        }),
        ALPNProtocols: req.http2 ? ['h2', 'http/1.1'] : ['http/1.1'],
        // We verify after the handshake ourselves so a failure can name the bad certificate;
        // Node still checks the host name (servername, or the IP we dial) into authorizationError.
        rejectUnauthorized: false,
      });
      lightenHostCheck(socket, req.tls.roots);
      const onAbort = (): void => {
        socket.destroy();
        finish({ rawBytes: 0, error: describeError(new Error('aborted'), req.signal) });
      };
      if (req.signal.aborted) return onAbort();
      req.signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        times.connectDone = performance.now();
        times.tlsStart = times.connectDone;
      });
      const onHandshakeError = (err: Error): void => finish({ rawBytes: 0, error: describeError(err, req.signal) });
      socket.once('error', onHandshakeError);
      socket.once('secureConnect', () => {
        socket.off('error', onHandshakeError);
        socket.on('error', () => {}); // later errors surface through the request/session
        req.signal.removeEventListener('abort', onAbort);
        times.tlsDone = performance.now();
        times.gotConn = times.tlsDone;
        try {
          facts = tlsFacts(socket, req.tls.roots, req.tls.insecure);
        } catch (err) {
          tlsError = `cannot read the peer certificates: ${(err as Error).message}`;
        }
        if (!req.tls.insecure && !socket.authorized) {
          tlsError = String(socket.authorizationError ?? 'certificate not trusted');
          socket.destroy();
          finish({ rawBytes: 0, error: `TLS verification failed: ${tlsError}` });
          return;
        }
        if (socket.alpnProtocol === 'h2') runH2(req, times, finish, socket);
        else runH1(req, times, finish, socket);
      });
    };
    if (req.proxy === undefined) return startTls(undefined);
    connectTunnel(req, req.proxy, port).then(
      (tunnel) => {
        times.connectDone = performance.now();
        times.tlsStart = times.connectDone;
        startTls(tunnel);
      },
      (err: Error) => finish({ rawBytes: 0, error: describeError(err, req.signal) }),
    );
  });
}

function describeError(err: Error, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout: the probe ran out of time (context deadline exceeded)';
  const code = (err as NodeJS.ErrnoException).code;
  return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}
