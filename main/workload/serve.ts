/**
 * Serves W-fleet (docs/benchmarks.md) targets on 127.0.0.1: one HTTP server per target, each page advanced by the
 * wall-clock time since its previous scrape (counters grow in proportion, gauges walk).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { buildTarget } from './fleet.js';
import { PageRenderer } from './exposition.js';

export interface FleetServer {
  ports: number[];
  close(): Promise<void>;
}

export async function serveFleet(opts: { targets: number; series: number; seed: number; basePort?: number }): Promise<FleetServer> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let t = 0; t < opts.targets; t++) {
    const families = buildTarget({ seed: opts.seed, target: t, series: opts.series });
    const renderer = new PageRenderer(families, 'prometheus');
    let last = Date.now();
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end('try /metrics\n');
        return;
      }
      const now = Date.now();
      const dt = (now - last) / 1000;
      last = now;
      if (dt > 0) for (const f of families) for (const m of f.members) m.advance(dt);
      const body = renderer.render();
      const headers: Record<string, string> = { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' };
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        headers['Content-Encoding'] = 'gzip';
        res.writeHead(200, headers).end(gzipSync(body, { level: 1 }));
      } else {
        res.writeHead(200, headers).end(body);
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.basePort ? opts.basePort + t : 0, '127.0.0.1', () => resolve());
    });
    servers.push(server);
    ports.push((server.address() as AddressInfo).port);
  }
  return {
    ports,
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
    },
  };
}
