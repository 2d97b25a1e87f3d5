// Vigil remote-writes native histograms (send_native_histograms) to Debian's Prometheus 2.42
// started with --enable-feature=native-histograms and --web.enable-remote-write-receiver: per
// series and timestamp, histogram_count and histogram_sum in Prometheus equal what Vigil stored,
// and the float series of the same rounds arrive too. A second Prometheus without the feature
// refuses histograms: Vigil drops and counts them and its floats still arrive. Configured for
// remote write 2.0, Vigil finds out that Prometheus 2.42 speaks only 1.0 (it answers a 2.0 body
// with 204 but no written-count headers) and sends everything again as 1.0.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';
import { RemoteWrite } from '../../../main/remote/manager.js';
import { TSDB } from '../../../main/tsdb/db.js';
import type { NativeHistogram } from '../../../main/tsdb/interface.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { missingPeers, startPrometheus, until, type Peer } from './peers.js';

const skip = missingPeers('prometheus');

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Integer histogram of series `i` at step `b`: exponential buckets on both sides and a zero bucket. */
function hist(b: number, i: number): NativeHistogram {
  const positive = [
    { index: -1, count: b + 1 },
    { index: 0, count: 2 * b + i },
    { index: 4, count: 3 },
  ];
  const negative = [{ index: 2, count: i + 1 }];
  const zeroCount = b % 3;
  const count = zeroCount + positive.reduce((a, x) => a + x.count, 0) + negative.reduce((a, x) => a + x.count, 0);
  return { schema: 2, zeroThreshold: 1e-128, zeroCount, count, sum: 1.5 * b + i - 0.25, positive, negative, customValues: [], counterResetHint: 'unknown' };
}

