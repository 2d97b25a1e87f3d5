import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';
import type { Config } from '../../../main/config/schema.js';
import { RemoteWrite } from '../../../main/remote/manager.js';
import { positionFile, readPosition, type Position } from '../../../main/remote/position.js';
import { parseRetryAfter } from '../../../main/remote/send.js';
import { TSDB } from '../../../main/tsdb/db.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { FakeReceiver } from './fake-receiver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function config(url: string, extra = '', queue = ''): Config {
  const text = `global:
  external_labels: { site: lab }
remote_write:
  - url: ${url}
    name: test
    queue_config: { max_samples_per_send: 50, batch_send_deadline: 50ms, min_backoff: 10ms, max_backoff: 40ms${queue} }
${extra}`;
  const r = parseConfig(text, 'test.yml');
  if (!r.ok) throw new Error(r.errors.map(String).join('\n'));
  return r.config;
}

async function setup(opts: { checkpointEvery?: number } = {}): Promise<{ dir: string; db: TSDB; rx: FakeReceiver; url: string }> {
  const t = tempDir('vigil-rw-');
  cleanups.push(t.cleanup);
  const db = await TSDB.open({ dir: join(t.dir, 'tsdb'), worker: false, maxChunkSamples: 10, ...opts });
  cleanups.push(() => db.close());
  const rx = new FakeReceiver();
  const url = await rx.start();
  cleanups.push(() => rx.stop());
  return { dir: t.dir, db, rx, url };
}

function writer(dir: string, db: TSDB): RemoteWrite {
  const rw = new RemoteWrite({ storage: db, dataDir: join(dir, 'remote-write'), userAgent: 'Vigil/test', logger: silentLogger, pollMs: 10, holdEveryMs: 0 });
  cleanups.push(() => rw.stop());
  return rw;
}

/** `batches` commits of `series` series: sample b of series i at t = (from + b)·1000. */
async function fill(db: TSDB, series: number, batches: number, from = 0): Promise<void> {
  for (let b = from; b < from + batches; b++) {
    const a = db.appender();
    for (let i = 0; i < series; i++) a.append([{ name: '__name__', value: 'm' }, { name: 'i', value: String(i) }], b * 1000, i + b);
    await a.commit();
  }
}

async function until(f: () => boolean): Promise<void> {
  while (!f()) await new Promise((r) => setTimeout(r, 5));
}

const expected = (series: number, perSeries: number): Map<string, number> =>
  new Map(Array.from({ length: series }, (_, i) => [`__name__=m,i=${i},site=lab`, perSeries]));

