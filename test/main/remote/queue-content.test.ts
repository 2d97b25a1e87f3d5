// What a queue sends besides float samples: native histograms, exemplars, metadata; and
// remote write 2.0 with its fallback to 1.0. Also Vigil → Vigil over 2.0 through the receiver.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';
import type { Config } from '../../../main/config/schema.js';
import { RemoteWrite } from '../../../main/remote/manager.js';
import { receiveWrite } from '../../../main/remote/receiver.js';
import { histogramFromProto } from '../../../main/remote/histogram-proto.js';
import type { MetadataSource } from '../../../main/remote/queue.js';
import { TSDB } from '../../../main/tsdb/db.js';
import { ExemplarStore } from '../../../main/tsdb/exemplars.js';
import type { NativeHistogram } from '../../../main/tsdb/interface.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { FakeReceiver } from './fake-receiver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function config(url: string, extra = ''): Config {
  const text = `remote_write:
  - url: ${url}
    name: test
    queue_config: { max_samples_per_send: 50, batch_send_deadline: 50ms, min_backoff: 10ms, max_backoff: 40ms }
${extra}`;
  const r = parseConfig(text, 'test.yml');
  if (!r.ok) throw new Error(r.errors.map(String).join('\n'));
  return r.config;
}

async function storage(): Promise<{ dir: string; db: TSDB }> {
  const t = tempDir('vigil-rw-');
  cleanups.push(t.cleanup);
  const db = await TSDB.open({ dir: join(t.dir, 'tsdb'), worker: false, maxChunkSamples: 10 });
  cleanups.push(() => db.close());
  return { dir: t.dir, db };
}

async function receiver(): Promise<{ rx: FakeReceiver; url: string }> {
  const rx = new FakeReceiver();
  const url = await rx.start();
  cleanups.push(() => rx.stop());
  return { rx, url };
}

function writer(dir: string, db: TSDB, extra: { exemplars?: ExemplarStore; metadata?: MetadataSource } = {}): RemoteWrite {
  const rw = new RemoteWrite({ storage: db, dataDir: join(dir, 'remote-write'), userAgent: 'Vigil/test', logger: silentLogger, pollMs: 10, holdEveryMs: 0, ...extra });
  cleanups.push(() => rw.stop());
  return rw;
}

const hist = (b: number, i: number): NativeHistogram => ({
  schema: 0,
  zeroThreshold: 0.001,
  zeroCount: 1,
  count: 1 + b + i,
  sum: 10 * b + i,
  positive: [{ index: 1, count: b + i }],
  negative: [],
  customValues: [],
  counterResetHint: 'unknown',
});

/** `batches` commits, each with a float sample of `floats` series and a histogram of `hists` series. */
async function fill(db: TSDB, floats: number, hists: number, batches: number, from = 0): Promise<void> {
  for (let b = from; b < from + batches; b++) {
    const a = db.appender();
    for (let i = 0; i < floats; i++) a.append([{ name: '__name__', value: 'f' }, { name: 'i', value: String(i) }], b * 1000, i + b);
    for (let i = 0; i < hists; i++) a.appendHistogram!([{ name: '__name__', value: 'h' }, { name: 'i', value: String(i) }], b * 1000, hist(b, i));
    await a.commit();
  }
}

async function until(f: () => boolean): Promise<void> {
  while (!f()) await new Promise((r) => setTimeout(r, 5));
}

