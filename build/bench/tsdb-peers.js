// Storage and query figures of the peers on W-offline (docs/benchmarks.md): Prometheus 2.42 backfill
// (promtool) and VictoriaMetrics 1.79 import, bytes on disk per sample, and Q1–Q5 range-query
// medians. Each system is an object { name, import(), bytesOnDisk(), query(q, start, end, step), stop() }
// so Vigil's own system plugs in beside them (build/bench/tsdb.js).
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaries, duBytes, installed, median, procStats, startPrometheus, startVictoriaMetrics } from './peers.js';

export const queries = {
  Q1: 'sum by (handler) (rate(http_requests_total[1m]))',
  Q2: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))',
  Q3: 'topk(5, sum by (deployment, dst_deployment) (rate(response_total[1m])))',
  Q4: 'sum by (code) (rate(http_requests_total{handler=~"/api/v1/resource1.*",code=~"5.."}[1m]))',
  Q5: 'count({__name__=~".+"})',
};

/**
 * One range query over a Prometheus-compatible API: wall time as the client sees it, and the CPU
 * the server process (all its threads) spent meanwhile — on a shared machine the steadier figure.
 */
export async function promQuery(baseUrl, pid, q, start, end, step, extra = '') {
  const params = new URLSearchParams({ query: q, start: String(start / 1000), end: String(end / 1000), step: String(step / 1000) });
  const c0 = procStats(pid).cpuSeconds;
  const t0 = performance.now();
  const res = await fetch(`${baseUrl}/api/v1/query_range?${params}${extra}`);
  const body = await res.json();
  const ms = performance.now() - t0;
  const cpuMs = (procStats(pid).cpuSeconds - c0) * 1000;
  if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
  return { ms, cpuMs, series: body.data.result.length };
}

export async function timeQueries(system, start, end, step, runs = 5) {
  const out = {};
  for (const [id, q] of Object.entries(queries)) {
    await system.query(q, start, end, step); // warm-up
    const times = [];
    const cpu = [];
    let series = 0;
    for (let i = 0; i < runs; i++) {
      const r = await system.query(q, start, end, step);
      times.push(r.ms);
      cpu.push(r.cpuMs);
      series = r.series;
    }
    out[id] = { ms: median(times), cpuMs: median(cpu), series };
  }
  return out;
}

export function prometheusSystem(omFile) {
  if (!installed('prometheus') || !installed('promtool')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'bench-promtool-'));
  let server = null;
  return {
    name: 'Prometheus 2.42',
    async import() {
      const t0 = performance.now();
      const r = spawnSync(binaries.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', omFile, dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const seconds = (performance.now() - t0) / 1000;
      if (r.status !== 0) throw new Error(`promtool failed: ${r.stderr}`);
      return { seconds };
    },
    bytesOnDisk() {
      let chunks = 0;
      for (const entry of execFileSync('find', [dir, '-path', '*/chunks/*', '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
        chunks += statSync(entry).size;
      }
      return { all: duBytes(dir), chunks };
    },
    async query(q, start, end, step) {
      server ??= await startPrometheus({ dataDir: dir });
      return promQuery(server.url, server.pid, q, start, end, step);
    },
    async stop() {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function victoriaSystem(promFile) {
  if (!installed('victoriaMetrics')) return null;
  let vm = null;
  return {
    name: 'VictoriaMetrics 1.79',
    async import() {
      vm = await startVictoriaMetrics();
      const t0 = performance.now();
      const res = await fetch(`${vm.url}/api/v1/import/prometheus`, {
        method: 'POST',
        body: createReadStream(promFile),
        duplex: 'half',
      });
      if (!res.ok) throw new Error(`VM import: HTTP ${res.status} ${await res.text()}`);
      // The import is acknowledged before it is searchable; force a flush and count it done then.
      await fetch(`${vm.url}/internal/force_flush`);
      const seconds = (performance.now() - t0) / 1000;
      return { seconds };
    },
    /** Measured after stop(): VictoriaMetrics writes its in-memory parts on shutdown. */
    bytesOnDisk() {
      return { all: duBytes(vm.dataDir), chunks: duBytes(join(vm.dataDir, 'data')) };
    },
    measureAfterStop: true,
    async query(q, start, end, step) {
      return promQuery(vm.url, vm.pid, q, start, end, step, '&nocache=1');
    },
    async stop() {
      await vm?.stopKeepData();
    },
    cleanup() {
      vm?.removeData();
    },
  };
}
