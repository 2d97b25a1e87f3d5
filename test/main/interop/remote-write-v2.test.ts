// Vigil → Vigil over remote write 2.0, two `vigil serve` processes: A scrapes a fake exporter
// (OpenMetrics with exemplars) and remote-writes with protobuf_message
// io.prometheus.write.v2.Request, send_exemplars and metadata to B
// (--web.enable-remote-write-receiver). B ends with exactly the samples A stored per series, A's
// queue stays on 2.0 (B answers with the written-count headers) and B holds A's exemplars.
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './peers.js';
import { vigilServe, type Proc } from './remote-peers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const skip = existsSync(`${repoRoot}dist/main/cli.js`) ? '' : 'the engine is not built (npm run build:main)';
const key = (l: Record<string, string>): string => JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));

/** Samples per series over (t0, t1]; count_over_time drops __name__, so each name is asked apart. */
async function counts(base: string, t0: number, t1: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of ['demo_requests_total', 'up', 'scrape_duration_seconds', 'scrape_samples_scraped']) {
    const q = `count_over_time({__name__="${name}",job="fake"}[${t1 - t0}ms])`;
    const text = await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${t1 / 1000}`)).text();
    const r = JSON.parse(text) as { data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (r.data === undefined) throw new Error(`${base}: ${q}: ${text}`);
    for (const s of r.data.result) out.set(key({ ...s.metric, __name__: name }), Number(s.value[1]));
  }
  return out;
}

async function metric(base: string, name: string): Promise<number | null> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = new RegExp(`^${name}\\{[^}]*remote_name="b"[^}]*\\} (\\S+)$`, 'm').exec(text);
  return m === null ? null : Number(m[1]);
}

describe.skipIf(skip !== '')(`Vigil remote-writes 2.0 to Vigil${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let exporter: http.Server | null = null;
  let a: Proc | null = null;
  let b: Proc | null = null;
  let scrapes = 0;

  beforeAll(async () => {
    exporter = http.createServer((_req, res) => {
      scrapes++;
      let body = '# TYPE demo_requests counter\n# HELP demo_requests Requests served.\n';
      for (let i = 0; i < 5; i++) body += `demo_requests_total{i="${i}"} ${scrapes * 10 + i} # {trace_id="s${scrapes}i${i}"} 1.5\n`;
      body += '# EOF\n';
      res.writeHead(200, { 'Content-Type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' }).end(body);
    });
    await new Promise<void>((r) => exporter!.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
    b = await vigilServe(repoRoot, 'scrape_configs: []\n', ['--web.enable-remote-write-receiver']);
    await b.start();
    a = await vigilServe(
      repoRoot,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: fake\n    static_configs:\n      - targets: ['${target}']\n` +
        `remote_write:\n  - url: ${b.url}/api/v1/write\n    name: b\n    protobuf_message: io.prometheus.write.v2.Request\n    send_exemplars: true\n` +
        `    queue_config: { batch_send_deadline: 200ms, max_samples_per_send: 20 }\n`,
    );
    await a.start();
  }, 90_000);

  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    exporter?.close();
  });

  it('B holds exactly what A stored, the queue stays on 2.0, exemplars arrive', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    await new Promise((r) => setTimeout(r, 6000));
    const t1 = Math.floor(Date.now() / 1000) * 1000 - 1000;
    await until(async () => ((await metric(a!.url, 'prometheus_remote_storage_queue_highest_sent_timestamp_seconds')) ?? 0) * 1000 >= t1 ? true : null, 'A to send past the window', 30_000, 250);
    const stored = await counts(a!.url, t0, t1);
    expect(stored.size).toBe(5 + 3); // 5 demo series, up and two scrape_* series
    expect(Math.min(...stored.values())).toBeGreaterThanOrEqual(3);
    expect(await counts(b!.url, t0, t1)).toEqual(stored);
    expect(await metric(a!.url, 'prometheus_remote_storage_samples_failed_total')).toBe(0);
    expect(await metric(a!.url, 'prometheus_remote_storage_exemplars_total')).toBeGreaterThan(0);
    const status = (await (await fetch(`${a!.url}/api/vigil/status`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json()) as { ok?: boolean; result?: { remoteWrite?: { protocol: string; lastError: string | null }[] } };
    expect(JSON.stringify(status)).toContain('"protocol":"2.0"');
    const ex = (await (await fetch(`${b!.url}/api/v1/query_exemplars?query=demo_requests_total&start=${t0 / 1000}&end=${Date.now() / 1000}`)).json()) as { data: { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string> }[] }[] };
    const traces = ex.data.flatMap((s) => s.exemplars.map((e) => e.labels['trace_id']));
    expect(traces.length).toBeGreaterThan(0);
    expect(traces.every((t) => /^s\d+i\d$/.test(t ?? ''))).toBe(true);
  }, 90_000);
});
