import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { ScrapeLoop } from '../../../main/scrape/loop.js';
import type { ScrapeLimits } from '../../../main/scrape/target-types.js';
import { MemoryAppendable, makeTarget, noLimits } from './loop-fixtures.js';
import { startHostileServer, type HostileServer } from './hostile-server.js';

let srv: HostileServer;
beforeAll(async () => {
  srv = await startHostileServer();
});
afterAll(async () => {
  await srv.close();
});

/** Generous deadline: these machines are shared, and only the slowloris is meant to hit it. */
function loopFor(path: string, db: MemoryAppendable, limits: Partial<ScrapeLimits> = {}, timeout = 5000, interval = 10_000): ScrapeLoop {
  const instance = path.slice(1);
  return new ScrapeLoop(
    makeTarget({
      url: srv.base + path,
      labels: labelsFromRecord({ job: 'hostile', instance }),
      timeout,
      interval,
      limits: { ...noLimits, ...limits },
    }),
    { appendable: db, userAgent: 'Vigil/test' },
  );
}

describe('hostile targets', () => {
  it('each fails at its limit with Prometheus wording, marks its series stale, and does not delay a healthy target', async () => {
    const db = new MemoryAppendable();
    const cases: [string, Partial<ScrapeLimits>, string][] = [
      ['/big', { bodySizeLimit: 1024 * 1024 }, 'body size limit exceeded'],
      ['/bomb', { bodySizeLimit: 1024 * 1024 }, 'body size limit exceeded'],
      ['/endless', { bodySizeLimit: 4 * 1024 * 1024 }, 'body size limit exceeded'],
      ['/slowloris', {}, 'context deadline exceeded'],
      ['/longlabel', { labelValueLengthLimit: 1024 }, 'label_value_length_limit exceeded (metric: long, label name: v, value: "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", length: 1048576, limit: 1024)'],
      ['/million', { sampleLimit: 1000 }, 'sample limit exceeded'],
      ['/unavailable', {}, 'server returned HTTP status 503 Service Unavailable'],
    ];
    const loops = cases.map(([path, limits]) => loopFor(path, db, limits, path === '/slowloris' ? 1500 : 5000));
    // First scrape: every route serves a good page, so there is something to mark stale.
    for (const r of await Promise.all(loops.map((l) => l.scrapeOnce()))) expect(r.error).toBe('');

    const healthyDb = new MemoryAppendable();
    const healthy = loopFor('/healthy', healthyDb, {}, 1000, 50);
    healthy.start();
    const before = srv.hits.get('/healthy') ?? 0;
    const reports = await Promise.all(loops.map((l) => l.scrapeOnce()));
    const during = (srv.hits.get('/healthy') ?? 0) - before;
    await healthy.stop();

    cases.forEach(([path, , message], i) => {
      const instance = path.slice(1);
      expect({ path, error: reports[i]!.error }).toEqual({ path, error: message });
      expect(loops[i]!.state().health).toBe('down');
      expect(db.last({ __name__: 'up', job: 'hostile', instance })).toBe(0);
      const stale = db.staleSeries().filter((s) => s.includes(`instance="${instance}"`));
      expect(stale).toEqual([`a{instance="${instance}", job="hostile"}`, `b{instance="${instance}", job="hostile"}`]);
    });
    // The slowloris alone holds its scrape for 1.5 s; a 50 ms healthy loop kept going meanwhile.
    expect(during).toBeGreaterThanOrEqual(5);
    expect(healthyDb.last({ __name__: 'up', job: 'hostile', instance: 'healthy' })).not.toBe(0);
    await Promise.all(loops.map((l) => l.stop()));
  });

  it('cuts an endless body at the deadline when there is no size limit', async () => {
    const db = new MemoryAppendable();
    const loop = loopFor('/endless', db, {}, 300);
    await loop.scrapeOnce(); // served the good page
    const r = await loop.scrapeOnce();
    expect(r.error).toBe('context deadline exceeded');
    expect(r.failure).toBe('timeout');
    await loop.stop();
  });

  it('sends Prometheus request headers and credentials', async () => {
    const db = new MemoryAppendable();
    const target = makeTarget({ url: `${srv.base}/auth`, timeout: 2500, auth: { kind: 'basic', username: 'u', password: 'p', passwordFile: '' } });
    const loop = new ScrapeLoop(target, { appendable: db, userAgent: 'Vigil/9.9.9' });
    expect((await loop.scrapeOnce()).error).toBe('');
    const h = srv.headers.get('/auth')!;
    expect(h['accept']).toBe(
      // Prometheus 3's default scrape_protocols, with names asked to be escaped (Vigil keeps classic names).
      'application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=underscores;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    );
    expect(h['accept-encoding']).toBe('gzip');
    expect(h['user-agent']).toBe('Vigil/9.9.9');
    expect(h['x-prometheus-scrape-timeout-seconds']).toBe('2.5');
    expect(h['authorization']).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    await loop.stop();
    const bearer = new ScrapeLoop({ ...target, auth: { kind: 'authorization', type: 'Bearer', credentials: 'tok', credentialsFile: '' } }, { appendable: db });
    await bearer.scrapeOnce();
    expect(srv.headers.get('/auth')!['authorization']).toBe('Bearer tok');
    await bearer.stop();
  });

  it('reports a refused connection as Go does', async () => {
    const loop = new ScrapeLoop(makeTarget({ url: 'http://127.0.0.1:1/metrics', timeout: 1000 }), { appendable: new MemoryAppendable() });
    const r = await loop.scrapeOnce();
    expect(r.error).toMatch(/^Get "http:\/\/127\.0\.0\.1:1\/metrics": .*ECONNREFUSED/);
    await loop.stop();
  });
});
