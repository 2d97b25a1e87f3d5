import { describe, expect, it } from 'vitest';
import { QueryCanceledError, QueryTimeoutError, TooManyPointsError, TooManySamplesError } from '../../../main/promql/errors.js';
import type { Querier, Queryable } from '../../../main/tsdb/interface.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import { engine, load, m } from './harness.js';

function manySeries(n: number): MemoryStorage {
  const s = new MemoryStorage();
  for (let i = 0; i < n; i++) {
    const labels = labelsFromRecord({ __name__: 'x_total', i: String(i) });
    for (let t = 0; t <= 10; t++) s.add(labels, t * 60_000, t * i);
  }
  return s;
}

/** Wraps a Queryable so a test can act while the engine waits for data. */
function onSelect(inner: Queryable, hook: () => Promise<void> | void): Queryable {
  return {
    querier: async (mint, maxt) => {
      const q = await inner.querier(mint, maxt);
      const wrapped: Querier = {
        ...q,
        select: async (matchers, hints) => {
          await hook();
          return q.select(matchers, hints);
        },
      };
      return wrapped;
    },
  };
}

describe('limits and cancellation', () => {
  it('a query cancelled through its AbortSignal rejects with the cancel error', async () => {
    const controller = new AbortController();
    const storage = onSelect(manySeries(2000), () => controller.abort());
    const run = engine().rangeQuery(storage, 'sum(rate(x_total[5m]))', 0, m('10m'), 15_000, { signal: controller.signal });
    await expect(run).rejects.toBeInstanceOf(QueryCanceledError);
    await expect(run).rejects.toThrow('query was canceled in expression evaluation');
  });

  it('an already aborted signal stops before reading anything', async () => {
    const controller = new AbortController();
    controller.abort();
    let selects = 0;
    const storage = onSelect(manySeries(10), () => void selects++);
    await expect(engine().instantQuery(storage, 'x_total', 0, { signal: controller.signal })).rejects.toBeInstanceOf(QueryCanceledError);
    expect(selects).toBe(0);
  });

  it('max samples', async () => {
    const e = engine({ maxSamples: 100 });
    const run = e.instantQuery(manySeries(200), 'x_total', m('1m'));
    await expect(run).rejects.toBeInstanceOf(TooManySamplesError);
    await expect(run).rejects.toThrow('query processing would load too many samples into memory in query execution');
  });

  it('timeout', async () => {
    const run = engine({ timeoutMs: -1 }).instantQuery(manySeries(2), 'x_total', 0);
    await expect(run).rejects.toBeInstanceOf(QueryTimeoutError);
    await expect(run).rejects.toThrow('query timed out in expression evaluation');
  });

  it('points per series', async () => {
    const run = engine().rangeQuery(manySeries(1), 'x_total', 0, 20_000_000, 1000);
    await expect(run).rejects.toBeInstanceOf(TooManyPointsError);
    await expect(run).rejects.toThrow(
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
  });

  it('queries beyond maxConcurrent wait for a slot; a queued query can be cancelled', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const slow = onSelect(manySeries(1), async () => {
      order.push('select');
      await gate;
    });
    const e = engine({ maxConcurrent: 1 });
    const first = e.instantQuery(slow, 'x_total', 0).then(() => order.push('first done'));
    const controller = new AbortController();
    const queued = e.instantQuery(manySeries(1), 'x_total', 0, { signal: controller.signal });
    const second = e.instantQuery(manySeries(1), 'x_total', 0).then(() => order.push('second done'));
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(QueryCanceledError);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['select']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['select', 'first done', 'second done']);
  });

  it('range queries must return instant vectors or scalars', async () => {
    await expect(engine().rangeQuery(manySeries(1), 'x_total[5m]', 0, m('1m'), m('1m'))).rejects.toThrow(
      'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
    );
  });
});

describe('query stats', () => {
  it('counts series and samples touched, peak samples and time per node', async () => {
    const s = load('1m', `
      a{i="1"} 0+1x10
      a{i="2"} 0+1x10
    `);
    const r = await engine().instantQuery(s, 'sum(rate(a[5m]))', m('10m'));
    expect(r.stats.seriesTouched).toBe(2);
    expect(r.stats.samplesTouched).toBe(10);
    expect(r.stats.peakSamples).toBeGreaterThanOrEqual(10);
    // sum(…) spans 0-16, rate(…) 4-15, the matrix selector 9-14.
    expect(Object.keys(r.stats.nodes).sort()).toEqual(['0-16', '4-15', '9-14']);
    expect(r.stats.nodes['9-14']!.type).toBe('matrix');
    expect(r.stats.totalMs).toBeGreaterThanOrEqual(0);
  });
});
