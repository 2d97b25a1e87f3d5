/**
 * One HTTP round trip to an already-resolved IP, with the phase timestamps blackbox_exporter
 * takes from Go's httptrace (connect, TLS, first response byte, end of body), the TLS facts read
 * while the socket is open, and a capped body. Over TLS we dial ourselves and offer ALPN h2 when
 * the module allows HTTP/2 (as Go's transport does), then speak HTTP/1.1 or HTTP/2 on that socket.
 */
import { connect as http2Connect, type ClientHttp2Session, type IncomingHttpHeaders as H2Headers } from 'node:http2';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { proxyAuthorization } from '../http-client/proxy.js';
import { Http1Reader, http1Request, type Http1Head } from './http1.js';
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
  /** Sent as given (Host included); `Connection: close` is added unless one is set. */
  readonly headers: Readonly<Record<string, string>>;
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
  /** Lower-case names, each value on its own (Go's Header), no HTTP/2 pseudo-headers. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** "1.1", "1.0" or "2.0" (Go's Proto without "HTTP/"). */
  readonly httpVersion: string;
  /** Go's resp.ContentLength (-1 = unknown). */
  readonly contentLength: number;
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

interface BodySink {
  data(chunk: Buffer): void;
  end(): void;
  fail(message: string): void;
}

