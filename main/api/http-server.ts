import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { WorkbenchApi } from '../../app/api/channels.js';
import { httpApiPrefix } from '../../app/api/channels.js';
import { maxDashboardJsonBytes } from '../../app/api/dashboards.js';
import { httpEventsPath, type EngineEvent } from '../../app/api/events.js';
import type { ApiErrorData } from '../../app/api/errors.js';
import { isFrozenAnswer } from '../../app/api/validate.js';
import type { Logger } from '../util/log.js';
import { securityHeaders } from './csp.js';
import { dispatch } from './dispatch.js';
import { checkHostAndOrigin } from './http-guard.js';
import { readStaticFile } from './static-files.js';
import { isLoopback, type WebConfig } from './web-config.js';

/** Request bodies (POST forms) larger than this answer 413. */
const maxBodyBytes = 1 << 20;
/**
 * Contract calls carry whole dashboards (import, save): room for the largest accepted dashboard
 * as an escaped JSON string, so the import's own size check (which names the limit) answers.
 */
const maxContractBodyBytes = 4 * maxDashboardJsonBytes;
/** Request line + headers larger than this answer 431 (Go's net/http default, as Prometheus). */
const maxHeaderBytes = 1 << 20;
/** A body this far over the limit is not drained to answer politely: the connection is cut. */
const maxDrainBytes = 16 * maxContractBodyBytes;

/** A route handler for the Prometheus-compatible API and other endpoints added by subsystems. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => Promise<void> | void;

export interface HttpServerOptions {
  api: WorkbenchApi;
  rendererDir: string;
  port: number;
  /** Engine events streamed to browsers at /api/vigil/events (server-sent events). */
  subscribe?: (listener: (event: EngineEvent) => void) => () => void;
  /** Default 127.0.0.1. Any other than loopback needs `webConfig` with TLS and authentication. */
  host?: string;
  /** `--web.config.file`: TLS and basic auth (web-config.ts). */
  webConfig?: WebConfig | null;
  logger: Logger;
}

/** Why `host` may not be listened on with this web config, or null when it may. */
export function listenRefusal(host: string, webConfig: WebConfig | null | undefined): string | null {
  if (isLoopback(host)) return null;
  const how =
    'pass --web.config.file with tls_server_config (cert_file, key_file) and basic_auth_users (bcrypt hashes) ' +
    'or client_auth_type: RequireAndVerifyClientCert, as for Prometheus; or listen on 127.0.0.1';
  if (!webConfig) return `refusing to listen on ${host} without a web config: ${how}`;
  if (webConfig.tls === null) return `refusing to listen on ${host}: ${webConfig.file} has no tls_server_config; ${how}`;
  if (!webConfig.requiresAuth && !webConfig.tls.rejectUnauthorized) return `refusing to listen on ${host}: ${webConfig.file} authenticates no one; ${how}`;
  return null;
}

const statusForKind: Record<ApiErrorData['kind'], number> = {
  bad_request: 400,
  unknown_channel: 404,
  forbidden: 403,
  internal: 500,
  unavailable: 503,
};

/**
 * `vigil serve`'s HTTP server: the built renderer, the contract API at `/api/vigil/<channel>`
 * (POST, JSON), and routes subsystems register (`/api/v1/...`, `/metrics`). Loopback, or beyond
 * it only behind a web config's TLS and authentication.
 */
export class HttpServer {
  private readonly server: Server;
  private readonly routes = new Map<string, RouteHandler>();
  private readonly prefixRoutes: Array<{ prefix: string; handler: RouteHandler; extract: (path: string) => Record<string, string> | null }> = [];
  private boundPort = 0;

