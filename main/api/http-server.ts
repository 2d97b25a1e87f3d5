import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkbenchApi } from '../../app/api/channels.js';
import { httpApiPrefix } from '../../app/api/channels.js';
import { maxDashboardJsonBytes } from '../../app/api/dashboards.js';
import { httpEventsPath, type EngineEvent } from '../../app/api/events.js';
import type { ApiErrorData } from '../../app/api/errors.js';
import type { Logger } from '../util/log.js';
import { securityHeaders } from './csp.js';
import { dispatch } from './dispatch.js';
import { checkHostAndOrigin } from './http-guard.js';
import { readStaticFile } from './static-files.js';

const maxBodyBytes = 1 << 20;
/**
 * Contract calls carry whole dashboards (import, save): room for the largest accepted dashboard
 * as an escaped JSON string, so the import's own size check (which names the limit) answers.
 */
const maxContractBodyBytes = 4 * maxDashboardJsonBytes;

/** A route handler for the Prometheus-compatible API and other endpoints added by subsystems. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => Promise<void> | void;

export interface HttpServerOptions {
  api: WorkbenchApi;
  rendererDir: string;
  port: number;
  /** Engine events streamed to browsers at /api/vigil/events (server-sent events). */
  subscribe?: (listener: (event: EngineEvent) => void) => () => void;
  /** Only loopback is supported; the option exists so the refusal is explicit. */
  host?: string;
  logger: Logger;
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
 * (POST, JSON), and routes subsystems register (`/api/v1/...`, `/metrics`). Loopback only.
 */
export class HttpServer {
  private readonly server: Server;
  private readonly routes = new Map<string, RouteHandler>();
  private readonly prefixRoutes: Array<{ prefix: string; handler: RouteHandler; extract: (path: string) => Record<string, string> | null }> = [];
  private boundPort = 0;

  constructor(private readonly options: HttpServerOptions) {
    const host = options.host ?? '127.0.0.1';
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
      throw new Error(`vigil serve binds loopback only; refusing to listen on ${host}`);
    }
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        options.logger.error('request failed', { url: req.url, error: String(err) });
        if (!res.headersSent) sendJson(res, 500, { kind: 'internal', message: 'internal error' });
        else res.destroy();
      });
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
    return `http://127.0.0.1:${this.boundPort}/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = checkHostAndOrigin(req, this.boundPort);
    if (refusal !== null) {
      this.options.logger.warn(refusal, { url: req.url });
      sendJson(res, 403, { kind: 'forbidden', message: refusal });
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.boundPort}`);
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
    res.writeHead(200, { 'Content-Type': file.contentType, 'Cache-Control': 'no-cache', ...securityHeaders });
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
      sendJson(res, 400, { kind: 'bad_request', message: `${where}: ${(err as Error).message}`, where });
      return;
    }
    const envelope = await dispatch(this.options.api, name, payload, where);
    if (envelope.ok) sendJson(res, 200, envelope.value);
    else sendJson(res, statusForKind[envelope.error.kind], envelope.error);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(`request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