/** Collects a response body in memory under the size cap, decompressing when configured. */
function bodySink(response: HopResponse, req: HopRequest, times: HopTimes, finish: Finish): BodySink {
  let rawBytes = 0;
  const chunks: Buffer[] = [];
  const decompress = decompressors[req.compression];
  const inflater = decompress ? decompress() : undefined;
  let failed = false;
  const fail = (message: string): void => {
    if (failed) return;
    failed = true;
    inflater?.destroy();
    finish({ response, rawBytes, bodyError: message });
  };
  const done = (): void => {
    if (failed) return;
    times.end = performance.now();
    finish({ response, rawBytes, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
  };
  if (inflater) {
    inflater.on('data', (c: Buffer) => chunks.push(c));
    inflater.on('error', (err) => fail(`decompressing the body (${req.compression}): ${err.message}`));
    inflater.on('end', done);
  }
  return {
    data(chunk) {
      if (failed) return;
      rawBytes += chunk.length;
      if (rawBytes > req.bodyLimit) return fail(`response body exceeds the limit of ${req.bodyLimit} bytes`);
      if (inflater) inflater.write(chunk);
      else chunks.push(chunk);
    },
    end() {
      if (failed) return;
      if (inflater) inflater.end();
      else done();
    },
    fail,
  };
}

/**
 * HTTP/1.1 on a socket that is connected or connecting (plain), or already verified (TLS): one
 * request written at once, the response read by Http1Reader. `finish` closes the socket.
 */
function runH1(req: HopRequest, times: HopTimes, finish: Finish, socket: Socket, target: string, extraHeaders: Readonly<Record<string, string>>): void {
  let text: string;
  try {
    const headers = extraHeaders === noHeaders ? req.headers : { ...req.headers, ...extraHeaders };
    text = http1Request(req.method, target, headers, req.body);
  } catch (err) {
    finish({ rawBytes: 0, error: (err as Error).message });
    return;
  }
  let body: BodySink | undefined;
  const reader = new Http1Reader(req.method, {
    head: (head: Http1Head) => {
      body = bodySink(head, req, times, finish);
    },
    data: (chunk) => body!.data(chunk),
    end: () => body!.end(),
    error: (message) => (body ? body.fail(message) : finish({ rawBytes: 0, error: message })),
  });
  socket.on('data', (chunk: Buffer) => {
    if (times.responseStart === 0) times.responseStart = performance.now();
    reader.push(chunk);
  });
  socket.on('end', () => reader.eof());
  socket.on('close', () => reader.eof());
  socket.on('error', (err) => {
    reader.stop();
    const message = describeError(err, req.signal);
    if (body) body.fail(`reading the body: ${message}`);
    else finish({ rawBytes: 0, error: message });
  });
  socket.write(text);
}

const noHeaders: Readonly<Record<string, string>> = {};

/** Go's http2 transport: a single valid Content-Length, else 0 for a stream that ended with the headers, else -1. */
function h2ContentLength(headers: Readonly<Record<string, readonly string[]>>, ended: boolean): number {
  const lens = headers['content-length'];
  if (lens !== undefined && lens.length === 1 && /^\d{1,18}$/.test(lens[0]!)) return Number(lens[0]);
  return ended ? 0 : -1;
}

/** HTTP/2 on the TLS socket that negotiated h2 via ALPN. */
function runH2(req: HopRequest, times: HopTimes, finish: Finish, socket: TLSSocket, keep: (session: ClientHttp2Session) => void): void {
  let session: ClientHttp2Session;
  try {
    session = http2Connect(req.url.origin, { createConnection: () => socket });
  } catch (err) {
    finish({ rawBytes: 0, error: (err as Error).message });
    return;
  }
  keep(session);
  session.on('error', (err) => finish({ rawBytes: 0, error: describeError(err, req.signal) }));
  const headers: Record<string, string> = { ':method': req.method, ':path': req.url.pathname + req.url.search, ':scheme': 'https' };
  for (const k in req.headers) {
    const name = k.toLowerCase();
    if (name === 'host') headers[':authority'] = req.headers[k]!;
    else if (name !== 'connection' && name !== 'transfer-encoding') headers[name] = req.headers[k]!;
  }
  const stream = session.request(headers, { endStream: req.body === undefined });
  stream.on('error', (err) => finish({ rawBytes: 0, error: describeError(err, req.signal) }));
  stream.on('response', (h: H2Headers, flags: number) => {
    times.responseStart = performance.now();
    const plain: Record<string, string[]> = {};
    for (const k in h) {
      const v = h[k];
      if (k.startsWith(':') || v === undefined) continue;
      plain[k] = Array.isArray(v) ? v : [String(v)];
    }
    const ended = (flags & 1) !== 0; // END_STREAM on the headers frame: no body follows
    const body = bodySink({ statusCode: Number(h[':status'] ?? 0), headers: plain, httpVersion: '2.0', contentLength: h2ContentLength(plain, ended) }, req, times, finish);
    stream.on('data', (chunk: Buffer) => body.data(chunk));
    stream.on('end', () => body.end());
    stream.on('aborted', () => body.fail('the server closed the connection before the body ended'));
  });
  if (req.body !== undefined) stream.end(req.body);
}

const proxyPort = (u: URL): number => (u.port === '' ? 80 : Number(u.port));
const hostPort = (ip: string, port: number): string => (isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`);
const bare = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Opens a CONNECT tunnel through the proxy to ip:port on `socket` (connecting to the proxy);
 * calls `ready` once the proxy answered 200, or fails the hop naming the proxy's answer.
 */
function connectTunnel(req: HopRequest, proxy: HopProxy, port: number, socket: Socket, finish: Finish, ready: () => void): void {
  const authority = hostPort(req.ip, port);
  let text: string;
  try {
    text = http1Request('CONNECT', authority, { Host: authority, ...proxy.connectHeaders, ...proxyAuthorization(proxy.url) }, undefined);
  } catch (err) {
    finish({ rawBytes: 0, error: `proxyconnect tcp: ${(err as Error).message}` });
    return;
  }
  const reader = new Http1Reader('CONNECT', {
    head: (head) => {
      reader.stop();
      socket.off('data', onData);
      socket.off('end', onEnd);
      if (head.statusCode !== 200) {
        finish({ rawBytes: 0, error: `proxyconnect tcp: the proxy ${proxy.url.host} answered CONNECT ${authority} with ${head.statusCode} ${head.reason}`.trimEnd() });
        return;
      }
      // Back to paused mode before TLS wraps the socket (as the tcp prober does for STARTTLS).
      socket.pause();
      ready();
    },
    data: () => {},
    end: () => {},
    error: (message) => finish({ rawBytes: 0, error: `proxyconnect tcp: ${proxy.url.host}: ${message}` }),
  });
  const onData = (chunk: Buffer): void => reader.push(chunk);
  const onEnd = (): void => reader.eof();
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.write(text);
}

export function runHop(req: HopRequest): Promise<HopResult> {
  const times: HopTimes = { start: performance.now(), connectDone: 0, tlsStart: 0, tlsDone: 0, gotConn: 0, responseStart: 0, end: 0 };
  const isTls = req.url.protocol === 'https:';
  let facts: TlsFacts | undefined;
  let tlsError: string | undefined;

  return new Promise<HopResult>((resolve) => {
    let settled = false;
    /** Every socket of the hop (proxy, TLS): all closed when it ends, as Go's client with keep-alives off. */
    const sockets: Socket[] = [];
    let session: ClientHttp2Session | undefined;
    const onAbort = (): void => finish({ rawBytes: 0, error: describeError(new Error('aborted'), req.signal) });
    const finish: Finish = (r) => {
      if (settled) return;
      settled = true;
      req.signal.removeEventListener('abort', onAbort);
      session?.destroy();
      for (const s of sockets) s.destroy();
      resolve({ times, isTls, ...(facts ? { tls: facts } : {}), ...(tlsError !== undefined ? { tlsError } : {}), ...r });
    };
    if (req.signal.aborted) return onAbort();
    req.signal.addEventListener('abort', onAbort, { once: true });
    const connected = (socket: Socket): void => {
      socket.once('connect', () => {
        times.connectDone = performance.now();
        if (isTls) times.tlsStart = times.connectDone;
        else times.gotConn = times.connectDone;
      });
    };
    const port = req.url.port === '' ? (isTls ? 443 : 80) : Number(req.url.port);
    const path = req.url.pathname + req.url.search;
    if (!isTls) {
      // Plain HTTP: to the IP, or to the proxy in absolute form.
      const forward = req.proxy;
      const socket = forward ? netConnect({ host: bare(forward.url.hostname), port: proxyPort(forward.url) }) : netConnect({ host: req.ip, port });
      sockets.push(socket);
      connected(socket);
      runH1(req, times, finish, socket, forward ? `http://${hostPort(req.ip, port)}${path}` : path, forward ? proxyAuthorization(forward.url) : noHeaders);
      return;
    }
    /** TLS to the target, on a socket of its own or inside the proxy's CONNECT tunnel. */
    const startTls = (tunnel: Socket | undefined): void => {
      const hostname = bare(req.url.hostname);
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
        ALPNProtocols: req.http2 ? alpnH2 : alpnH1,
        // We verify after the handshake ourselves so a failure can name the bad certificate;
        // Node still checks the host name (servername, or the IP we dial) into authorizationError.
        rejectUnauthorized: false,
      });
      // No TCP_NODELAY needed: over TLS 1.3 the request leaves in the same write as the client
      // Finished (one syscall, seen with strace), and over TLS 1.2 after the server's Finished.
      sockets.push(socket);
      lightenHostCheck(socket, req.tls.roots);
      if (tunnel === undefined) connected(socket);
      const onHandshakeError = (err: Error): void => finish({ rawBytes: 0, error: describeError(err, req.signal) });
      socket.once('error', onHandshakeError);
      socket.once('secureConnect', () => {
        socket.off('error', onHandshakeError);
        times.tlsDone = performance.now();
        times.gotConn = times.tlsDone;
        try {
          facts = tlsFacts(socket, req.tls.roots, req.tls.insecure);
        } catch (err) {
          tlsError = `cannot read the peer certificates: ${(err as Error).message}`;
        }
        if (!req.tls.insecure && !socket.authorized) {
          tlsError = String(socket.authorizationError ?? 'certificate not trusted');
          finish({ rawBytes: 0, error: `TLS verification failed: ${tlsError}` });
          return;
        }
        if (socket.alpnProtocol === 'h2') {
          socket.on('error', () => {}); // surfaces through the session
          runH2(req, times, finish, socket, (s) => (session = s));
        } else runH1(req, times, finish, socket, path, noHeaders);
      });
    };
    if (req.proxy === undefined) return startTls(undefined);
    const proxy = req.proxy;
    const tunnel = netConnect({ host: bare(proxy.url.hostname), port: proxyPort(proxy.url) });
    sockets.push(tunnel);
    tunnel.once('error', (err: NodeJS.ErrnoException) => finish({ rawBytes: 0, error: `proxyconnect tcp: ${proxy.url.host}: ${describeError(err, req.signal)}` }));
    connectTunnel(req, proxy, port, tunnel, finish, () => {
      times.connectDone = performance.now();
      times.tlsStart = times.connectDone;
      tunnel.removeAllListeners('error');
      tunnel.on('error', () => {}); // from here on errors surface through the TLS socket
      startTls(tunnel);
    });
  });
}

/** ALPN lists in wire form, built once (Node converts an array of names on every connect). */
const alpnH2 = Buffer.from('\x02h2\x08http/1.1', 'latin1');
const alpnH1 = Buffer.from('\x08http/1.1', 'latin1');

function describeError(err: Error, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout: the probe ran out of time (context deadline exceeded)';
  const code = (err as NodeJS.ErrnoException).code;
  return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}
