/**
 * Serves workload targets on 127.0.0.1: W-fleet (docs/benchmarks.md) as one HTTP server per target, W-mesh as one
 * server for the whole mesh. Each page is advanced by the wall-clock time since its previous
 * scrape (counters grow in proportion, gauges walk).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { buildTarget, type Family } from './fleet.js';
import { PageRenderer } from './exposition.js';
import { meshFamilies, meshModel, syntheticMesh, type MeshDialect } from './mesh.js';

export interface FleetServer {
  ports: number[];
  close(): Promise<void>;
}

/** One HTTP server answering `/metrics` with the families, advanced by the time between scrapes. */
async function servePage(families: Family[], port: number): Promise<Server> {
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
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

function serving(servers: Server[]): FleetServer {
  return {
    ports: servers.map((s) => (s.address() as AddressInfo).port),
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
    },
  };
}

export async function serveFleet(opts: { targets: number; series: number; seed: number; basePort?: number }): Promise<FleetServer> {
  const servers: Server[] = [];
  for (let t = 0; t < opts.targets; t++) {
    const families = buildTarget({ seed: opts.seed, target: t, series: opts.series });
    servers.push(await servePage(families, opts.basePort ? opts.basePort + t : 0));
  }
  return serving(servers);
}

/** The demo mesh in one dialect on one port (what a federating Prometheus or a collector exposes). */
export async function serveMesh(opts: { dialect: MeshDialect; seed: number; port?: number; size?: { services: number; edges: number } }): Promise<FleetServer> {
  const model = opts.size ? syntheticMesh({ ...opts.size, seed: opts.seed }) : meshModel(opts.seed);
  return serving([await servePage(meshFamilies(model, opts.dialect), opts.port ?? 0)]);
}
