import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchApi } from '../../../app/api/channels.js';
import { parseExpr } from '../../../app/promql/parser.js';
import { HttpServer } from '../../../main/api/http-server.js';
import { MetadataStore } from '../../../main/api/metadata-store.js';
import { registerPromApi } from '../../../main/api/prom-api.js';
import { EngineQueryService } from '../../../main/api/query-service-impl.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { silentLogger } from '../../../main/util/log.js';

async function get(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('bad queries get Prometheus error types and positions; the engine keeps serving', () => {
  const storage = new MemoryStorage();
  for (let s = 0; s < 200; s++) for (let i = 0; i < 400; i++) storage.add(labelsFromRecord({ __name__: 'm', i: String(s) }), i * 15_000, i);
  let server: HttpServer;
  let slow: HttpServer;
  const q = (query: string, extra = '') => `/api/v1/query?query=${encodeURIComponent(query)}&time=6000${extra}`;

  async function serve(engine: PromQLEngine): Promise<HttpServer> {
    const service = new EngineQueryService(engine, storage, new MetadataStore());
    const s = new HttpServer({ api: {} as WorkbenchApi, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerPromApi(s, { queries: service, series: { series: async () => [] }, formatQuery: (x) => x, buildInfo: () => ({}) });
    await s.listen();
    return s;
  }

  beforeAll(async () => {
    server = await serve(new PromQLEngine({ parse: (x) => parseExpr(x), maxSamples: 5_000 }));
    // An engine whose every query runs out of time: the timeout path, and nothing else.
    slow = await serve(new PromQLEngine({ parse: (x) => parseExpr(x), timeoutMs: 1 }));
  });
  afterAll(async () => {
    await server.close();
    await slow.close();
  });

  it('syntax error: bad_data (400) with line:column', async () => {
    const r = await get(server.port, q('sum(rate(m[5m])'));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: 'error', errorType: 'bad_data', error: expect.stringMatching(/^1:\d+: parse error: unclosed left parenthesis/) });
  });

  it('type error: bad_data with Prometheus’ message', async () => {
    const r = await get(server.port, q('rate(m)'));
    expect(r.body).toMatchObject({ errorType: 'bad_data', error: expect.stringMatching(/1:6: parse error: expected type range vector in call to function "rate", got instant vector/) });
  });

  it('unknown function: bad_data naming it', async () => {
    const r = await get(server.port, q('ratee(m[5m])'));
    expect(r.body).toMatchObject({ errorType: 'bad_data', error: expect.stringMatching(/1:1: parse error: unknown function with name "ratee"/) });
  });

  it('too heavy: execution (422) with the max-samples message', async () => {
    const r = await get(server.port, `/api/v1/query_range?query=${encodeURIComponent('m')}&start=0&end=6000&step=15`);
    expect(r.status).toBe(422);
    // Refused by the pre-run estimate: Prometheus' message, then what the estimate found.
    expect(r.body).toMatchObject({
      errorType: 'execution',
      error: expect.stringMatching(/^query processing would load too many samples into memory in query execution; estimated 84,000 samples from 200 series/),
    });
  });

  it('timeout: timeout (503) with the timeout message', async () => {
    const r = await get(slow.port, `/api/v1/query_range?query=${encodeURIComponent('sum(quantile_over_time(0.5, m[1h:15s]))')}&start=0&end=6000&step=15`);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ errorType: 'timeout', error: expect.stringMatching(/query timed out in/) });
  });

  it('still answers a good query afterwards', async () => {
    const r = await get(server.port, q('count(m)'));
    expect(r.body).toMatchObject({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [6000, '200'] }] } });
  });
});
