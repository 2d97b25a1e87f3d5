// Hostile scrape targets on 127.0.0.1, one kind per path, for the W-hostile benchmark
// (build/bench/hostile.js), the soak (build/soak.js) and their CI-sized tests. Run it as its own
// process so pumping a 300 MB body never delays the healthy targets' answers:
//   node build/bench/hostile-targets.js [--scale full|ci]   → prints {"base":"http://127.0.0.1:PORT"}
// Also: healthyTargets(n, series) serves n small, well-behaved pages from the calling process.
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

/** What each scale serves. `ci` keeps the principle (every kind of hostility) at test sizes. */
export const scales = {
  full: { bombBytes: 1024 * 1024 * 1024, bigBytes: 300 * 1024 * 1024, millionSeries: 1_000_000, labelBytes: 1024 * 1024 },
  ci: { bombBytes: 64 * 1024 * 1024, bigBytes: 24 * 1024 * 1024, millionSeries: 150_000, labelBytes: 1024 * 1024 },
};

/** Path → what a scrape of it must fail with (Prometheus' wording; the million page may hit either bound). */
export const hostileKinds = {
  '/bomb': /^body size limit exceeded$/,
  '/slowloris': /context deadline exceeded$/,
  '/big': /^body size limit exceeded$/,
  '/endless': /^(body size limit exceeded|context deadline exceeded)$/,
  '/million': /^(sample limit exceeded|context deadline exceeded)$/,
  '/longlabel': /^label_value_length_limit exceeded/,
};

/** Writes `chunk` repeatedly until `total` bytes (Infinity: until the client hangs up), honouring backpressure. */
export function pump(res, chunk, total) {
  let sent = 0;
  const write = () => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', write);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  write();
}

export async function startHostileTargets(scale = scales.full) {
  // Built once up front: 1 GiB of zeros is ~1 MiB on the wire.
  const bomb = gzipSync(Buffer.alloc(scale.bombBytes), { level: 9 });
  const parts = [];
  for (let i = 0; i < scale.millionSeries; i++) parts.push(`hostile_million{i="${i}"} ${i}\n`);
  const million = Buffer.from(parts.join(''));
  parts.length = 0;
  const longLabel = Buffer.from(`hostile_long{v="${'v'.repeat(scale.labelBytes)}"} 1\n`);
  const routes = {
    '/bomb': (res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4', 'Content-Encoding': 'gzip' });
      res.end(bomb);
    },
    '/slowloris': (res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.flushHeaders();
      const text = 'slow 1\n';
      let i = 0;
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(text[i++ % text.length])), 1000);
      res.on('close', () => clearInterval(timer));
    },
    '/big': (res) => pump(res, Buffer.alloc(64 * 1024, 'x'), scale.bigBytes),
    '/endless': (res) => pump(res, Buffer.from('hostile_endless{a="b"} 1\n'.repeat(2000)), Infinity),
    '/million': (res) => res.end(million),
    '/longlabel': (res) => res.end(longLabel),
  };
  const server = http.createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route === undefined) {
      res.statusCode = 404;
      res.end();
    } else route(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** n healthy targets (paths /healthy/0 … /healthy/n-1) with `series` gauges each, all on one port. */
export async function healthyTargets(n, series = 200) {
  const server = http.createServer((req, res) => {
    const m = /^\/healthy\/(\d+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (m === null || Number(m[1]) >= n) {
      res.statusCode = 404;
      res.end();
      return;
    }
    let body = '# TYPE healthy_gauge gauge\n';
    for (let i = 0; i < series; i++) body += `healthy_gauge{i="${i}"} ${Math.random()}\n`;
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    host: base.slice('http://'.length),
    paths: Array.from({ length: n }, (_, i) => `/healthy/${i}`),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A prometheus.yml with one job per healthy target (`healthy-i`) and per hostile kind
 * (`hostile-<kind>`). `limits` are written into every job, so Prometheus 2.42 (no global limits)
 * runs under the same bounds as Vigil's defaults.
 */
export function hostileConfig({ healthy, hostileBase, interval = '1s', timeout = '1s', hostileInterval = '5s', hostileTimeout = '4s', limits = {} }) {
  const hostileUrl = new URL(hostileBase);
  const lim = Object.entries(limits).map(([k, v]) => `    ${k}: ${v}\n`).join('');
  let y = `global:\n  scrape_interval: ${interval}\n  scrape_timeout: ${timeout}\nscrape_configs:\n`;
  healthy.paths.forEach((p, i) => {
    y += `  - job_name: healthy-${i}\n    metrics_path: ${p}\n${lim}    static_configs:\n      - targets: ["${healthy.host}"]\n`;
  });
  for (const p of Object.keys(hostileKinds)) {
    y += `  - job_name: hostile-${p.slice(1)}\n    metrics_path: ${p}\n    scrape_interval: ${hostileInterval}\n    scrape_timeout: ${hostileTimeout}\n${lim}    static_configs:\n      - targets: ["${hostileUrl.host}"]\n`;
  }
  return y;
}

/** Starts this file as a child process serving the hostile targets; resolves with its base URL. */
export async function spawnHostileTargets(scaleName = 'full') {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--scale', scaleName], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)).base);
    });
    child.once('exit', (code) => reject(new Error(`hostile targets exited ${code}`)));
  });
  return {
    base,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: 'full' } } });
  const scale = scales[values.scale];
  if (scale === undefined) throw new Error(`--scale ${values.scale}: use full or ci`);
  const t = await startHostileTargets(scale);
  process.stdout.write(JSON.stringify({ base: t.base }) + '\n');
  process.on('SIGTERM', () => void t.close().then(() => process.exit(0)));
}