  constructor(private readonly options: HttpServerOptions) {
    const host = options.host ?? '127.0.0.1';
    const refusal = listenRefusal(host, options.webConfig);
    if (refusal !== null) throw new Error(refusal);
    const tls = options.webConfig?.tls ?? null;
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((err: unknown) => {
        if (err instanceof BodyTooLargeError) {
          options.logger.warn(err.message, { url: req.url });
          if (!res.headersSent) sendBodyTooLarge(req, res, err);
          return;
        }
        options.logger.error('request failed', { url: req.url, error: String(err) });
        if (!res.headersSent) sendJson(res, 500, { kind: 'internal', message: 'internal error' });
        else res.destroy();
      });
    };
    this.server = tls ? createTlsServer({ ...tls, maxHeaderSize: maxHeaderBytes }, onRequest) : createServer({ maxHeaderSize: maxHeaderBytes }, onRequest);
    // Node answers an over-long request line or header block with a bare 431 (or just closes);
    // say what was too long and what to do instead.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const overflow = err.code === 'HPE_HEADER_OVERFLOW';
      const status = overflow ? 431 : 400;
      const message = overflow
        ? `request line and headers exceed ${maxHeaderBytes} bytes; send long queries with POST (application/x-www-form-urlencoded body)`
        : `malformed HTTP request: ${err.code ?? err.message}`;
      const text = JSON.stringify({ status: 'error', errorType: 'bad_data', error: message });
      socket.end(
        `HTTP/1.1 ${status} ${overflow ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    });
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 120_000;
  }

  /** Registers a handler for an exact path (`GET`/`POST` both reach it). */
  route(path: string, handler: RouteHandler): void {
    this.routes.set(path, handler);
  }

  /**
   * Registers a handler for paths under `prefix` with path parameters: `extract` returns them
   * (they are added to the URL's query parameters) or null when the path does not fit.
   */
  prefixRoute(prefix: string, handler: RouteHandler, extract: (path: string) => Record<string, string> | null): void {
    this.prefixRoutes.push({ prefix, handler, extract });
  }

  async listen(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, host, () => resolve());
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const host = this.options.host ?? '127.0.0.1';
    const name = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `${this.scheme}://${name}:${this.boundPort}/`;
  }

