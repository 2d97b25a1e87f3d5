import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchApi } from '../../../app/api/channels.js';
import { ApiError } from '../../../app/api/errors.js';
import { parseExpr } from '../../../app/promql/parser.js';
import { HttpServer } from '../../../main/api/http-server.js';
import { MetadataStore } from '../../../main/api/metadata-store.js';
import { registerPromApi } from '../../../main/api/prom-api.js';
import { EngineQueryService } from '../../../main/api/query-service-impl.js';
import type { QueryService } from '../../../main/api/query-service.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { silentLogger } from '../../../main/util/log.js';

describe("the Prometheus API bounds a query by the request's timeout and its client's presence", () => {
  const storage = new MemoryStorage();
  for (let s = 0; s < 300; s++) for (let i = 0; i < 400; i++) storage.add(labelsFromRecord({ __name__: 'm', i: String(s) }), i * 15_000, i);
  const heavy = `/api/v1/query_range?query=${encodeURIComponent('sum(quantile_over_time(0.5, m[1h:15s]))')}&start=0&end=6000&step=15`;
  const outcomes: string[] = [];
  let server: HttpServer;

  beforeAll(async () => {
    const service = new EngineQueryService(new PromQLEngine({ parse: (x) => parseExpr(x) }), storage, new MetadataStore());
    // Records how each range query ended inside the engine, whatever the client saw.
    const recorded: QueryService = Object.assign(Object.create(service) as QueryService, {
      queryRange: (r: Parameters<QueryService['queryRange']>[0], c: Parameters<QueryService['queryRange']>[1]) =>
        service.queryRange(r, c).then(
          (ok) => (outcomes.push('done'), ok),
          (err: unknown) => {
            outcomes.push(err instanceof ApiError ? (err.errorType ?? err.kind) : String(err));
            throw err;
          },
        ),
    });
    server = new HttpServer({ api: {} as WorkbenchApi, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerPromApi(server, { queries: recorded, series: { series: async () => [] }, formatQuery: (x) => x, buildInfo: () => ({}) });
    await server.listen();
  });
  afterAll(async () => {
    await server.close();
  });

  const until = async (n: number) => {
    for (let i = 0; i < 500 && outcomes.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('runs the heavy query to its end when nothing bounds it (the precondition of the next two)', async () => {
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${server.port}${heavy}`);
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThan(100);
    expect(outcomes).toEqual(['done']);
  });

  it('times a query out at its `timeout` parameter, with the timeout error', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}${heavy}&timeout=20ms`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ errorType: 'timeout', error: expect.stringMatching(/query timed out in/) });
    expect(outcomes.at(-1)).toBe('timeout');
    const bad = await fetch(`http://127.0.0.1:${server.port}${heavy}&timeout=soon`);
    expect(await bad.json()).toMatchObject({ errorType: 'bad_data', error: 'invalid parameter "timeout": cannot parse "soon" to a valid duration' });
  });

  it('cancels a query whose client hung up', async () => {
    const before = outcomes.length;
    await expect(fetch(`http://127.0.0.1:${server.port}${heavy}`, { signal: AbortSignal.timeout(30) })).rejects.toThrow();
    await until(before + 1);
    expect(outcomes.slice(before)).toEqual(['canceled']);
  });
});
