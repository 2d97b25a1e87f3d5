import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpServer } from '../../../main/api/http-server.js';
import { registerServeRoutes } from '../../../main/api/serve-routes.js';
import { Engine } from '../../../main/engine.js';
import { decodeReadResponse, encodeRaw, encodeReadRequest, encodeWriteRequest, snappyCompress, snappyUncompress, type PbTimeSeries } from '../../../main/remote/proto.js';
import { histogramToProto } from '../../../main/remote/histogram-proto.js';
import type { NativeHistogram } from '../../../main/tsdb/interface.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(receiver: boolean): Promise<{ engine: Engine; base: string }> {
  const { dir, cleanup } = tempDir('vigil-remote-routes-');
  cleanups.push(cleanup);
  const file = join(dir, 'vigil.yml');
  writeFileSync(file, 'global:\n  external_labels: { site: lab, job: ext }\nscrape_configs: []\n');
  const engine = await Engine.start({ dataDir: join(dir, 'data'), configFile: file, shell: 'test', logger: silentLogger, inProcessStorage: true });
  cleanups.push(() => engine.stop());
  const server = new HttpServer({ api: engine.api, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
  registerServeRoutes(server, engine, { remoteWriteReceiver: receiver });
  await server.listen();
  cleanups.push(() => server.close());
  await engine.startCollection({ selfAddress: `127.0.0.1:${server.port}`, externalURL: server.url });
  return { engine, base: `http://127.0.0.1:${server.port}` };
}

const series = (name: string, extra: Record<string, string>, samples: [number, number][]): PbTimeSeries => ({
  labels: [{ name: '__name__', value: name }, ...Object.entries(extra).map(([n, v]) => ({ name: n, value: v }))],
  samples: samples.map(([timestamp, value]) => ({ timestamp, value })),
});

const write = (base: string, body: Uint8Array) =>
  fetch(`${base}/api/v1/write`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' }, body: Buffer.from(body) });
const wire = (ts: PbTimeSeries[]) => snappyCompress(encodeWriteRequest({ timeseries: ts }));

async function stored(engine: Engine, name: string): Promise<Map<string, number[]>> {
  const q = await engine.tsdb.querier(0, Date.now() + 3_600_000);
  const set = await q.select([{ op: '=', name: '__name__', value: name }]);
  q.close();
  return new Map(set.series.map((s) => [s.labels.map((l) => `${l.name}=${l.value}`).join(','), Array.from(s.samples().t)]));
}

describe('remote write receiver', () => {
  it('is off unless enabled, saying which flag enables it', async () => {
    const { base } = await start(false);
    const res = await write(base, wire([series('m', {}, [[1000, 1]])]));
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('--web.enable-remote-write-receiver');
  });

  it('stores what it receives; bad snappy, bad protobuf, out-of-order and duplicates answer 400 and store nothing of the request', async () => {
    const { engine, base } = await start(true);
    const now = Date.now();
    expect((await write(base, wire([series('m', { a: '1' }, [[now - 2000, 1], [now - 1000, 2]]), series('m', { a: '2' }, [[now - 1000, 5]])]))).status).toBe(204);
    expect(await stored(engine, 'm')).toEqual(new Map([['__name__=m,a=1', [now - 2000, now - 1000]], ['__name__=m,a=2', [now - 1000]]]));

    const notSnappy = await write(base, Buffer.from('this is not snappy'));
    expect(notSnappy.status).toBe(400);
    expect(await notSnappy.text()).toContain('snappy');
    const notProto = await write(base, snappyCompress(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2])));
    expect(notProto.status).toBe(400);
    expect(await notProto.text()).toContain('proto');

    // A new series first, then an out-of-order sample: the whole request is refused.
    const ooo = await write(base, wire([series('m', { a: '3' }, [[now, 1]]), series('m', { a: '1' }, [[now - 5000, 1]])]));
    expect(ooo.status).toBe(400);
    expect(await ooo.text()).toBe('out of order sample\n');
    const dup = await write(base, wire([series('m', { a: '2' }, [[now - 1000, 6]])]));
    expect(dup.status).toBe(400);
    expect(await dup.text()).toBe('duplicate sample for timestamp\n');
    // The same sample again (same value) is accepted, as Prometheus accepts it.
    expect((await write(base, wire([series('m', { a: '2' }, [[now - 1000, 5]])]))).status).toBe(204);
    const bad = await write(base, wire([series('m', { 'bad-name': 'x' }, [[now, 1]])]));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('invalid labels');
    expect(await stored(engine, 'm')).toEqual(new Map([['__name__=m,a=1', [now - 2000, now - 1000]], ['__name__=m,a=2', [now - 1000]]]));
    expect(engine.tsdb.quickCheck().ok).toBe(true);
  });
});

