// Debian's Prometheus 2.42 scrapes a fake exporter and remote-writes to Vigil's receiver. Vigil
// must then hold what Prometheus scraped, and answer /federate and /api/v1/read as Prometheus
// answers them for the same data.
import { join } from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServer } from '../../../main/api/http-server.js';
import { registerServeRoutes } from '../../../main/api/serve-routes.js';
import { Engine } from '../../../main/engine.js';
import { decodeReadResponse, encodeReadRequest, snappyCompress, snappyUncompress } from '../../../main/remote/proto.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { missingPeers, startPrometheus, until, type Peer } from './peers.js';

const skip = missingPeers('prometheus');
const names = ['demo_value', 'up', 'scrape_samples_scraped'];
const key = (l: Record<string, string>): string => JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));

async function counts(base: string, t0: number, t1: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of names) {
    const q = `count_over_time({__name__="${name}",job="fake"}[${t1 - t0}ms])`;
    const text = await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${t1 / 1000}`)).text();
    const r = JSON.parse(text) as { data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    if (r.data === undefined) throw new Error(`${base}: ${q}: ${text}`);
    for (const s of r.data.result) out.set(key({ ...s.metric, __name__: name }), Number(s.value[1]));
  }
  return out;
}

async function read(base: string, t0: number, t1: number): Promise<unknown> {
  const body = snappyCompress(
    encodeReadRequest({
      queries: [
        { start_timestamp_ms: t0, end_timestamp_ms: t1, matchers: [{ type: 0, name: 'job', value: 'fake' }, { type: 2, name: '__name__', value: 'demo_.*|up' }] },
        { start_timestamp_ms: t0, end_timestamp_ms: t1, matchers: [{ type: 0, name: '__name__', value: 'demo_value' }, { type: 1, name: 'i', value: '3' }] },
      ],
      accepted_response_types: [0],
    }),
  );
  const res = await fetch(`${base}/api/v1/read`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Read-Version': '0.1.0' }, body: Buffer.from(body) });
  if (res.status !== 200) throw new Error(`${base}/api/v1/read: ${res.status} ${await res.text()}`);
  return decodeReadResponse(snappyUncompress(new Uint8Array(await res.arrayBuffer()), 64 << 20));
}

describe.skipIf(skip !== '')(`Prometheus 2.42 remote-writes to Vigil; /federate and /api/v1/read agree${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let exporter: http.Server | null = null;
  let prom: Peer | null = null;
  let engine: Engine | null = null;
  let server: HttpServer | null = null;
  let cleanup = (): void => {};
  let scrapes = 0;
  let vigil = '';

  beforeAll(async () => {
    exporter = http.createServer((_req, res) => {
      scrapes++;
      let body = '# TYPE demo_value gauge\n';
      for (let i = 0; i < 10; i++) body += `demo_value{i="${i}"} ${scrapes * 0.25 + i * 1e6}\n`;
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(body);
    });
    await new Promise<void>((r) => exporter!.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
    const t = tempDir('vigil-rw-receiver-');
    cleanup = t.cleanup;
    const configFile = join(t.dir, 'vigil.yml');
    writeFileSync(configFile, 'scrape_configs: []\n');
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
    server = new HttpServer({ api: engine.api, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerServeRoutes(server, engine, { remoteWriteReceiver: true });
    await server.listen();
    await engine.startCollection({ selfAddress: `127.0.0.1:${server.port}`, externalURL: server.url });
    vigil = `http://127.0.0.1:${server.port}`;
    prom = await startPrometheus(
      `global:\n  scrape_interval: 2s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: fake\n    static_configs:\n      - targets: ['${target}']\n` +
        `remote_write:\n  - url: ${vigil}/api/v1/write\n    queue_config: { batch_send_deadline: 100ms }\n`,
    );
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await server?.close();
    await engine?.stop();
    exporter?.close();
    cleanup();
  });

  it('Vigil holds what Prometheus scraped, and answers /federate and remote read as Prometheus does', async () => {
    const p = prom!;
    const t0 = Date.now();
    await until(() => (scrapes >= 6 ? true : null), '6 scrapes by Prometheus', 30_000, 200);
    const t1 = Date.now() - 2500;
    // Prometheus sends within ~100 ms of a scrape; wait until Vigil has everything up to t1.
    await until(async () => {
      const [a, b] = await Promise.all([counts(p.url, t0, t1), counts(vigil, t0, t1)]);
      return a.size > 0 && JSON.stringify([...a].sort()) === JSON.stringify([...b].sort()) ? true : null;
    }, 'Vigil to hold what Prometheus scraped', 20_000, 250);
    const stored = await counts(p.url, t0, t1);
    expect(stored.size).toBe(12);
    expect(await counts(vigil, t0, t1)).toEqual(stored);

    // /federate: between two scrapes (2 s apart) both hold the same newest samples.
    const fed = (base: string) => fetch(`${base}/federate?match[]=${encodeURIComponent('{job="fake"}')}&match[]=up`).then((r) => r.text());
    let pair: [string, string] = ['', ''];
    await until(async () => {
      pair = [await fed(p.url), await fed(vigil)];
      return pair[0] === pair[1] ? true : null;
    }, 'the same /federate answer from both', 20_000, 100).catch(() => undefined);
    expect(pair[0]).toContain('demo_value{i="9",instance=');
    expect(pair[1]).toBe(pair[0]);

    // Remote read over a window both hold in full.
    const theirs = (await read(p.url, t0, t1)) as { results: { timeseries: { samples: unknown[] }[] }[] };
    expect(theirs.results.map((r) => r.timeseries.length)).toEqual([11, 9]);
    expect(Math.min(...theirs.results[0]!.timeseries.map((s) => s.samples.length))).toBeGreaterThanOrEqual(2);
    expect(await read(vigil, t0, t1)).toEqual(theirs);
  }, 90_000);
});