describe('remote write queue', () => {
  it('sends every stored sample once, with external labels and Prometheus headers, in order per series', async () => {
    const { dir, db, rx, url } = await setup();
    const rw = writer(dir, db);
    await rw.apply(config(url));
    await fill(db, 7, 30);
    await rx.waitFor(() => rx.total() === 7 * 30);
    expect(rx.counts()).toEqual(expected(7, 30));
    const h = rx.headers[0]!;
    expect(h['content-encoding']).toBe('snappy');
    expect(h['content-type']).toBe('application/x-protobuf');
    expect(h['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(h['user-agent']).toBe('Vigil/test');
    for (const key of rx.counts().keys()) {
      const times = rx.received.filter((s) => s.labels.map((l) => `${l.name}=${l.value}`).join(',') === key).flatMap((s) => s.samples.map((x) => x.timestamp));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    const q = rw.running[0]!;
    expect(q.stats.samplesTotal).toBe(210);
    expect(q.stats.highestSentMs).toBe(29_000);
    expect(q.stats.bytesTotal).toBeGreaterThan(0);
  });

  it('applies write_relabel_configs', async () => {
    const { dir, db, rx, url } = await setup();
    const rw = writer(dir, db);
    await rw.apply(config(url, `    write_relabel_configs:\n      - { source_labels: [i], regex: '[0-2]', action: keep }\n`));
    await fill(db, 6, 4);
    await rx.waitFor(() => rx.total() >= 12);
    await fill(db, 1, 2, 10); // a later batch, so every earlier round is done
    await rx.waitFor(() => rx.total() >= 14);
    expect([...rx.counts().keys()].sort()).toEqual(['__name__=m,i=0,site=lab', '__name__=m,i=1,site=lab', '__name__=m,i=2,site=lab']);
  });

  it('retries 5xx and 429 (counting retries), drops a 400 (counting failures) and goes on', async () => {
    const { dir, db, rx, url } = await setup();
    const rw = writer(dir, db);
    await rw.apply(config(url));
    rx.script.push({ status: 503 }, { status: 429, headers: { 'retry-after': '0' } }, { status: 500 });
    await fill(db, 5, 1);
    await rx.waitFor(() => rx.total() === 5);
    const q = rw.running[0]!;
    expect(q.stats.samplesRetried).toBe(15);
    expect(q.stats.lastError).toContain('500');
    rx.script.push({ status: 400, body: 'out of order sample\nmore' });
    await fill(db, 5, 1, 1);
    await rx.waitFor(() => rx.requests === 5);
    await fill(db, 5, 1, 2);
    await rx.waitFor(() => rx.total() === 10);
    expect(q.stats.samplesFailed).toBe(5);
    expect(q.stats.lastError).toBe('server returned HTTP status 400: out of order sample');
    expect([...rx.counts().values()]).toEqual([2, 2, 2, 2, 2]);
  });

  it('a receiver slower than remote_timeout is retried (at least once delivery: every sample arrives), and a host that does not resolve is retried and named', async () => {
    const { dir, db, rx, url } = await setup();
    const rw = writer(dir, db);
    await rw.apply(config(url, '    remote_timeout: 100ms\n'));
    // The first two answers come after the sender gave up: the samples may have been taken, and
    // are sent again (Prometheus' at-least-once contract), never lost.
    rx.script.push({ status: 204, delayMs: 1000 }, { status: 204, delayMs: 1000 });
    await fill(db, 5, 2);
    const q = rw.running[0]!;
    await until(() => q.stats.samplesRetried > 0);
    expect(q.stats.lastError).toBe('no answer within 100 ms');
    // Every sample taken again after the timeouts: each series holds both its samples, at least.
    await rx.waitFor(() => rx.counts().size === 5 && [...rx.counts().values()].every((n) => n >= 2) && rx.requests >= 3);
    expect(q.stats.samplesFailed).toBe(0);

    // DNS failing: the queue keeps retrying with backoff, counts it and names the host.
    const bad = writer(dir, db);
    await bad.apply(config('http://no-such-host.invalid:9/api/v1/write'));
    await fill(db, 5, 1, 2);
    await until(() => (bad.running[0]?.stats.samplesRetried ?? 0) > 0);
    expect(bad.running[0]!.stats.lastError).toMatch(/no-such-host\.invalid|ENOTFOUND|EAI_AGAIN/);
    expect(bad.running[0]!.stats.samplesFailed).toBe(0);
  });

  it('does not retry a 429 when retry_on_http_429 is false', async () => {
    const { dir, db, rx, url } = await setup();
    const rw = writer(dir, db);
    await rw.apply(config(url, '', ', retry_on_http_429: false'));
    rx.script.push({ status: 429 });
    await fill(db, 3, 1);
    await rx.waitFor(() => rx.requests === 1);
    await fill(db, 3, 1, 1);
    await rx.waitFor(() => rx.total() === 3);
    expect(rw.running[0]!.stats.samplesFailed).toBe(3);
    expect(rw.running[0]!.stats.samplesRetried).toBe(0);
  });

  it('keeps the log while the receiver is down and resumes after a restart of Vigil from the saved position', async () => {
    const { dir, db, rx, url } = await setup({});
    const rw = writer(dir, db);
    await rw.apply(config(url));
    await fill(db, 4, 3);
    await rx.waitFor(() => rx.total() === 12);
    await until(() => rw.running[0]!.position === db.lastBatchId); // acknowledged, not only received
    const port = rx.port;
    await rx.stop();
    await fill(db, 4, 80, 3); // checkpoints (every 32 batches) would truncate the log without the hold
    await db.flush(); // so would a flush
    await rw.stop();
    await db.close();
    const file = positionFile(join(dir, 'remote-write'), url, 'test');
    expect(existsSync(file)).toBe(true);
    const saved = (readPosition(file) as Position).done;
    const db2 = await TSDB.open({ dir: join(dir, 'tsdb'), worker: false, maxChunkSamples: 10 });
    cleanups.push(() => db2.close());
    expect(db2.readLog(saved, 1e9).reduce((a, b) => a + b.refs.length, 0)).toBe(4 * 80);
    const rx2 = new FakeReceiver();
    await rx2.start(port);
    cleanups.push(() => rx2.stop());
    const rw2 = writer(dir, db2);
    await rw2.apply(config(url));
    await fill(db2, 4, 2, 83);
    await rx2.waitFor(() => rx2.total() === 4 * 82);
    expect(rx2.counts()).toEqual(expected(4, 82));
    // Once sent, the hold moves and checkpoints truncate the log again.
    await until(() => rw2.running[0]!.position === db2.lastBatchId);
    await rw2.stop();
    await db2.flush();
    expect(db2.readLog(0, 1e9)).toEqual([]);
  });

  it('after a crash mid-round, sends the same round again split the same way, so a receiver refusing repeats loses nothing', async () => {
    const { dir, db, rx, url } = await setup();
    rx.prometheusLike = true;
    const rw0 = writer(dir, db);
    await rw0.apply(config(url)); // the endpoint's position starts before the samples below
    await rw0.stop();
    await fill(db, 4, 30);
    rx.script.push({ status: 204 }, ...Array.from({ length: 50 }, () => ({ status: 503 })));
    const rw = writer(dir, db);
    await rw.apply(config(url, '', ', capacity: 1000'));
    await rx.waitFor(() => rx.requests >= 6);
    const firstAcked = rx.total();
    expect(firstAcked).toBeGreaterThan(0);
    expect(firstAcked).toBeLessThan(120);
    await rw.stop(); // as a crash: the round never completed
    rx.script.length = 0;
    await fill(db, 4, 10, 30);
    const rw2 = writer(dir, db);
    await rw2.apply(config(url, '', ', capacity: 1000'));
    await rx.waitFor(() => rx.total() === 4 * 40);
    await until(() => rw2.running[0]!.position === db.lastBatchId);
    expect(rx.counts()).toEqual(expected(4, 40));
    // The repeated requests were refused as out of order: the acknowledged one, and any the
    // receiver stored after its sender had given up on the answer.
    const failed = rw2.running[0]!.stats.samplesFailed;
    expect(failed).toBeGreaterThanOrEqual(firstAcked);
    expect(failed).toBeLessThan(120);
  });

  it('removing remote_write releases the log hold', async () => {
    const { dir, db, url } = await setup();
    const rw = writer(dir, db);
    await rw.apply(config('http://127.0.0.1:1/api/v1/write'));
    await fill(db, 2, 3);
    await db.flush();
    expect(db.readLog(0, 1e9).length).toBe(3);
    await rw.apply({ ...config(url), remote_write: [] });
    expect(rw.running).toEqual([]);
    await db.flush();
    expect(db.readLog(0, 1e9)).toEqual([]);
  });

  it('counts samples as failed when time retention deletes held log rows', async () => {
    const t = tempDir('vigil-rw-');
    cleanups.push(t.cleanup);
    const db = await TSDB.open({ dir: join(t.dir, 'tsdb'), worker: false, maxChunkSamples: 10, retentionMs: 10_000, retentionIntervalMs: 0 });
    cleanups.push(() => db.close());
    const rw = writer(t.dir, db);
    await rw.apply(config('http://127.0.0.1:1/api/v1/write'));
    await fill(db, 2, 40);
    await db.flush();
    const r = await db.applyRetention();
    expect(r.heldLogDropped.samples).toBe(2 * 29); // batches at t < 39 s − 10 s
    expect(rw.running[0]!.stats.samplesFailed).toBe(58);
    expect(rw.running[0]!.stats.lastError).toContain('retention deleted 58 samples');
  });

  it('caps the held log by bytes: the oldest unsent batches go first, counted as failed, the newest stay', async () => {
    const t = tempDir('vigil-rw-');
    cleanups.push(t.cleanup);
    // A batch of 2 samples is 40 bytes in the log (refs 8, t 16, v 16): a 400-byte cap keeps 10.
    const db = await TSDB.open({ dir: join(t.dir, 'tsdb'), worker: false, maxChunkSamples: 10, heldLogMaxBytes: 400, retentionIntervalMs: 0 });
    cleanups.push(() => db.close());
    const rw = writer(t.dir, db);
    await rw.apply(config('http://127.0.0.1:1/api/v1/write'));
    await fill(db, 2, 40);
    await db.flush();
    const before = db.readLog(0, 1e9);
    expect(before.length).toBe(40);
    const r = await db.applyRetention();
    const kept = db.readLog(0, 1e9);
    expect(db.stats().logBytes).toBeLessThanOrEqual(400);
    expect(kept.length).toBeGreaterThanOrEqual(9);
    expect(kept.map((b) => b.id)).toEqual(before.slice(before.length - kept.length).map((b) => b.id));
    expect(r.heldLogDropped.samples).toBe(2 * (40 - kept.length));
    expect(db.heldLogDroppedSamples).toBe(r.heldLogDropped.samples);
    expect(rw.running[0]!.stats.samplesFailed).toBe(r.heldLogDropped.samples);
    // Under the cap, nothing more goes.
    expect((await db.applyRetention()).heldLogDropped.samples).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeNull();
    expect(parseRetryAfter(undefined, 0)).toBeNull();
  });
});