/** Per series (label i), the values of a range query with a 1 s step over the samples' times. */
async function queryRange(base: string, q: string, start: number, end: number): Promise<Map<string, number[]>> {
  const text = await (await fetch(`${base}/api/v1/query_range?query=${encodeURIComponent(q)}&start=${start / 1000}&end=${end / 1000}&step=1`)).text();
  const r = JSON.parse(text) as { data?: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
  if (r.data === undefined) throw new Error(`${base}: ${q}: ${text}`);
  return new Map(r.data.result.map((s) => [s.metric['i'] ?? '', s.values.map((v) => Number(v[1]))]));
}

async function sender(url: string, extra = ''): Promise<{ db: TSDB; rw: RemoteWrite }> {
  const t = tempDir('vigil-rw-hist-');
  cleanups.push(t.cleanup);
  const db = await TSDB.open({ dir: join(t.dir, 'tsdb'), worker: false });
  cleanups.push(() => db.close());
  const rw = new RemoteWrite({ storage: db, dataDir: join(t.dir, 'remote-write'), userAgent: 'Vigil/test', logger: silentLogger, pollMs: 10, holdEveryMs: 0 });
  cleanups.push(() => rw.stop());
  const r = parseConfig(`remote_write:\n  - url: ${url}/api/v1/write\n    name: prom\n    send_native_histograms: true\n    queue_config: { max_samples_per_send: 7, batch_send_deadline: 20ms, min_backoff: 10ms, max_backoff: 50ms }\n${extra}`, 'vigil.yml');
  if (!r.ok) throw new Error(r.errors.map(String).join('\n'));
  await rw.apply(r.config);
  return { db, rw };
}

const steps = 20;
const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;

async function fill(db: TSDB): Promise<void> {
  for (let b = 0; b < steps; b++) {
    const a = db.appender();
    for (let i = 0; i < 3; i++) {
      a.appendHistogram!([{ name: '__name__', value: 'vigil_rpc_seconds' }, { name: 'i', value: String(i) }], t0 + b * 1000, hist(b, i));
      a.append([{ name: '__name__', value: 'vigil_up' }, { name: 'i', value: String(i) }], t0 + b * 1000, b * 10 + i);
    }
    await a.commit();
  }
}

describe.skipIf(skip !== '')(`Vigil remote-writes native histograms to Prometheus 2.42${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('histogram_count and histogram_sum in Prometheus equal what Vigil stored, at every timestamp', async () => {
    const prom: Peer = await startPrometheus('global: {}\n', ['--web.enable-remote-write-receiver', '--enable-feature=native-histograms']);
    cleanups.push(() => prom.stop());
    const { db, rw } = await sender(prom.url);
    await fill(db);
    const q = rw.running[0]!;
    await until(() => (q.position === db.lastBatchId ? true : null), 'the queue to send every batch', 30_000);
    expect(q.stats.histograms.failed).toBe(0);
    expect(q.stats.histograms.total).toBe(3 * steps);
    // Samples are 1 s apart and the step is 1 s: each step picks the sample at its own time.
    const end = t0 + (steps - 1) * 1000;
    const count = await queryRange(prom.url, 'histogram_count(vigil_rpc_seconds)', t0, end);
    const sum = await queryRange(prom.url, 'histogram_sum(vigil_rpc_seconds)', t0, end);
    const up = await queryRange(prom.url, 'vigil_up', t0, end);
    for (let i = 0; i < 3; i++) {
      const want = Array.from({ length: steps }, (_, b) => hist(b, i));
      expect(count.get(String(i)), `histogram_count of i=${i}`).toEqual(want.map((h) => h.count));
      expect(sum.get(String(i)), `histogram_sum of i=${i}`).toEqual(want.map((h) => h.sum));
      expect(up.get(String(i))).toEqual(want.map((_, b) => b * 10 + i));
    }
  }, 90_000);

  it('a Prometheus without native histograms refuses them: dropped and counted, the floats arrive', async () => {
    const prom: Peer = await startPrometheus('global: {}\n', ['--web.enable-remote-write-receiver']);
    cleanups.push(() => prom.stop());
    const { db, rw } = await sender(prom.url);
    await fill(db);
    const q = rw.running[0]!;
    await until(() => (q.position === db.lastBatchId ? true : null), 'the queue to get past every batch', 30_000);
    expect(q.stats.histograms.failed).toBe(3 * steps);
    expect(q.stats.samplesFailed).toBe(0);
    const up = await queryRange(prom.url, 'vigil_up', t0, t0 + (steps - 1) * 1000);
    for (let i = 0; i < 3; i++) expect(up.get(String(i))).toEqual(Array.from({ length: steps }, (_, b) => b * 10 + i));
  }, 90_000);

  it('protobuf_message 2.0 to Prometheus 2.42 (a 1.0 receiver): falls back to 1.0 and every sample arrives', async () => {
    const prom: Peer = await startPrometheus('global: {}\n', ['--web.enable-remote-write-receiver', '--enable-feature=native-histograms']);
    cleanups.push(() => prom.stop());
    const { db, rw } = await sender(prom.url, '    protobuf_message: io.prometheus.write.v2.Request\n');
    await fill(db);
    const q = rw.running[0]!;
    await until(() => (q.position === db.lastBatchId ? true : null), 'the queue to send every batch', 30_000);
    expect(q.stats.protocol).toBe('1.0');
    expect(q.stats.lastError).toContain('without X-Prometheus-Remote-Write-*-Written headers');
    expect(q.stats.samplesFailed + q.stats.histograms.failed).toBe(0);
    const end = t0 + (steps - 1) * 1000;
    const up = await queryRange(prom.url, 'vigil_up', t0, end);
    const count = await queryRange(prom.url, 'histogram_count(vigil_rpc_seconds)', t0, end);
    for (let i = 0; i < 3; i++) {
      expect(up.get(String(i))).toEqual(Array.from({ length: steps }, (_, b) => b * 10 + i));
      expect(count.get(String(i))).toEqual(Array.from({ length: steps }, (_, b) => hist(b, i).count));
    }
  }, 90_000);
});
