/**
 * The memory budget counts the query worker threads (main/engine.ts wiring main/memory/ to
 * main/tsdb/query-pool.ts): they are a part of the Status page's breakdown once a wide select
 * started them, pressure ends them while idle, and a refused query's estimate names what the
 * threads it would start add.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../main/engine.js';
import { queryThreadBytes } from '../../../main/tsdb/query-pool.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { silentLogger } from '../../../main/util/log.js';
import { bundle } from '../tsdb/bundle.js';
import { tempDir } from '../helpers.js';

const MiB = 1024 * 1024;

describe('memory budget and the query worker threads', () => {
  const t = tempDir('vigil-budget-threads-');
  let engine: Engine;
  let rss = 300 * MiB;
  const part = async (): Promise<{ bytes: number; detail?: string | undefined }> => (await engine.memoryStatus()).parts.find((p) => p.part === 'query worker threads')!;

  beforeAll(async () => {
    await bundle(join(t.dir, 'bin'), { 'query-worker': 'main/tsdb/query-worker.ts' });
    engine = await Engine.start({
      dataDir: join(t.dir, 'data'),
      configFile: null,
      shell: 'test',
      logger: silentLogger,
      inProcessStorage: true,
      queryWorkerUrl: pathToFileURL(join(t.dir, 'bin', 'query-worker.js')),
      memoryBudgetBytes: 1024 * MiB,
      memoryRss: () => rss,
    });
    const app = engine.tsdb.appender();
    for (let s = 0; s < 2000; s++) for (let i = 0; i < 4; i++) app.append(labelsFromRecord({ __name__: 'm', i: String(s) }), 1_000_000 + i * 15_000, i);
    await app.commit();
  }, 60_000);
  afterAll(async () => {
    await engine.stop();
    t.cleanup();
  });

  it('shows the threads as a part once a wide select started them, and none before', async () => {
    const pool = engine.tsdb.queryWorkers!;
    expect(pool.threads).toBe(0);
    expect(await part()).toMatchObject({ bytes: 0, detail: expect.stringMatching(/no thread running/) });
    const r = await engine.api.query({ query: 'count(m)', time: 1_045_000 });
    expect(r.result.resultType === 'vector' && r.result.samples[0]!.v).toBe(2000);
    expect(pool.threads).toBeGreaterThan(0);
    const p = await part();
    expect(p.bytes).toBeGreaterThan(1 * MiB); // each thread's heap alone is several MiB
    expect(p.detail).toMatch(new RegExp(`^${pool.threads} threads? for wide selects`));
    const parts = (await engine.memoryStatus()).parts;
    expect(parts.reduce((s, x) => s + x.bytes, 0)).toBeGreaterThanOrEqual(p.bytes);
  });

  it('ends the idle threads under pressure; they start again with the next wide select', async () => {
    const pool = engine.tsdb.queryWorkers!;
    expect(pool.threads).toBeGreaterThan(0);
    rss = 850 * MiB; // 83 % of the budget: soft pressure
    await engine.memory.check();
    expect(pool.threads).toBe(0);
    expect((await engine.memoryStatus()).actions.at(-1)?.action).toMatch(/idle worker threads ended/);
    expect((await part()).bytes).toBe(0);
    rss = 300 * MiB;
    await engine.api.query({ query: 'count(m)', time: 1_045_000 });
    expect(pool.threads).toBeGreaterThan(0);
  });

  it('counts the threads a query would start in its estimate', async () => {
    const pool = engine.tsdb.queryWorkers!;
    await pool.endIdle();
    expect(pool.threads).toBe(0);
    // ~2.3 MiB for the query itself would fit in the 3 MiB left; the threads it would start would not.
    rss = 1021 * MiB;
    const refused = await engine.api.query({ query: 'sum(m)', time: 1_045_000 }).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(refused).toContain(`${Math.round((pool.size * queryThreadBytes) / MiB)} MiB of it for the query worker threads it would start`);
    rss = 300 * MiB;
    await engine.api.query({ query: 'sum(m)', time: 1_045_000 });
    expect(pool.notRunning).toBeLessThan(pool.size);
  });
});
