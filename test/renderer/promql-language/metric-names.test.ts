import { describe, expect, it } from 'vitest';
import { rankNames } from '../../../app/promql/rank-names.js';
import { LocalMetricNamesClient, MetricNameIndex } from '../../../renderer/promql-language/metric-names.js';
import type { MetricMetadata, PromClient } from '../../../renderer/promql-language/prom-client.js';

const names = Array.from({ length: 20_000 }, (_, i) => `bench_metric_${(i * 7919) % 20_000}_${i % 97}_total`).concat(['http_requests_total', 'node_http_x', 'up']);

/** An engine that answers metadata searches with the shared ranking and counts its calls. */
class FakeEngine implements PromClient {
  metadataCalls = 0;
  constructor(private readonly fail = false) {}
  async labelNames() {
    return [];
  }
  async labelValues() {
    return [];
  }
  async metricMetadata(opts?: { search?: string; limit?: number }): Promise<MetricMetadata[]> {
    this.metadataCalls++;
    if (this.fail) throw new Error('engine down');
    const sorted = [...names].sort();
    return rankNames(sorted, opts?.search ?? '', opts?.limit ?? 200).names.map((name) => ({ name, type: name.endsWith('_total') ? 'counter' : 'gauge', help: `help of ${name}`, unit: '' }));
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('metric names ranked in the page', () => {
  it('asks the engine until the list has arrived, then answers from the list with the same ranking', async () => {
    let release!: (n: string[]) => void;
    const index = new MetricNameIndex(() => new Promise((r) => (release = r)));
    const engine = new FakeEngine();
    const client = new LocalMetricNamesClient(engine, index);
    const first = await client.metricMetadata({ search: 'http', limit: 10 });
    expect(engine.metadataCalls).toBe(1);
    expect(first.map((m) => m.name)).toEqual(['http_requests_total', 'node_http_x']);
    release([...names].reverse());
    await settle();
    for (const search of ['bench_metric_12', 'b', 'x_t', 'metric_19999', 'zzz', '']) {
      const local = await client.metricMetadata({ search, limit: 25 });
      expect(local.map((m) => m.name)).toEqual(rankNames([...names].sort(), search, 25).names);
    }
  });

  it('decorates rows with the type and HELP the engine gave in the background, without waiting for it', async () => {
    const index = new MetricNameIndex(async () => names);
    index.warm();
    await settle();
    const engine = new FakeEngine();
    const client = new LocalMetricNamesClient(engine, index, 20);
    // Keys typed quickly: only the search typing paused on is asked of the engine.
    await client.metricMetadata({ search: 'http_r', limit: 5 });
    const before = await client.metricMetadata({ search: 'http_req', limit: 5 });
    expect(before[0]).toEqual({ name: 'http_requests_total', type: '', help: '', unit: '' });
    expect(engine.metadataCalls).toBe(0);
    await new Promise((r) => setTimeout(r, 60));
    const after = await client.metricMetadata({ search: 'http_req', limit: 5 });
    expect(after[0]).toEqual({ name: 'http_requests_total', type: 'counter', help: 'help of http_requests_total', unit: '' });
    // The same search is asked of the engine once.
    expect(engine.metadataCalls).toBe(1);
  });

  it('keeps answering from the engine when the list cannot be loaded, and reloads a stale list', async () => {
    let loads = 0;
    let now = 0;
    const failing = new MetricNameIndex(async () => {
      loads++;
      throw new Error('no list');
    });
    const client = new LocalMetricNamesClient(new FakeEngine(), failing);
    expect((await client.metricMetadata({ search: 'up', limit: 1 })).map((m) => m.name)).toEqual(['up']);
    await settle();
    expect(loads).toBe(1);

    let list = ['a_total'];
    const index = new MetricNameIndex(async () => list, 60_000, () => now);
    index.warm();
    await settle();
    expect(index.search('', 10)).toEqual(['a_total']);
    list = ['a_total', 'b_total'];
    now = 30_000;
    expect(index.search('', 10)).toEqual(['a_total']);
    now = 61_000;
    index.search('', 10);
    await settle();
    expect(index.search('', 10)).toEqual(['a_total', 'b_total']);
  });
});
