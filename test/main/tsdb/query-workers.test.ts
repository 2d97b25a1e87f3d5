import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TSDB } from '../../../main/tsdb/db.js';
import { QueryPool } from '../../../main/tsdb/query-pool.js';
import { StaleNaN } from '../../../main/tsdb/interface.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { QueryCanceledError } from '../../../main/promql/errors.js';
import { tempDir } from '../helpers.js';
import { bits, engine } from '../promql/harness.js';
import { bundle } from './bundle.js';

/** Counters with resets, gauges with odd values, gaps and stale markers; the last samples stay in the head. */
async function fill(db: TSDB, series: number, steps: number): Promise<void> {
  const odd = [1e16, 1, -1e16, 0.1, 0.2, NaN, Infinity, -0, 3.5, 1e-300, StaleNaN];
  let x = 7;
  const counters = new Float64Array(series);
  for (let s = 0; s < steps; s++) {
    const a = db.appender();
    for (let i = 0; i < series; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      if (x % 7 === 0) continue; // gaps
      counters[i] = x % 53 === 0 ? 0 : counters[i]! + (x % 100); // resets now and then
      const v = x % 29 === 0 ? StaleNaN : i % 4 === 3 ? odd[x % odd.length]! : counters[i]!;
      a.append(labelsFromRecord({ __name__: i % 5 === 0 ? 'g' : 'm', g: String(i % 3), i: String(i) }), s * 15_000 + (i % 4) * 1000, v);
    }
    await a.commit();
  }
}

describe('query workers (selectSteps)', () => {
  const tmp = tempDir('vigil-qworkers-');
  let workerUrl: URL;
  let queryWorkerUrl: URL;
  let db: TSDB;
  beforeAll(async () => {
    await bundle(join(tmp.dir, 'bin'), { 'query-worker': 'main/tsdb/query-worker.ts' });
    workerUrl = pathToFileURL(join(tmp.dir, 'bin', 'worker.js'));
    queryWorkerUrl = pathToFileURL(join(tmp.dir, 'bin', 'query-worker.js'));
    db = await TSDB.open({ dir: join(tmp.dir, 'a'), workerUrl, queryWorkerUrl, queryWorkers: 2, maxChunkSamples: 7, retentionIntervalMs: 0 });
    await fill(db, 300, 60);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    tmp.cleanup();
  });

  it('answers fused aggregations exactly as the unfused evaluation in this thread (chunks, head, stale markers, resets)', async () => {
    const e = engine();
    const kernelCalls: string[] = [];
    let compared = 0;
    // Counts the selects the workers answered, to know the fused queries did not fall back.
    const counting = {
      querier: async (mint: number, maxt: number) => {
        const inner = await db.querier(mint, maxt);
        const orig = inner.selectSteps!.bind(inner);
        inner.selectSteps = async (m, h, k) => {
          const r = await orig(m, h, k);
          if (r !== null) kernelCalls.push(k.kind);
          return r;
        };
        return inner;
      },
    };
    for (const [start, end, step] of [
      [0, 885_000, 15_000],
      [7_000, 700_000, 40_000],
    ] as const) {
      for (const inner of ['m', '{__name__=~".+"}', 'm offset 1m', 'rate(m[1m])', 'increase(m[45s])', 'delta(g[2m])', 'rate({__name__=~"m|g"}[1m] offset 30s)', 'rate(m[1m] @ 300)']) {
        for (const agg of ['sum', 'count', 'max by (g)', 'min without (i)', 'group by (g)', 'sum by (g, i)', 'count without (i)', 'count by (__name__, i)', 'sum by (i)', 'max without (g)']) {
          const fused = await e.rangeQuery(counting, `${agg} (${inner})`, start, end, step);
          const plain = await e.rangeQuery(db, `${agg} ((${inner}))`, start, end, step);
          expect(bits(fused), `${agg} (${inner})`).toEqual(bits(plain));
          expect([fused.stats.seriesTouched, fused.stats.samplesTouched], `${agg} (${inner}) read`).toEqual([plain.stats.seriesTouched, plain.stats.samplesTouched]);
          compared += bits(plain).length;
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
    expect(kernelCalls.length).toBe(2 * 8 * 10);
  });

  it('falls back to selecting in this thread when a series holds native histograms', async () => {
    const h = await TSDB.open({ dir: join(tmp.dir, 'h'), workerUrl, queryWorkerUrl, queryWorkers: 2, maxChunkSamples: 4, retentionIntervalMs: 0 });
    try {
      await fill(h, 20, 12);
      const a = h.appender();
      for (let s = 0; s < 12; s++) {
        a.appendHistogram!(labelsFromRecord({ __name__: 'm', g: 'h' }), s * 15_000, { schema: 0, zeroThreshold: 0, zeroCount: 0, count: s + 1, sum: s, positive: [{ index: 0, count: s + 1 }], negative: [], customValues: [], counterResetHint: 'unknown' });
      }
      await a.commit();
      const q = await h.querier(0, 1e12);
      expect(await q.selectSteps!([{ op: '=', name: '__name__', value: 'm' }], { start: 0, end: 1e12 }, { kind: 'instant', times: Float64Array.of(60_000), lookback: 300_000 })).toBeNull();
      const e = engine();
      for (const inner of ['m', 'rate(m[1m])']) {
        const fused = await e.rangeQuery(h, `count (${inner})`, 0, 165_000, 15_000);
        const plain = await e.rangeQuery(h, `count ((${inner}))`, 0, 165_000, 15_000);
        expect(JSON.stringify(fused.result)).toEqual(JSON.stringify(plain.result));
      }
    } finally {
      await h.close();
    }
  });

  it('stops a select when its query is cancelled', async () => {
    const e = engine();
    const ac = new AbortController();
    const running = e.rangeQuery(db, 'sum by (g) (rate(m[1m]))', 0, 885_000, 1_000, { signal: ac.signal });
    ac.abort();
    await expect(running).rejects.toBeInstanceOf(QueryCanceledError);
    // The workers still answer the next query.
    const after = await e.rangeQuery(db, 'count(m)', 0, 885_000, 15_000);
    expect(bits(after).length).toBeGreaterThan(0);
  });

  it('ends idle threads after idleMs and starts them again for the next task', async () => {
    const pool = new QueryPool(queryWorkerUrl, { file: join(tmp.dir, 'a', 'vigil.db'), sqliteBinding: undefined }, 2, 50);
    try {
      const task = { refs: Uint32Array.of(1, 2, 3), mint: 0, maxt: 1e12, kernel: { kind: 'instant' as const, times: Float64Array.of(300_000), lookback: 300_000 }, headOffsets: new Uint32Array(4), headT: new Float64Array(0), headV: new Float64Array(0) };
      const first = await pool.run(task);
      expect(pool.threads).toBe(1);
      // Polled, not timed: the 50 ms idle timer may fire late on a loaded machine.
      for (let i = 0; i < 200 && pool.threads > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(pool.threads).toBe(0);
      expect(await pool.run(task)).toEqual(first);
      expect(pool.threads).toBe(1);
    } finally {
      await pool.close();
    }
  });
});
