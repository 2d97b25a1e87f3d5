import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusSchema } from '../../../app/api/status.js';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { FakeReceiver } from '../remote/fake-receiver.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(f: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await f())) await new Promise((r) => setTimeout(r, 20));
}

describe('remote write in the running engine', () => {
  it('sends what is stored, shows each endpoint on the status channel and exports prometheus_remote_storage_* metrics; a reload removing it stops it', async () => {
    const { dir, cleanup } = tempDir('vigil-rw-engine-');
    cleanups.push(cleanup);
    const rx = new FakeReceiver();
    const url = await rx.start();
    cleanups.push(() => rx.stop());
    rx.script.push({ status: 500, body: 'receiver unwell' });
    const file = join(dir, 'vigil.yml');
    const withRemote = `scrape_configs: []\nremote_write:\n  - url: ${url}\n    name: central\n    queue_config: { batch_send_deadline: 20ms, min_backoff: 10ms }\n`;
    writeFileSync(file, withRemote);
    const engine = await Engine.start({ dataDir: join(dir, 'data'), configFile: file, shell: 'test', logger: silentLogger, inProcessStorage: true });
    cleanups.push(() => engine.stop());
    await engine.startCollection({ selfAddress: '127.0.0.1:1', externalURL: 'http://127.0.0.1:1' });
    await until(() => (engine.remoteWrite?.running.length ?? 0) === 1);
    const a = engine.tsdb.appender();
    for (let i = 0; i < 10; i++) a.append([{ name: '__name__', value: 'm' }, { name: 'i', value: String(i) }], 1000, i);
    await a.commit();
    await until(() => rx.total() === 10);
    await until(() => engine.remoteWrite!.running[0]!.position === engine.tsdb.lastBatchId);

    const status = StatusSchema.parse(await engine.api.status({}));
    expect(status.remoteWrite).toEqual([
      { name: 'central', url, lagSeconds: 0, backlogBatches: 0, pendingSamples: 0, failedSamples: 0, failedHistograms: 0, failedExemplars: 0, protocol: '1.0', lastError: 'server returned HTTP status 500: receiver unwell', lastErrorAtMs: expect.any(Number) },
    ]);
    // The held log: measured at a retention run, capped at 1 GiB by default, nothing deleted.
    await engine.tsdb.applyRetention();
    const log = StatusSchema.parse(await engine.api.status({})).remoteWriteLog!;
    expect(log.maxBytes).toBe(1 << 30);
    expect(log.droppedSamples).toBe(0);
    expect(log.bytes).toBe(engine.tsdb.stats().logBytes);
    const metrics = engine.metrics.render();
    expect(metrics).toContain('vigil_remote_storage_held_log_max_bytes 1073741824');
    expect(metrics).toContain('vigil_remote_storage_held_log_dropped_samples_total 0');
    expect(metrics).toContain(`prometheus_remote_storage_samples_total{remote_name="central",url="${url}"} 20`);
    expect(metrics).toContain(`prometheus_remote_storage_samples_retried_total{remote_name="central",url="${url}"} 10`);
    expect(metrics).toContain(`prometheus_remote_storage_queue_highest_sent_timestamp_seconds{remote_name="central",url="${url}"} 1`);

    writeFileSync(file, 'scrape_configs: []\n');
    expect((await engine.collection!.reload()).ok).toBe(true);
    await until(() => engine.remoteWrite!.running.length === 0);
    expect(StatusSchema.parse(await engine.api.status({})).remoteWrite).toEqual([]);
  });
});
