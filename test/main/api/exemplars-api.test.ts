/**
 * Exemplars: scraped from OpenMetrics and protobuf pages into the bounded store after the
 * scrape commits, deduplicated and ordered per series, and answered as /api/v1/query_exemplars.
 */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScrapeLoop } from '../../../main/scrape/loop.js';
import { queryExemplars } from '../../../main/api/exemplars-api.js';
import { ExemplarStore } from '../../../main/tsdb/exemplars.js';
import { TSDB } from '../../../main/tsdb/db.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { makeTarget } from '../scrape/loop-fixtures.js';
import { tempDir } from '../helpers.js';
import { join } from 'node:path';
import { Engine } from '../../../main/engine.js';
import { HttpServer } from '../../../main/api/http-server.js';
import { registerServeRoutes } from '../../../main/api/serve-routes.js';
import { silentLogger } from '../../../main/util/log.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('exemplars', () => {
  it('are scraped from OpenMetrics and answered per series for a query', async () => {
    let n = 0;
    const server = http.createServer((_req, res) => {
      n++;
      res.writeHead(200, { 'Content-Type': 'application/openmetrics-text; version=1.0.0' });
      // The same exemplar on scrapes 1 and 2 (kept once), a new one on scrape 3.
      const trace = n < 3 ? 'abc' : 'def';
      res.end(
        `# TYPE req counter\nreq_total{path="/a"} ${n} # {trace_id="${trace}"} 0.5 ${n < 3 ? 100 : 200}\nreq_total{path="/b"} ${n}\n# TYPE other gauge\nother 1 # {trace_id="zzz"} 2\n# EOF\n`,
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const { dir, cleanup } = tempDir('vigil-exemplars-');
    cleanups.push(cleanup);
    const db = await TSDB.open({ dir, worker: false, retentionIntervalMs: 0 });
    cleanups.push(() => db.close());
    const store = new ExemplarStore(1000, (ref) => db.seriesLabels(ref));
    const target = makeTarget({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, labels: labelsFromRecord({ job: 'ex', instance: 'a' }) });
    const loop = new ScrapeLoop(target, { appendable: db, userAgent: 'Vigil/test', exemplars: store });
    const before = Date.now();
    for (let i = 0; i < 3; i++) expect((await loop.scrapeOnce()).error).toBe('');
    const after = Date.now();

    const got = queryExemplars(store, 'sum(rate(req_total[5m]))', 0, 1e15) as { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string; timestamp: number }[] }[];
    expect(got).toEqual([
      {
        seriesLabels: { __name__: 'req_total', instance: 'a', job: 'ex', path: '/a' },
        exemplars: [
          { labels: { trace_id: 'abc' }, value: '0.5', timestamp: 100 },
          { labels: { trace_id: 'def' }, value: '0.5', timestamp: 200 },
        ],
      },
    ]);
    // Without its own timestamp an exemplar takes the sample's; a time window filters.
    const other = queryExemplars(store, 'other', 0, 1e15) as { exemplars: { timestamp: number }[] }[];
    expect(other[0]!.exemplars.length).toBeGreaterThanOrEqual(1); // one per distinct scrape time
    for (const e of other[0]!.exemplars) expect(e.timestamp * 1000 >= before && e.timestamp * 1000 <= after).toBe(true);
    expect(queryExemplars(store, 'req_total', 150_000, 1e15)).toHaveLength(1);
    expect(() => queryExemplars(store, 'sum(', 0, 1)).toThrow(/invalid parameter "query"/);
  });

  it('keep at most their capacity, oldest overwritten, and refuse out-of-order ones', () => {
    const labels = [{ name: '__name__', value: 'm' }];
    const store = new ExemplarStore(3, () => labels);
    const ex = (ts: number) => ({ labels: [{ name: 'trace_id', value: String(ts) }], value: 1, ts });
    for (const ts of [1, 2, 3, 4]) store.addExemplar(1, ex(ts));
    store.addExemplar(1, ex(2)); // older than the newest: refused
    const got = store.select(0, 10, [[]]);
    expect(got[0]!.exemplars.map((e) => e.ts)).toEqual([2, 3, 4]);
    expect(store.refused).toBe(1);
    store.addExemplar(1, { labels: [{ name: 'trace_id', value: 'x'.repeat(200) }], value: 1, ts: 9 });
    expect(store.refused).toBe(2);
  });

  it('are served at /api/v1/query_exemplars by vigil serve', async () => {
    const t = tempDir('vigil-exemplars-serve-');
    cleanups.push(t.cleanup);
    const engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile: null, shell: 'test', logger: silentLogger, inProcessStorage: true });
    cleanups.push(() => engine.stop());
    const server = new HttpServer({ api: engine.api, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerServeRoutes(server, engine);
    await server.listen();
    cleanups.push(() => server.close());
    const app = engine.tsdb.appender();
    const ref = app.append(labelsFromRecord({ __name__: 'req_total', job: 'x' }), 5000, 1);
    await app.commit();
    engine.exemplars.addExemplar(ref, { labels: labelsFromRecord({ trace_id: 't1' }), value: 0.25, ts: 4500 });
    const body = (await (await fetch(`${server.url}api/v1/query_exemplars?query=${encodeURIComponent('rate(req_total{job="x"}[1m])')}&start=0&end=10`)).json()) as unknown;
    expect(body).toEqual({ status: 'success', data: [{ seriesLabels: { __name__: 'req_total', job: 'x' }, exemplars: [{ labels: { trace_id: 't1' }, value: '0.25', timestamp: 4.5 }] }] });
    const none = (await (await fetch(`${server.url}api/v1/query_exemplars?query=req_total&start=5&end=10`)).json()) as { data: unknown[] };
    expect(none.data).toEqual([]);
    const bad = await fetch(`${server.url}api/v1/query_exemplars?query=`);
    expect(bad.status).toBe(400);
  }, 30_000);
});
