// Vigil's remote_read client against Debian's Prometheus 2.42: Prometheus holds three hours of a
// series, Vigil only the last 90 minutes. With Prometheus as Vigil's remote_read, Vigil's answers
// cover the three hours and equal Prometheus' own. VictoriaMetrics 1.79 (Debian's) does not serve
// /api/v1/read: pointing a remote_read block at it gives a warning, not a failed query.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServer } from '../../../main/api/http-server.js';
import { registerServeRoutes } from '../../../main/api/serve-routes.js';
import { Engine } from '../../../main/engine.js';
import { encodeWriteRequest, snappyCompress } from '../../../main/remote/proto.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { missingPeers } from './peers.js';
import { prometheusReceiver, victoriaMetrics, type Proc } from './remote-peers.js';

const skip = missingPeers('prometheus');
const stepMs = 15_000;

interface Answer {
  status: string;
  warnings?: string[];
  data?: { resultType: string; result: unknown[] };
}

async function api(base: string, path: string, params: Record<string, string>): Promise<Answer> {
  const text = await (await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`)).text();
  return JSON.parse(text) as Answer;
}

type Matrix = { resultType: string; result: unknown[] } | undefined;

/**
 * `ours` with each value replaced by Prometheus' where the two agree within 1e-12 relative: the
 * engines may sum in a different order (last-bit differences); anything else still shows.
 */
function close(ours: Matrix, theirs: Matrix): Matrix {
  if (ours === undefined || theirs === undefined || ours.result.length !== theirs.result.length) return ours;
  const result = ours.result.map((s, i) => {
    const a = s as { metric: unknown; values: [number, string][] };
    const b = theirs.result[i] as { metric: unknown; values: [number, string][] };
    const values = a.values.map(([t, v], k): [number, string] => {
      const w = b.values?.[k];
      return w !== undefined && w[0] === t && Math.abs(Number(v) - Number(w[1])) <= 1e-12 * Math.abs(Number(w[1])) ? w : [t, v];
    });
    return { ...a, values };
  });
  return { ...ours, result };
}

describe.skipIf(skip !== '')(`Vigil reads older data from Prometheus 2.42 by remote_read${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let prom: Proc | null = null;
  let vm: Proc | null = null;
  let engine: Engine | null = null;
  let server: HttpServer | null = null;
  let cleanup = (): void => {};
  let vigil = '';
  // Whole minutes, so both sides evaluate at the same instants.
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const start = end - 3 * 3600_000;
  const localFrom = end - 90 * 60_000;
  const series = [0, 1, 2].map((i) => ({ __name__: 'demo', i: String(i), job: 'gen' }));
  const value = (i: number, t: number): number => i * 1000 + (t - start) / 1000;

  beforeAll(async () => {
    prom = await prometheusReceiver();
    await prom.start();
    vm = await victoriaMetrics();
    await vm.start();
    // Prometheus gets all three hours in one request (in time order per series, into an empty head).
    const timeseries = series.map((l, i) => {
      const samples: { value: number; timestamp: number }[] = [];
      for (let t = start; t <= end; t += stepMs) samples.push({ value: value(i, t), timestamp: t });
      return { labels: Object.entries(l).map(([name, v]) => ({ name, value: v })), samples };
    });
    const res = await fetch(`${prom.url}/api/v1/write`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
      body: Buffer.from(snappyCompress(encodeWriteRequest({ timeseries }))),
    });
    expect(res.status, await res.text()).toBe(204);

    const t = tempDir('vigil-remote-read-');
    cleanup = t.cleanup;
    const configFile = join(t.dir, 'vigil.yml');
    writeFileSync(
      configFile,
      `scrape_configs: []\nremote_read:\n  - url: ${prom.url}/api/v1/read\n    name: prom\n  - url: ${vm.url}/api/v1/read\n    name: vm\n    required_matchers: { job: vm }\n`,
    );
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
    // Vigil itself holds only the last 90 minutes.
    const app = engine.tsdb.appender();
    series.forEach((l, i) => {
      for (let t = localFrom; t <= end; t += stepMs) app.append(labelsFromRecord(l), t, value(i, t));
    });
    await app.commit();
    server = new HttpServer({ api: engine.api, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerServeRoutes(server, engine);
    await server.listen();
    await engine.startCollection({ selfAddress: `127.0.0.1:${server.port}`, externalURL: server.url });
    vigil = `http://127.0.0.1:${server.port}`;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await engine?.stop();
    await prom?.destroy();
    await vm?.destroy();
    cleanup();
  });

  it('merges the remote three hours with the local 90 minutes; answers equal Prometheus', async () => {
    const p = prom!.url;
    const n = (end - start) / stepMs + 1;
    // [4h] holds every sample however range ends are treated (Prometheus 2.42 closes ranges on
    // the left, Vigil follows Prometheus 3 and leaves them open). Local alone would count 90 minutes.
    const counts = { query: 'count_over_time(demo[4h])', time: String(end / 1000) };
    const theirs = await api(p, '/api/v1/query', counts);
    expect(theirs.data?.result).toHaveLength(3);
    expect((theirs.data!.result as { value: [number, string] }[]).map((r) => Number(r.value[1]))).toEqual([n, n, n]);
    const ours = await api(vigil, '/api/v1/query', counts);
    expect(ours.warnings ?? []).toEqual([]);
    expect(ours.data).toEqual(theirs.data);

    // /api/v1/series over the remote-only stretch lists the series, as Prometheus does.
    const older = { 'match[]': 'demo', start: String(start / 1000), end: String((localFrom - 60_000) / 1000) };
    const seriesOf = async (base: string) => ((await api(base, '/api/v1/series', older)).data as unknown as Record<string, string>[]).map((s) => JSON.stringify(s)).sort();
    expect(await seriesOf(vigil)).toEqual(await seriesOf(p));
    expect(await seriesOf(vigil)).toHaveLength(3);

    for (const query of ['demo', 'sum by (job) (rate(demo[5m]))', 'max_over_time(demo{i="1"}[20m])']) {
      // Steps 7.5 s off the sample grid: no sample sits on a window's edge (see above).
      const params = { query, start: String((start + 7500) / 1000), end: String((end + 7500) / 1000), step: '60' };
      const a = await api(p, '/api/v1/query_range', params);
      const b = await api(vigil, '/api/v1/query_range', params);
      expect(a.status, query).toBe('success');
      expect(b.warnings ?? [], query).toEqual([]);
      expect(close(b.data, a.data), query).toEqual(a.data);
    }
  }, 60_000);

  it('a remote that cannot answer (VictoriaMetrics has no /api/v1/read) is a warning; the query still answers', async () => {
    const ours = await api(vigil, '/api/v1/query', { query: 'count_over_time(demo{job="vm"}[4h]) or count_over_time(demo{i="0"}[4h])', time: String(end / 1000) });
    expect(ours.status).toBe('success');
    expect(ours.warnings?.join('\n')).toMatch(/remote_read "vm": remote server http:\/\/127\.0\.0\.1:\d+\/api\/v1\/read returned HTTP status 400 Bad Request: .*unsupported path requested/);
    expect((ours.data!.result as { value: [number, string] }[]).map((r) => Number(r.value[1]))).toEqual([(end - start) / stepMs + 1]);
  }, 30_000);
});