describe('remote write receiver: histograms, exemplars, 2.0', () => {
  const h = (n: number): NativeHistogram => ({ schema: 0, zeroThreshold: 0.001, zeroCount: 1, count: n + 1, sum: n / 2, positive: [{ index: 2, count: n }], negative: [], customValues: [], counterResetHint: 'unknown' });
  const v2 = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';
  const post = (base: string, body: Uint8Array, contentType: string) => fetch(`${base}/api/v1/write`, { method: 'POST', headers: { 'Content-Type': contentType, 'Content-Encoding': 'snappy' }, body: Buffer.from(body) });

  it('1.0 with histograms and exemplars: histograms stored, exemplars in the ring; a bad histogram refuses the whole request', async () => {
    const { engine, base } = await start(true);
    const now = Date.now();
    const req = { timeseries: [
      { labels: [{ name: '__name__', value: 'lat' }], histograms: [histogramToProto(h(3), now - 2000), histogramToProto(h(4), now - 1000)] },
      { labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: now - 1000 }] },
      { labels: [{ name: '__name__', value: 'up' }], exemplars: [{ labels: [{ name: 'trace_id', value: 'x1' }], value: 1, timestamp: now - 1000 }] },
    ] };
    const res = await post(base, snappyCompress(encodeRaw('WriteRequest', req)), 'application/x-protobuf');
    expect(res.status).toBe(204);
    const q = await engine.tsdb.querier(0, now);
    const set = await q.select([{ op: '=', name: '__name__', value: 'lat' }]);
    expect(set.series[0]!.samples().h).toEqual([h(3), h(4)]);
    q.close();
    expect(engine.exemplars.select(0, now, [[{ op: '=', name: '__name__', value: 'up' }]])[0]!.exemplars).toEqual([{ labels: [{ name: 'trace_id', value: 'x1' }], value: 1, ts: now - 1000 }]);
    const broken = { ...histogramToProto(h(5), now), positive_deltas: [1, 2] };
    const bad = await post(base, snappyCompress(encodeRaw('WriteRequest', { timeseries: [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 2, timestamp: now }] }, { labels: [{ name: '__name__', value: 'lat' }], histograms: [broken] }] })), 'application/x-protobuf');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('invalid histogram: positive spans need 1 buckets, have 2');
    expect((await stored(engine, 'up')).get('__name__=up')).toEqual([now - 1000]);
  });

  it('2.0: symbols resolved, written counts in the answer headers; unknown proto answers 415; a bad symbol reference 400', async () => {
    const { engine, base } = await start(true);
    const now = Date.now();
    const symbols = ['', '__name__', 'm', 'k', 'v', 'trace_id', 'abc'];
    const body = encodeRaw('v2.Request', { symbols, timeseries: [
      { labels_refs: [1, 2, 3, 4], samples: [{ value: 1, timestamp: now - 2000 }, { value: 2, timestamp: now - 1000 }], exemplars: [{ labels_refs: [5, 6], value: 2, timestamp: now - 1000 }] },
      { labels_refs: [1, 2], histograms: [histogramToProto(h(1), now - 1000)] },
    ] });
    const res = await post(base, snappyCompress(body), v2);
    expect(res.status).toBe(204);
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('2');
    expect(res.headers.get('x-prometheus-remote-write-histograms-written')).toBe('1');
    expect(res.headers.get('x-prometheus-remote-write-exemplars-written')).toBe('1');
    expect(await stored(engine, 'm')).toEqual(new Map([['__name__=m', [now - 1000]], ['__name__=m,k=v', [now - 2000, now - 1000]]]));
    const unknown = await post(base, snappyCompress(body), 'application/x-protobuf;proto=io.prometheus.write.v3.Request');
    expect(unknown.status).toBe(415);
    expect(await unknown.text()).toContain('io.prometheus.write.v3.Request');
    expect((await post(base, snappyCompress(body), 'application/json')).status).toBe(415);
    const badRef = await post(base, snappyCompress(encodeRaw('v2.Request', { symbols: ['', '__name__'], timeseries: [{ labels_refs: [1, 9], samples: [{ value: 1, timestamp: now }] }] })), v2);
    expect(badRef.status).toBe(400);
    expect(await badRef.text()).toContain('symbol reference 9 is outside the 2 symbols');
    expect(badRef.headers.get('x-prometheus-remote-write-samples-written')).toBe('0');
  });
});

