/** Hostile scrape targets on 127.0.0.1 for the HTTP and loop tests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { pump } from '../../../build/bench/hostile-targets.js';

export interface HostileServer {
  base: string;
  /** Requests seen per path. */
  hits: Map<string, number>;
  /** Request headers of the last request per path. */
  headers: Map<string, http.IncomingHttpHeaders>;
  close(): Promise<void>;
}

const goodPage = 'a 1\nb 2\n';

/** Route handlers for requests after the first: the first request to every route gets `goodPage`. */
function hostileRoutes(bomb: Buffer, million: () => Buffer): Record<string, (res: http.ServerResponse) => void> {
  return {
    '/healthy': (res) => res.end('healthy 1\n'),
    '/big': (res) => pump(res, Buffer.alloc(64 * 1024, 'x'), 100 * 1024 * 1024),
    '/endless': (res) => pump(res, Buffer.from('endless_series{a="b"} 1\n'.repeat(2000)), Infinity),
    '/bomb': (res) => {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(bomb);
    },
    '/slowloris': (res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.flushHeaders();
      const text = 'slow 1\n';
      let i = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(text[i++ % text.length]!);
      }, 1000);
      res.on('close', () => clearInterval(timer));
    },
    '/longlabel': (res) => res.end(`long{v="${'v'.repeat(1024 * 1024)}"} 1\n`),
    '/million': (res) => res.end(million()),
    '/unavailable': (res) => {
      res.statusCode = 503;
      res.end('down\n');
    },
    '/auth': (res) => res.end('auth_ok 1\n'),
  };
}

export async function startHostileServer(): Promise<HostileServer> {
  // 64 MiB of zeros: ~64 KiB on the wire, far below any body limit before decompression.
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  // Built up front, so building it cannot stall the event loop while scrapes race their deadlines.
  const parts: string[] = [];
  for (let i = 0; i < 1_000_000; i++) parts.push(`m{i="${i}"} 1\n`);
  const millionPage = Buffer.from(parts.join(''));
  const million = () => millionPage;
  const routes = hostileRoutes(bomb, million);
  const hits = new Map<string, number>();
  const headers = new Map<string, http.IncomingHttpHeaders>();
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    headers.set(path, req.headers);
    const route = routes[path];
    if (route === undefined) {
      res.statusCode = 404;
      res.end();
    } else if (n === 1 && path !== '/healthy' && path !== '/auth') res.end(goodPage);
    else route(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    headers,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
