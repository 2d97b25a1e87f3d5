import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchApi } from '../../../app/api/channels.js';
import { parseExpr } from '../../../app/promql/parser.js';
import { HttpServer } from '../../../main/api/http-server.js';
import { MetadataStore } from '../../../main/api/metadata-store.js';
import { registerPromApi } from '../../../main/api/prom-api.js';
import { EngineQueryService } from '../../../main/api/query-service-impl.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import { parseSeriesLine } from '../../../main/promql/series-notation.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import { silentLogger } from '../../../main/util/log.js';

describe("Prometheus API answers native histograms in Prometheus' JSON", () => {
  const storage = new MemoryStorage();
  // One sample a minute: 2 observations in (-2,-1], 1 in the zero bucket, 3 in (1,2] at first.
  const line = parseSeriesLine('h {{schema:0 count:6 sum:3 z_bucket:1 z_bucket_w:0.001 buckets:[0 3] n_buckets:[0 2]}}x1');
  line.values.forEach((v, i) => storage.addHistogram(line.labels, i * 60_000, v.histogram!));
  storage.add(parseSeriesLine('f 1').labels, 0, 1);
  let server: HttpServer;

  beforeAll(async () => {
    const service = new EngineQueryService(new PromQLEngine({ parse: (x) => parseExpr(x) }), storage, new MetadataStore());
    server = new HttpServer({ api: {} as WorkbenchApi, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerPromApi(server, { queries: service, series: { series: async () => [] }, formatQuery: (x) => x, buildInfo: () => ({}) });
    await server.listen();
  });
  afterAll(async () => {
    await server.close();
  });

  const get = async (path: string): Promise<{ data: { result: unknown[] } }> => (await (await fetch(`http://127.0.0.1:${server.port}${path}`)).json()) as { data: { result: unknown[] } };
  const hist = { count: '6', sum: '3', buckets: [[1, '-2', '-1', '2'], [3, '-0.001', '0.001', '1'], [0, '1', '2', '3']] };

  it('an instant vector sample is `histogram`, not `value`', async () => {
    const r = await get(`/api/v1/query?query=h&time=60`);
    expect(r.data.result).toEqual([{ metric: { __name__: 'h' }, histogram: [60, hist] }]);
  });

  it('a range series lists `histograms` (and `values` only where floats are)', async () => {
    const r = await get(`/api/v1/query_range?query=${encodeURIComponent('{__name__=~"h|f"}')}&start=0&end=60&step=60`);
    expect(r.data.result).toEqual([
      { metric: { __name__: 'f' }, values: [[0, '1'], [60, '1']] }, // within the lookback
      { metric: { __name__: 'h' }, histograms: [[0, hist], [60, hist]] },
    ]);
  });
});
