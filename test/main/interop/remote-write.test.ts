// Vigil scrapes a fake exporter and remote-writes to Debian's Prometheus 2.42
// (--web.enable-remote-write-receiver) and VictoriaMetrics. Both receivers are down for part of
// the run and Vigil is killed with SIGKILL twice (once while the receivers are down, once while
// it sends) and restarted on the same data. In the end each receiver holds, per series, exactly
// the samples Vigil stored over the compared window.
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPeers, until } from './peers.js';
import { prometheusReceiver, victoriaMetrics, vigilServe, type Proc } from './remote-peers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const skip =
  missingPeers('prometheus') ||
  (existsSync('/usr/bin/victoria-metrics') ? '' : '/usr/bin/victoria-metrics not installed (Debian package victoria-metrics)') ||
  (existsSync(`${repoRoot}dist/main/cli.js`) ? '' : 'the engine is not built (npm run build:main)');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const key = (l: Record<string, string>): string => JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));

interface PromVector {
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

/** count_over_time drops __name__, so each metric is counted apart and its name put back in the key. */
async function promCounts(base: string, names: readonly string[], t0: number, t1: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of names) for (const [k, n] of await promCountsOf(base, `{__name__="${name}",job="fake"}`, t0, t1)) out.set(key({ ...Object.fromEntries(JSON.parse(k) as [string, string][]), __name__: name }), n);
  return out;
}

async function promCountsOf(base: string, selector: string, t0: number, t1: number): Promise<Map<string, number>> {
  const q = `count_over_time(${selector}[${t1 - t0}ms])`;
  const text = await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${t1 / 1000}`)).text();
  const r = JSON.parse(text) as PromVector;
  if (r.data === undefined) throw new Error(`${base}: ${q}: ${text}`);
  return new Map(r.data.result.map((s) => [key(s.metric), Number(s.value[1])]));
}

async function vmCounts(base: string, selector: string, t0: number, t1: number): Promise<Map<string, number>> {
  await fetch(`${base}/internal/force_flush`);
  const text = await (await fetch(`${base}/api/v1/export?match[]=${encodeURIComponent(selector)}&start=${t0 / 1000 - 60}&end=${t1 / 1000 + 60}`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { metric: Record<string, string>; timestamps: number[] };
    const labels = row.metric;
    const n = row.timestamps.filter((t) => t > t0 && t <= t1).length;
    if (n > 0) out.set(key(labels), (out.get(key(labels)) ?? 0) + n);
  }
  return out;
}

async function sentUpTo(vigil: Proc): Promise<Map<string, number>> {
  const text = await (await fetch(`${vigil.url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^prometheus_remote_storage_queue_highest_sent_timestamp_seconds\{remote_name="([^"]+)"[^}]*\} (\S+)$/gm)) out.set(m[1]!, Number(m[2]) * 1000);
  return out;
}

describe.skipIf(skip !== '')(`remote write to Prometheus 2.42 and VictoriaMetrics through outages and SIGKILL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let exporter: http.Server | null = null;
  let vm: Proc | null = null;
  let prom: Proc | null = null;
  let vigil: Proc | null = null;
  let scrapes = 0;

  beforeAll(async () => {
    exporter = http.createServer((_req, res) => {
      scrapes++;
      let body = '';
      for (let i = 0; i < 20; i++) body += `demo_value{i="${i}"} ${scrapes * 10 + i}\n`;
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(body);
    });
    await new Promise<void>((r) => exporter!.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
    vm = await victoriaMetrics();
    prom = await prometheusReceiver();
    const rw = (url: string, name: string) =>
      `  - url: ${url}\n    name: ${name}\n    queue_config: { batch_send_deadline: 500ms, min_backoff: 100ms, max_backoff: 1s, max_samples_per_send: 50 }\n`;
    const config =
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: fake\n    static_configs:\n      - targets: ['${target}']\n` +
      `remote_write:\n${rw(`${vm.url}/api/v1/write`, 'vm')}${rw(`${prom.url}/api/v1/write`, 'prom')}`;
    vigil = await vigilServe(repoRoot, config);
    await Promise.all([vm.start(), prom.start()]);
    await vigil.start();
  }, 90_000);

  afterAll(async () => {
    await vigil?.destroy();
    await vm?.destroy();
    await prom?.destroy();
    exporter?.close();
  });

  it('each receiver ends with exactly the samples Vigil stored, per series', async () => {
    const v = vigil!;
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    await sleep(4000);
    await Promise.all([vm!.stop(), prom!.stop()]); // receivers down
    await sleep(4000);
    await v.stop('SIGKILL'); // killed while retrying
    await v.start();
    await sleep(2000);
    await Promise.all([vm!.start(), prom!.start()]); // receivers back, on the same data
    await sleep(1500);
    await v.stop('SIGKILL'); // killed while sending the backlog
    await v.start();
    await sleep(3000);
    const t1 = Math.floor(Date.now() / 1000) * 1000 - 1000;
    await until(async () => {
      const s = await sentUpTo(v);
      return (s.get('vm') ?? 0) >= t1 && (s.get('prom') ?? 0) >= t1 ? true : null;
    }, 'both queues to send past the compared window', 60_000, 250);

    const names = ['demo_value', 'up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_series_added'];
    const stored = await promCounts(v.url, names, t0, t1);
    // 20 demo series + up + 3 scrape_* series, each scraped about once a second over ≥ 12 s
    // (less the seconds Vigil was down).
    expect(stored.size).toBe(24);
    expect(Math.min(...stored.values())).toBeGreaterThanOrEqual(5);
    expect(await promCounts(prom!.url, names, t0, t1)).toEqual(stored);
    expect(await vmCounts(vm!.url, `{__name__=~"${names.join('|')}",job="fake"}`, t0, t1)).toEqual(stored);
  }, 180_000);
});