describe('remote write content', () => {
  it('send_native_histograms: histograms go out in requests of their own, equal to what was stored; without it only floats go', async () => {
    const { dir, db } = await storage();
    const { rx, url } = await receiver();
    const rw = writer(dir, db);
    await rw.apply(config(url, '    send_native_histograms: true\n'));
    await fill(db, 3, 2, 20);
    await rx.waitFor(() => rx.total() === 60 && rx.histograms() === 40);
    for (const ts of rx.received) expect(ts.samples.length === 0 || (ts.histograms ?? []).length === 0).toBe(true);
    const got = rx.received.filter((ts) => (ts.histograms ?? []).length > 0 && ts.labels.some((l) => l.name === 'i' && l.value === '1'));
    const hs = got.flatMap((ts) => ts.histograms!);
    expect(hs.map((h) => h.timestamp)).toEqual(Array.from({ length: 20 }, (_, b) => b * 1000));
    expect(hs.map(histogramFromProto)).toEqual(Array.from({ length: 20 }, (_, b) => hist(b, 1)));
    const q = rw.running[0]!;
    await until(() => q.position === db.lastBatchId);
    expect(q.stats.histograms.total).toBe(40);
    expect(q.stats.samplesTotal).toBe(60);

    const { rx: rx2, url: url2 } = await receiver();
    const { dir: dir2, db: db2 } = await storage();
    const rw2 = writer(dir2, db2);
    await rw2.apply(config(url2));
    await fill(db2, 3, 2, 20);
    await rx2.waitFor(() => rx2.total() === 60);
    await until(() => rw2.running[0]!.position === db2.lastBatchId);
    expect(rx2.histograms()).toBe(0);
  });

  it('a receiver that refuses histograms (400): they are dropped and counted, every float arrives', async () => {
    const { dir, db } = await storage();
    const { rx, url } = await receiver();
    rx.refuseHistograms = true;
    const rw = writer(dir, db);
    await rw.apply(config(url, '    send_native_histograms: true\n'));
    await fill(db, 4, 2, 30);
    await rx.waitFor(() => rx.total() === 120);
    const q = rw.running[0]!;
    await until(() => q.position === db.lastBatchId);
    expect(rx.histograms()).toBe(0);
    expect(q.stats.histograms.failed).toBe(60);
    expect(q.stats.samplesFailed).toBe(0);
    expect(q.stats.lastError).toContain('native histograms are disabled');
  });

  it('protobuf_message 2.0: sends 2.0 requests with their headers; a receiver answering 415 gets 1.0 from then on, nothing lost', async () => {
    const { dir, db } = await storage();
    const { rx, url } = await receiver();
    const rw = writer(dir, db);
    await rw.apply(config(url, '    protobuf_message: io.prometheus.write.v2.Request\n    send_native_histograms: true\n'));
    await fill(db, 3, 1, 10);
    await rx.waitFor(() => rx.total() === 30 && rx.histograms() === 10);
    expect(rx.headers[0]!['content-type']).toBe('application/x-protobuf;proto=io.prometheus.write.v2.Request');
    expect(rx.headers[0]!['x-prometheus-remote-write-version']).toBe('2.0.0');
    expect(rw.running[0]!.stats.protocol).toBe('2.0');
    expect(rx.counts().get('__name__=f,i=2')).toBe(10);

    const { dir: dir2, db: db2 } = await storage();
    const { rx: rx2, url: url2 } = await receiver();
    rx2.only1 = true;
    const rw2 = writer(dir2, db2);
    await rw2.apply(config(url2, '    protobuf_message: io.prometheus.write.v2.Request\n'));
    await fill(db2, 3, 0, 10);
    await rx2.waitFor(() => rx2.total() === 30);
    const q = rw2.running[0]!;
    expect(q.stats.protocol).toBe('1.0');
    expect(q.stats.samplesFailed).toBe(0);
    expect(rx2.headers.filter((h) => h['content-type'] === 'application/x-protobuf').length).toBeGreaterThan(0);
    expect(rx2.counts().get('__name__=f,i=0')).toBe(10);
  });

  it('send_exemplars: exemplars kept since the queue started go out with their series labels', async () => {
    const { dir, db } = await storage();
    const { rx, url } = await receiver();
    const ring = new ExemplarStore(100, (ref) => db.seriesLabels(ref));
    const rw = writer(dir, db, { exemplars: ring });
    await rw.apply(config(url, '    send_exemplars: true\n'));
    for (let b = 0; b < 5; b++) {
      const a = db.appender();
      const ref = a.append([{ name: '__name__', value: 'rpc' }], b * 1000, b);
      await a.commit();
      ring.addExemplar(ref, { labels: [{ name: 'trace_id', value: `t${b}` }], value: b / 10, ts: b * 1000 });
    }
    await rx.waitFor(() => rx.exemplars() === 5);
    const ex = rx.received.flatMap((ts) => (ts.exemplars ?? []).map((e) => ({ series: ts.labels, ...e })));
    expect(ex.map((e) => e.labels[0]!.value)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(ex[0]!.series).toEqual([{ name: '__name__', value: 'rpc' }]);
    expect(rw.running[0]!.stats.exemplars.total).toBe(5);
  });

  it('metadata_config: 1.0 sends every family in requests of its own each send_interval; 2.0 attaches it to each series', async () => {
    const { dir, db } = await storage();
    const { rx, url } = await receiver();
    const md: MetadataSource = {
      all: () => [{ family: 'f', type: 'counter', help: 'F things.', unit: '' }, { family: 'g', type: 'gauge', help: 'G.', unit: 'bytes' }],
      lookup: (m) => (m === 'f' ? { family: 'f', type: 'counter', help: 'F things.', unit: '' } : undefined),
    };
    const rw = writer(dir, db, { metadata: md });
    await rw.apply(config(url, '    metadata_config: { send_interval: 30ms, max_samples_per_send: 1 }\n'));
    await rx.waitFor(() => rx.metadata.length >= 4);
    expect(rx.metadata.slice(0, 2)).toEqual([
      { type: 1, metric_family_name: 'f', help: 'F things.', unit: '' },
      { type: 2, metric_family_name: 'g', help: 'G.', unit: 'bytes' },
    ]);
    expect(rw.running[0]!.stats.metadata.total).toBeGreaterThanOrEqual(4);
    expect(rw.running[0]!.stats.metadataBytes).toBeGreaterThan(0);
    await rw.apply(config(url, '    protobuf_message: io.prometheus.write.v2.Request\n'));
    await fill(db, 1, 0, 3);
    await rx.waitFor(() => rx.v2Metadata.has('f'));
    expect(rx.v2Metadata.get('f')).toEqual({ type: 1, help: 'F things.', unit: '' });
    await rw.apply(config(url, '    metadata_config: { send: false }\n'));
    const before = rx.metadata.length;
    await fill(db, 1, 0, 3, 3);
    await rx.waitFor(() => rx.total() >= 6);
    expect(rx.metadata.length).toBe(before);
  });

  it('Vigil → Vigil over 2.0: floats, histograms and exemplars land in the receiving storage; written counts come back', async () => {
    const { dir, db } = await storage();
    const { db: target } = await storage();
    const targetRing = new ExemplarStore(100, (ref) => target.seriesLabels(ref));
    const answers: Record<string, string | string[] | undefined>[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void receiveWrite(Buffer.concat(chunks), target, { exemplars: targetRing, ...(req.headers['content-type'] !== undefined ? { contentType: req.headers['content-type'] } : {}) }).then((r) => {
          answers.push(r.headers);
          res.writeHead(r.status, r.headers).end(r.text);
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
    const ring = new ExemplarStore(100, (ref) => db.seriesLabels(ref));
    const rw = writer(dir, db, { exemplars: ring });
    await rw.apply(config(url, '    protobuf_message: io.prometheus.write.v2.Request\n    send_native_histograms: true\n    send_exemplars: true\n'));
    await fill(db, 2, 1, 12);
    const a = db.appender();
    const ref = a.append([{ name: '__name__', value: 'f' }, { name: 'i', value: '0' }], 12_000, 5);
    await a.commit();
    ring.addExemplar(ref, { labels: [{ name: 'trace_id', value: 'abc' }], value: 5, ts: 12_000 });
    const q = rw.running[0]!;
    await until(() => q.position === db.lastBatchId && q.stats.exemplars.total === 1);
    const set = await (await target.querier(0, 20_000)).select([{ op: '=~', name: '__name__', value: 'f|h' }]);
    const got = Object.fromEntries(set.series.map((s) => [s.labels.map((l) => l.value).join('/'), s.samples()]));
    expect(Object.keys(got).sort()).toEqual(['f/0', 'f/1', 'h/0']);
    expect([...got['f/0']!.v]).toEqual([...Array.from({ length: 12 }, (_, b) => b), 5]);
    expect(got['h/0']!.h).toEqual(Array.from({ length: 12 }, (_, b) => hist(b, 0)));
    expect(targetRing.select(0, 20_000, [[{ op: '=', name: '__name__', value: 'f' }]])[0]!.exemplars).toEqual([{ labels: [{ name: 'trace_id', value: 'abc' }], value: 5, ts: 12_000 }]);
    expect(answers.some((h) => h['X-Prometheus-Remote-Write-Histograms-Written'] === '12')).toBe(true);
    expect(q.stats.samplesFailed + q.stats.histograms.failed + q.stats.exemplars.failed).toBe(0);
    expect(q.stats.protocol).toBe('2.0'); // no fallback: the receiver took 2.0
  });
});
