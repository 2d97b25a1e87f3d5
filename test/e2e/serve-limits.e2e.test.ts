// `vigil serve` under query load, as a separate process (no browser): admission keeps memory
// bounded and cheap queries quick; SIGTERM exits within 5 s with committed data intact.
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataDirWithWorkload, startServe, type ServeHandle } from './harness.js';

const rssMB = (pid: number, field: 'VmRSS' | 'VmHWM'): number =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function promValue(url: string, query: string, time?: number): Promise<number | null> {
  const res = await fetch(`${url}api/v1/query?query=${encodeURIComponent(query)}${time ? `&time=${time}` : ''}`);
  const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
  const v = body.data?.result?.[0]?.value[1];
  return v === undefined ? null : Number(v);
}

/** Starts n heavy range queries; `done` counts those answered so far. */
function heavyQueries(url: string, n: number): { statuses: Array<Promise<number>>; done: () => number } {
  const now = Date.now() / 1000;
  const q = `${url}api/v1/query_range?query=${encodeURIComponent('count({__name__=~".+"})')}&start=${now - 7200}&end=${now}&step=15`;
  let done = 0;
  const statuses = Array.from({ length: n }, () =>
    fetch(q)
      .then(async (r) => (await r.arrayBuffer(), r.status))
      .catch(() => 0)
      .finally(() => done++),
  );
  return { statuses, done: () => done };
}

/** Resolves with p's value and how many heavy queries had been answered when p settled. */
async function rankAgainst<T>(p: Promise<T>, heavy: { done: () => number }): Promise<[T, number]> {
  const v = await p;
  return [v, heavy.done()];
}

/** Sends SIGTERM and resolves with the exit code and how long exiting took. */
function stopWith(serve: ServeHandle): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) => serve.process.once('exit', (code) => resolve({ code, ms: Date.now() - t0 })));
  serve.process.kill('SIGTERM');
  return exited;
}

describe('vigil serve under query load', () => {
  // 3,000 series over the last 2 h (1.44 M samples), shared by the tests below.
  let dataDir = '';
  beforeAll(() => {
    dataDir = dataDirWithWorkload(3000, 120);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('40 concurrent heavy range queries: RSS stays bounded, `up` and /-/healthy answer quickly, /metrics shows the queue', async () => {
    const serve = await startServe([], dataDir);
    try {
      const pid = serve.process.pid!;
      await new Promise((r) => setTimeout(r, 2000));
      const before = rssMB(pid, 'VmRSS');
      const heavy = heavyQueries(serve.url, 40);
      await new Promise((r) => setTimeout(r, 1000));
      const [[apiUp, apiRank], [uiUp, uiRank], [healthy, healthyRank], metrics] = await Promise.all([
        rankAgainst(fetch(`${serve.url}api/v1/query?query=up`).then((r) => r.status), heavy),
        rankAgainst(fetch(`${serve.url}api/vigil/query`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"query":"up"}' }).then((r) => r.status), heavy),
        rankAgainst(fetch(`${serve.url}-/healthy`).then((r) => r.status), heavy),
        fetch(`${serve.url}metrics`).then((r) => r.text()),
      ]);
      const statuses = await Promise.all(heavy.statuses);
      const growth = rssMB(pid, 'VmHWM') - before;
      // Base commit ed03f9d: +878 MB, `up` answered after 36.5 s, behind the heavy queries. With
      // admission: ~+220 MB, and cheap requests overtake the queue. No clock thresholds (they flake
      // on a loaded machine): the cheap answers must come while most heavy queries still wait.
      expect(growth).toBeLessThan(500);
      expect([apiUp, uiUp, healthy]).toEqual([200, 200, 200]);
      expect(apiRank, 'heavy queries answered before `up` (API)').toBeLessThan(20);
      expect(uiRank, 'heavy queries answered before `up` (page channel)').toBeLessThan(20);
      expect(healthyRank, 'heavy queries answered before /-/healthy').toBeLessThan(20);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(metrics).toMatch(/^prometheus_engine_queries_concurrent_max 4$/m);
      expect(Number(/^prometheus_engine_queries (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(4);
      expect(metrics).toMatch(/^vigil_engine_queries_queued\{priority="bulk"\} [1-9]\d*$/m);
    } finally {
      await serve.stopKeepingData();
    }
  });

  it('SIGTERM under query and scrape load exits within 5 s; what was committed is there after a restart', async () => {
    const serve = await startServe([], dataDir);
    // Wait for a self-scrape to be committed (default config: every 15 s).
    let ackAt = 0;
    let upBefore: number | null = null;
    for (let i = 0; i < 40 && upBefore === null; i++) {
      await new Promise((r) => setTimeout(r, 500));
      ackAt = Date.now() / 1000;
      upBefore = await promValue(serve.url, 'count_over_time(up[1h])', ackAt);
    }
    expect(upBefore).toBeGreaterThanOrEqual(1);
    const seriesBefore = await promValue(serve.url, 'count({job="fleet"})', ackAt - 60);
    expect(seriesBefore).toBeGreaterThan(0);
    const load = heavyQueries(serve.url, 30).statuses;
    await new Promise((r) => setTimeout(r, 1500));
    const { code, ms } = await stopWith(serve);
    await Promise.all(load);
    expect(ms).toBeLessThanOrEqual(5000);
    expect(code).toBe(0);

    const again = await startServe([], dataDir);
    try {
      expect(await promValue(again.url, 'count({job="fleet"})', ackAt - 60)).toBe(seriesBefore);
      expect(await promValue(again.url, 'count_over_time(up[1h])', ackAt)).toBeGreaterThanOrEqual(upBefore!);
    } finally {
      await again.stopKeepingData();
    }
  });

  it('a second SIGTERM exits at once', async () => {
    const serve = await startServe([], dataDir);
    const load = heavyQueries(serve.url, 20).statuses;
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    const exited = new Promise<number | null>((resolve) => serve.process.once('exit', (code) => resolve(code)));
    serve.process.kill('SIGTERM');
    // Two signals sent together arrive as one: send the second once the first is being handled.
    while (!serve.output().includes('received SIGTERM, shutting down') && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
    const t1 = Date.now();
    serve.process.kill('SIGTERM');
    const code = await exited;
    await Promise.all(load);
    expect(serve.output()).toContain('received SIGTERM again, exiting at once');
    expect(code).toBe(143);
    expect(Date.now() - t1).toBeLessThan(1000);
  });
});
