import { describe, expect, it } from 'vitest';
import { registerQueryMetrics } from '../../../main/api/query-metrics.js';
import {
  QueryCanceledError,
  QueryMemoryLimitError,
  QueryTimeoutError,
  TooManyConcurrentQueriesError,
  TooManySamplesError,
} from '../../../main/promql/errors.js';
import type { QueryPriority } from '../../../main/promql/engine.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import type { Querier, Queryable } from '../../../main/tsdb/interface.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { MetricsRegistry } from '../../../main/util/metrics.js';
import { engine, m } from './harness.js';

function manySeries(n: number, points = 11): MemoryStorage {
  const s = new MemoryStorage();
  for (let i = 0; i < n; i++) {
    const labels = labelsFromRecord({ __name__: 'x', i: String(i) });
    for (let t = 0; t < points; t++) s.add(labels, t * 60_000, t);
  }
  return s;
}

/** Counts series decoded by selects, to see how far a query read before it stopped. */
function countingDecodes(inner: Queryable): { storage: Queryable; decoded: () => number } {
  let decoded = 0;
  return {
    decoded: () => decoded,
    storage: {
      querier: async (mint, maxt) => {
        const q = await inner.querier(mint, maxt);
        const wrapped: Querier = {
          ...q,
          select: async (matchers, hints) => {
            const set = await q.select(matchers, hints);
            return {
              ...set,
              series: set.series.map((s) => ({
                labels: s.labels,
                samples: () => {
                  decoded++;
                  return s.samples();
                },
              })),
            };
          },
        };
        return wrapped;
      },
    },
  };
}

/** A storage whose selects wait for `open()`, to hold a query slot. */
function gated(inner: Queryable): { storage: Queryable; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  return {
    open,
    storage: {
      querier: async (mint, maxt) => {
        const q = await inner.querier(mint, maxt);
        return { ...q, select: async (matchers, hints) => (await gate, q.select(matchers, hints)) };
      },
    },
  };
}

describe('samples limit and memory ceiling are enforced while data loads', () => {
  it('a select over the samples limit stops decoding at the limit, not after loading everything', async () => {
    const { storage, decoded } = countingDecodes(manySeries(2000));
    const run = engine({ maxSamples: 1000 }).rangeQuery(storage, 'count(x)', 0, m('10m'), 60_000);
    await expect(run).rejects.toBeInstanceOf(TooManySamplesError);
    await expect(run).rejects.toThrow(/^query processing would load too many samples into memory in query execution$/);
    // 11 samples per series: the limit is crossed at series 91 of 2000.
    expect(decoded()).toBeLessThan(100);
  });

  it('the per-query memory ceiling refuses a query whose values would outgrow it', async () => {
    const { storage, decoded } = countingDecodes(manySeries(2000));
    const run = engine({ maxQueryBytes: 64 * 1024 }).rangeQuery(storage, 'count(x)', 0, m('10m'), 60_000);
    await expect(run).rejects.toBeInstanceOf(QueryMemoryLimitError);
    await expect(run).rejects.toThrow(/would use more than 0 MiB of memory in query execution; .*--query\.max-memory/);
    expect(decoded()).toBeLessThan(400);
  });

  it('a query inside both limits runs and reports its peak', async () => {
    const r = await engine().rangeQuery(manySeries(50), 'count(x)', 0, m('10m'), 60_000);
    expect(r.stats.peakSamples).toBeGreaterThanOrEqual(550);
  });
});

