import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsRegistry } from '../util/metrics.js';
import { HostCollector } from '../host/host-collector.js';
import { hostMetricsPath, serveHostMetrics } from '../host/http.js';

/**
 * A loopback listener that serves only `/metrics` and this machine's `/host/metrics`, for the
 * desktop app (which has no HTTP server) so Vigil can scrape itself and its host the same way it
 * scrapes everything else.
 */
export async function startMetricsServer(registry: MetricsRegistry, host: HostCollector = new HostCollector()): Promise<{ address: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === hostMetricsPath && req.method === 'GET') {
      serveHostMetrics(host, req, res, url).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`${String(err)}\n`);
      });
      return;
    }
    if (req.url !== '/metrics' || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(registry.render());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