  private get scheme(): 'http' | 'https' {
    return this.options.webConfig?.tls ? 'https' : 'http';
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const web = this.options.webConfig;
    if (web) {
      const denied = await web.authorize(req);
      if (denied !== null) {
        this.options.logger.warn(`refused: ${denied}`, { url: req.url, remote: req.socket.remoteAddress });
        res.setHeader('WWW-Authenticate', 'Basic realm="Vigil", charset="UTF-8"');
        sendJson(res, 401, { kind: 'forbidden', message: `${denied} (users are listed in ${web.file})` });
        return;
      }
    }
    const refusal = checkHostAndOrigin(req, this.boundPort, { scheme: this.scheme, anyHost: !isLoopback(this.options.host ?? '127.0.0.1') });
    if (refusal !== null) {
      this.options.logger.warn(refusal, { url: req.url });
      sendJson(res, 403, { kind: 'forbidden', message: refusal });
      return;
    }
    const url = new URL(req.url ?? '/', `${this.scheme}://127.0.0.1:${this.boundPort}`);
    if (url.pathname === httpEventsPath && req.method === 'GET' && this.options.subscribe) {
      this.streamEvents(req, res, this.options.subscribe);
      return;
    }
    if (url.pathname.startsWith(httpApiPrefix)) {
      await this.handleContract(req, res, url.pathname.slice(httpApiPrefix.length));
      return;
    }
    let handler = this.routes.get(url.pathname);
    if (!handler) {
      for (const route of this.prefixRoutes) {
        if (!url.pathname.startsWith(route.prefix)) continue;
        const params = route.extract(url.pathname);
        if (params === null) continue;
        for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
        handler = route.handler;
        break;
      }
    }
    if (handler) {
      const body = req.method === 'POST' ? await readBody(req, maxBodyBytes) : Buffer.alloc(0);
      await handler(req, res, url, body);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { kind: 'bad_request', message: `${req.method} not allowed on ${url.pathname}` });
      return;
    }
    const file = await readStaticFile(this.options.rendererDir, url.pathname);
    if (file === null) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders });
      res.end(`not found: ${url.pathname}\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': file.contentType, 'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache', ...securityHeaders });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  private streamEvents(req: IncomingMessage, res: ServerResponse, subscribe: NonNullable<HttpServerOptions['subscribe']>): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Content-Type-Options': 'nosniff' });
    res.write(': connected\n\n');
    const unsubscribe = subscribe((event) => res.write(`data: ${JSON.stringify(event)}\n\n`));
    const keepAlive = setInterval(() => res.write(': ping\n\n'), 25_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  }

  private async handleContract(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const where = `HTTP ${httpApiPrefix}${name}`;
    if (req.method !== 'POST') {
      sendJson(res, 405, { kind: 'bad_request', message: `${where}: use POST with a JSON body`, where });
      return;
    }
    const type = req.headers['content-type'] ?? '';
    if (!type.toLowerCase().startsWith('application/json')) {
      sendJson(res, 415, { kind: 'bad_request', message: `${where}: Content-Type must be application/json`, where });
      return;
    }
    let payload: unknown;
    try {
      const body = await readBody(req, maxContractBodyBytes);
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw err;
      sendJson(res, 400, { kind: 'bad_request', message: `${where}: ${(err as Error).message}`, where });
      return;
    }
    // A page that goes away (navigation, reload, closed tab) drops its connection: a query it
    // named is stopped here too, local or on a remote source, instead of running to its end.
    const queryId = typeof payload === 'object' && payload !== null && name !== 'cancelQuery' ? (payload as { queryId?: unknown }).queryId : undefined;
    const dropped = () => {
      if (!res.writableEnded && typeof queryId === 'string') void this.options.api.cancelQuery({ queryId }).catch(() => {});
    };
    res.once('close', dropped);
    const envelope = await dispatch(this.options.api, name, payload, where);
    res.off('close', dropped);
    if (envelope.ok) sendJson(res, 200, envelope.value);
    else sendJson(res, statusForKind[envelope.error.kind], envelope.error);
  }
}

/** JSON text of answers that cannot change (the topology's kept graph: ~0.5 MB, 5–20 ms to write). */
const frozenTexts = new WeakMap<object, string>();

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  let text = isFrozenAnswer(body) ? frozenTexts.get(body as object) : undefined;
  if (text === undefined) {
    text = JSON.stringify(body);
    if (isFrozenAnswer(body)) frozenTexts.set(body as object, text);
  }
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

class BodyTooLargeError extends Error {
  constructor(
    readonly limit: number,
    /** The body was not read to its end: the connection must close. */
    readonly cut: boolean,
  ) {
    super(`request body exceeds the limit of ${limit} bytes`);
  }
}

/**
 * The request body, at most `limit` bytes. A larger body is read on and discarded (up to a cap)
 * so the client, still sending, receives the 413 instead of a reset connection.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxDrainBytes) throw new BodyTooLargeError(limit, true);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxDrainBytes) throw new BodyTooLargeError(limit, true);
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  if (size > limit) throw new BodyTooLargeError(limit, false);
  return Buffer.concat(chunks);
}

/** 413 in the shape the path's clients read: Prometheus' error JSON under /api/v1, else the contract's. */
function sendBodyTooLarge(req: IncomingMessage, res: ServerResponse, err: BodyTooLargeError): void {
  const where = `HTTP ${req.method ?? ''} ${(req.url ?? '').slice(0, 200)}`;
  const message = `${where}: ${err.message}; send a smaller request (long queries: shorten them, or split the time range)`;
  const body = (req.url ?? '').startsWith('/api/v1/')
    ? { status: 'error', errorType: 'bad_data', error: message }
    : { kind: 'bad_request', message, where };
  res.setHeader('Connection', 'close');
  sendJson(res, 413, body);
  if (err.cut) res.once('finish', () => req.destroy());
}