describe('the query queue', () => {
  it('interactive queries (UI, rules) go before bulk API queries; cheaper bulk before heavier', async () => {
    const e = engine({ maxConcurrent: 1, cheapSamples: 0 });
    const hold = gated(manySeries(1));
    const first = e.instantQuery(hold.storage, 'x', 0);
    const order: string[] = [];
    const q = (name: string, priority: QueryPriority, cost: number) =>
      e.instantQuery(manySeries(1), 'x', 0, { priority, cost }).then(() => void order.push(name));
    const all = [q('bulk heavy', 'bulk', 1e6), q('bulk light', 'bulk', 10), q('interactive', 'interactive', 1e9), q('bulk heavy 2', 'bulk', 1e6)];
    expect(e.admission()).toMatchObject({ running: 1, queued: { interactive: 1, bulk: 3 }, maxConcurrent: 1 });
    hold.open();
    await first;
    await Promise.all(all);
    expect(order).toEqual(['interactive', 'bulk light', 'bulk heavy', 'bulk heavy 2']);
    expect(e.admission()).toMatchObject({ running: 0, queued: { interactive: 0, bulk: 0 } });
  });

  it('the timeout covers the wait: "query timed out in query queue"', async () => {
    const e = engine({ maxConcurrent: 1 });
    const hold = gated(manySeries(1));
    const first = e.instantQuery(hold.storage, 'x', 0);
    const waiting = e.instantQuery(manySeries(1), 'x', 0, { timeoutMs: 30 });
    await expect(waiting).rejects.toBeInstanceOf(QueryTimeoutError);
    await expect(waiting).rejects.toThrow('query timed out in query queue');
    hold.open();
    await first;
    expect(e.admission().refused).toMatchObject({ timeout: 1 });
  });

  it('a full queue refuses at once (503 unavailable) and names the limits', async () => {
    const e = engine({ maxConcurrent: 1, maxQueued: 1 });
    const hold = gated(manySeries(1));
    const first = e.instantQuery(hold.storage, 'x', 0);
    const second = e.instantQuery(manySeries(1), 'x', 0);
    const third = e.instantQuery(manySeries(1), 'x', 0);
    await expect(third).rejects.toBeInstanceOf(TooManyConcurrentQueriesError);
    await expect(third).rejects.toThrow(/1 running and 1 waiting .*--query\.max-concurrency/);
    hold.open();
    await Promise.all([first, second]);
    expect(e.admission().refused).toMatchObject({ queue_full: 1 });
  });

  it('close() cancels running and queued queries, and refuses new ones', async () => {
    const e = engine({ maxConcurrent: 1 });
    const hold = gated(manySeries(3000));
    const running = e.rangeQuery(hold.storage, 'count(x)', 0, m('10m'), 60_000);
    const queued = e.instantQuery(manySeries(1), 'x', 0);
    e.close();
    hold.open();
    await expect(running).rejects.toBeInstanceOf(QueryCanceledError);
    await expect(queued).rejects.toBeInstanceOf(QueryCanceledError);
    await expect(e.instantQuery(manySeries(1), 'x', 0)).rejects.toThrow('query was canceled in query queue');
  });

  it('admission shows on /metrics under Prometheus’ names', async () => {
    const e = engine({ maxConcurrent: 3 });
    const registry = new MetricsRegistry();
    registerQueryMetrics(registry, e);
    const hold = gated(manySeries(1));
    const running = e.instantQuery(hold.storage, 'x', 0);
    const text = registry.render();
    expect(text).toMatch(/^prometheus_engine_queries 1$/m);
    expect(text).toMatch(/^prometheus_engine_queries_concurrent_max 3$/m);
    expect(text).toMatch(/^vigil_engine_queries_queued\{priority="bulk"\} 0$/m);
    hold.open();
    await running;
  });
});

describe('cheap queries', () => {
  it('a query estimated cheap runs at once in its own lane while heavy ones hold every slot', async () => {
    const e = engine({ maxConcurrent: 1, cheapSamples: 1000 });
    const hold = gated(manySeries(1));
    const heavy = e.instantQuery(hold.storage, 'x', 0, { priority: 'bulk', cost: 1e9 });
    const queuedHeavy = e.instantQuery(manySeries(1), 'x', 0, { priority: 'bulk', cost: 1e9 });
    await expect(e.instantQuery(manySeries(1), 'x', 0, { priority: 'bulk', cost: 11 })).resolves.toBeDefined();
    // Without an estimate a query is not known to be cheap: it waits its turn.
    expect(e.admission()).toMatchObject({ running: 1, queued: { bulk: 1 } });
    hold.open();
    await Promise.all([heavy, queuedHeavy]);
  });
});
