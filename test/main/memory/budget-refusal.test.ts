import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../main/engine.js';
import { HttpServer } from '../../../main/api/http-server.js';
import { registerServeRoutes } from '../../../main/api/serve-routes.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';

const MiB = 1024 * 1024;

describe('a query over the memory budget is refused with a message, the engine keeps serving', () => {
  const t = tempDir('vigil-budget-');
  let engine: Engine;
  let server: HttpServer;
  let rss = 255 * MiB;

  beforeAll(async () => {
    engine = await Engine.start({
      dataDir: join(t.dir, 'data'),
      configFile: null,
      shell: 'test',
      logger: silentLogger,
      inProcessStorage: true,
      memoryBudgetBytes: 256 * MiB,
      memoryRss: () => rss,
    });
    server = new HttpServer({ api: engine.api, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerServeRoutes(server, engine);
    await server.listen();
    const app = engine.tsdb.appender();
    for (let s = 0; s < 2000; s++) for (let i = 0; i < 4; i++) app.append(labelsFromRecord({ __name__: 'm', i: String(s) }), 1_000_000 + i * 15_000, i);
    await app.commit();
  }, 30_000);
  afterAll(async () => {
    await server.close();
    await engine.stop();
    t.cleanup();
  });

  it('over HTTP: 422 execution naming the query and the estimate', async () => {
    const res = await fetch(`${server.url}api/v1/query?query=${encodeURIComponent('sum(m)')}&time=1045`);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { status: string; errorType: string; error: string };
    expect(body.status).toBe('error');
    expect(body.errorType).toBe('execution');
    expect(body.error).toMatch(/^query processing would exceed the memory budget: "sum\(m\)" needs about \d+\.\d MiB \(2,000 series × \d+ points\), and Vigil holds 255 MiB of its 256 MiB budget \(--memory-budget\)/);
  });

  it('through the contract (IPC): the same refusal; a small query runs; more room admits the wide one', async () => {
    await expect(engine.api.query({ query: 'count(m)', time: 1_045_000 })).rejects.toThrow(/exceed the memory budget: "count\(m\)"/);
    const one = await engine.api.query({ query: 'm{i="7"}', time: 1_045_000 });
    expect(one.result.resultType === 'vector' && one.result.samples.length).toBe(1);
    rss = 100 * MiB;
    const all = await engine.api.query({ query: 'count(m)', time: 1_045_000 });
    expect(all.result.resultType === 'vector' && all.result.samples[0]!.v).toBe(2000);
  });

  it('hard pressure seals the open chunks early; every sample still answers', async () => {
    rss = 250 * MiB; // 98 % of the budget
    await engine.memory.check();
    expect(engine.memory.status([], 0).actions.map((a) => a.action)).toContainEqual(expect.stringMatching(/^hard: caches emptied, open chunks sealed/));
    expect(engine.tsdb.stats().headSeries).toBe(0);
    expect(engine.tsdb.stats().chunksWritten).toBeGreaterThanOrEqual(2000);
    const r = await engine.api.query({ query: 'm{i="7"}', time: 1_045_000 });
    expect(r.result.resultType === 'vector' && r.result.samples.map((x) => x.v)).toEqual([3]);
  });

  it('the memory channel shows the budget, what uses memory and the refusals; setMemoryBudget changes it', async () => {
    const m = await engine.api.memory({});
    expect(m.budgetBytes).toBe(256 * MiB);
    expect(m.refusedQueries).toBe(2);
    expect(m.lastRefusal).toMatch(/count\(m\)/);
    const parts = Object.fromEntries(m.parts.map((p) => [p.part, p]));
    expect(parts['series index']!.bytes).toBeGreaterThan(0);
    expect(parts['series index']!.detail).toMatch(/^2,000 series/);
    expect(parts['open chunks']!.bytes).toBeGreaterThan(0);
    expect(parts['open chunks']!.detail).toMatch(/^0 series with samples not yet sealed/); // sealed by the hard step above
    const after = await engine.api.setMemoryBudget({ budgetBytes: null });
    expect(after.budgetBytes).toBeNull();
    rss = 250 * MiB;
    await expect(engine.api.query({ query: 'count(m)', time: 1_045_000 })).resolves.toBeDefined();
    await expect(engine.api.setMemoryBudget({ budgetBytes: 1024 })).rejects.toThrow(/at least 64 MiB/);
  });
});
