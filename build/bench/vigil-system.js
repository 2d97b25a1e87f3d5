// Vigil as a benchmark "system", beside the peers: import through `vigil import` (its own
// process, timed and CPU-measured), bytes on disk after the import closed the database, and
// queries through `vigil serve`'s Prometheus API.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { duBytes } from './peers.js';
import { promQuery } from './tsdb-peers.js';
import Database from 'better-sqlite3';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const vigilBin = join(repoRoot, 'main/bin/vigil.js');

/** `bin`: another build's `main/bin/vigil.js` (a before/after comparison in the same run). */
export async function startVigilServe(dataDir, extraArgs = [], bin = vigilBin) {
  // BENCH_SERVE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the served engine (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env['BENCH_SERVE_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, bin, 'serve', '--port', '0', '--data', dataDir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out = (out + c).slice(-8000)));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil serve did not start:\n${out}`)), 60_000);
    child.stdout.on('data', () => {
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`vigil serve exited ${code}:\n${out}`)));
  });
  return {
    url,
    pid: child.pid,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * The peers answer uncached (VictoriaMetrics is asked with nocache=1; Prometheus has no result
 * cache), so Vigil's range result cache is off: a repeat measures evaluation. The cancellation
 * figure's uncancelled reference run can pass the default 2 min timeout on a loaded machine.
 */
const serveArgs = ['--query.range-cache-size', 'off', '--query.timeout', '10m'];

/** `vigil workload serve ARGS…` as a child; resolves with its file_sd target group and a stop. */
export async function startWorkload(args) {
  const child = spawn(process.execPath, [vigilBin, 'workload', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const group = await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0])[0]);
    });
    child.once('exit', (code) => reject(new Error(`workload serve ${args.join(' ')} exited ${code}: ${out}`)));
  });
  return { group, stop: () => child.kill('SIGTERM') };
}

export function vigilSystem(omFile) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-vigil-'));
  let server = null;
  return {
    name: 'Vigil',
    dataDir: dir,
    async import() {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [vigilBin, 'import', '--data', dir, omFile], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const seconds = (performance.now() - t0) / 1000;
      if (r.status !== 0) throw new Error(`vigil import failed (${r.status}): ${r.stderr}\n${r.stdout}`);
      return { seconds, output: r.stdout.trim() };
    },
    bytesOnDisk() {
      const db = new Database(join(dir, 'tsdb', 'vigil.db'), { readonly: true });
      try {
        const chunks = db.prepare('SELECT sum(length(data)) FROM chunks').pluck().get();
        return { all: duBytes(join(dir, 'tsdb')), chunks: Number(chunks ?? 0) };
      } finally {
        db.close();
      }
    },
    async query(q, start, end, step) {
      server ??= await startVigilServe(dir, serveArgs);
      return promQuery(server.url, server.pid, q, start, end, step);
    },
    /**
     * docs/reliability.md (Queries): cancelling stops work within 100 ms. A heavy range query is abandoned by its
     * client after `abortAfterMs`; the figure is the time from the abort to the answer of a
     * trivial query sent at that moment, i.e. until the single-threaded engine is free again.
     */
    async cancelLatency(q, start, end, step, rounds = 5, abortAfterMs = 300) {
      server ??= await startVigilServe(dir, serveArgs);
      const params = new URLSearchParams({ query: q, start: String(start / 1000), end: String(end / 1000), step: String(step / 1000) });
      const t0 = performance.now();
      const full = await (await fetch(`${server.url}/api/v1/query_range?${params}`)).json();
      const fullMs = performance.now() - t0;
      if (full.status !== 'success') throw new Error(`${q}: ${full.error}`);
      const latencies = [];
      for (let i = 0; i < rounds; i++) {
        const abandoned = fetch(`${server.url}/api/v1/query_range?${params}`, { signal: AbortSignal.timeout(abortAfterMs) }).catch(() => null);
        await new Promise((r) => setTimeout(r, abortAfterMs));
        const t = performance.now();
        const ping = await (await fetch(`${server.url}/api/v1/query?query=vector(1)`)).json();
        if (ping.status !== 'success') throw new Error(`ping: ${ping.error}`);
        latencies.push(performance.now() - t);
        await abandoned;
      }
      return { fullMs, latencies };
    },
    async stop() {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, with a throwaway profile: the page, and close() that removes it. */
export async function openChromium(executablePath, prefix) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), prefix));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1360, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return {
    ctx,
    page,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