describe('/federate and /api/v1/read', () => {
  it('federate: newest sample per matching series with its timestamp, external labels added where absent, stale series left out', async () => {
    const { engine, base } = await start(true);
    const now = Date.now();
    const stale = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;
    const a = engine.tsdb.appender();
    a.append([{ name: '__name__', value: 'up' }, { name: 'job', value: 'node' }, { name: 'instance', value: 'h:1' }], now - 20_000, 1);
    a.append([{ name: '__name__', value: 'up' }, { name: 'job', value: 'node' }, { name: 'instance', value: 'h:1' }], now - 5000, 0);
    a.append([{ name: '__name__', value: 'up' }, { name: 'instance', value: 'h:2' }], now - 5000, 1234567);
    a.append([{ name: '__name__', value: 'up' }, { name: 'instance', value: 'gone' }], now - 9000, 1);
    a.append([{ name: '__name__', value: 'up' }, { name: 'instance', value: 'gone' }], now - 5000, stale);
    a.append([{ name: '__name__', value: 'old' }], now - 600_000, 1);
    a.append([{ name: '__name__', value: 'other' }], now - 5000, 3);
    await a.commit();
    const res = await fetch(`${base}/federate?match[]=${encodeURIComponent('{__name__=~"up|old"}')}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(
      '# TYPE up untyped\n' + `up{instance="h:1",job="node",site="lab"} 0 ${now - 5000}\n` + `up{instance="h:2",job="ext",site="lab"} 1.234567e+06 ${now - 5000}\n`,
    );
    expect((await fetch(`${base}/federate`)).status).toBe(400);
    expect((await fetch(`${base}/federate?match[]=rate(x[5m])`)).status).toBe(400);
  });

  it('remote read returns the samples of each query, external labels added', async () => {
    const { engine, base } = await start(true);
    const a = engine.tsdb.appender();
    for (let t = 1000; t <= 5000; t += 1000) {
      a.append([{ name: '__name__', value: 'x' }, { name: 'k', value: 'a' }], t, t / 1000);
      a.append([{ name: '__name__', value: 'x' }, { name: 'k', value: 'b' }], t, -t);
    }
    await a.commit();
    const body = snappyCompress(
      encodeReadRequest({
        queries: [
          { start_timestamp_ms: 2000, end_timestamp_ms: 4000, matchers: [{ type: 0, name: '__name__', value: 'x' }, { type: 2, name: 'k', value: 'a' }] },
          { start_timestamp_ms: 0, end_timestamp_ms: 10_000, matchers: [{ type: 1, name: 'k', value: 'a' }, { type: 0, name: '__name__', value: 'x' }] },
        ],
        accepted_response_types: [0],
      }),
    );
    const res = await fetch(`${base}/api/v1/read`, { method: 'POST', headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' }, body: Buffer.from(body) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('snappy');
    const r = decodeReadResponse(snappyUncompress(new Uint8Array(await res.arrayBuffer()), 1 << 20));
    expect(r.results).toHaveLength(2);
    expect(r.results[0]!.timeseries).toEqual([
      { labels: [{ name: '__name__', value: 'x' }, { name: 'job', value: 'ext' }, { name: 'k', value: 'a' }, { name: 'site', value: 'lab' }], samples: [2000, 3000, 4000].map((t) => ({ timestamp: t, value: t / 1000 })), exemplars: [], histograms: [] },
    ]);
    expect(r.results[1]!.timeseries.map((s) => s.samples.length)).toEqual([5]);
    const bad = await fetch(`${base}/api/v1/read`, { method: 'POST', body: Buffer.from('nope') });
    expect(bad.status).toBe(400);
  });
});
