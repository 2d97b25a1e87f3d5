import { describe, expect, it } from 'vitest';
import { complete, type Vocabulary } from '../../../renderer/promql-language/complete.js';
import type { MetricMetadata, PromClient } from '../../../renderer/promql-language/prom-client.js';
import { CachingPromClient } from '../../../renderer/promql-language/prom-client.js';

const vocabulary: Vocabulary = {
  functions: [
    { name: 'rate', signature: 'rate(v range-vector) → instant-vector', doc: 'per-second average rate of increase' },
    { name: 'irate', signature: 'irate(v range-vector) → instant-vector', doc: 'instant rate from the last two samples' },
    { name: 'round', signature: 'round(v instant-vector, to_nearest=1 scalar)', doc: 'round to the nearest integer' },
  ],
  aggregations: [{ name: 'sum', signature: 'sum [by|without (labels)] (v)', doc: 'sum over dimensions' }],
};

class FakeClient implements PromClient {
  calls: string[] = [];
  constructor(private readonly metrics: MetricMetadata[]) {}
  async labelNames(match?: string[]) {
    this.calls.push(`labelNames ${match?.join(' ') ?? ''}`);
    return match?.some((m) => m.includes('http_requests_total')) ? ['__name__', 'code', 'handler', 'method'] : ['__name__', 'instance', 'job'];
  }
  async labelValues(name: string, opts?: { match?: string[]; search?: string; limit?: number }) {
    this.calls.push(`labelValues ${name} ${opts?.match?.join(' ') ?? ''} ${opts?.search ?? ''}`);
    return name === 'code' ? ['200', '404', '500'] : [];
  }
  async metricMetadata(opts?: { search?: string; limit?: number }) {
    this.calls.push(`metadata ${opts?.search ?? ''}`);
    return this.metrics;
  }
}

const src = (client: PromClient, history: string[] = []) => ({ client, vocabulary, history: () => history });

describe('completion items', () => {
  it('`rat` offers rate first, with its signature and doc', async () => {
    const items = await complete('rat', 3, src(new FakeClient([{ name: 'ratio_of_things', type: 'gauge', help: 'h', unit: '' }])));
    expect(items[0]).toMatchObject({ label: 'rate', kind: 'function', detail: expect.stringContaining('range-vector'), documentation: expect.stringContaining('rate') });
    expect(items.map((i) => i.label)).toContain('ratio_of_things');
    expect(items.every((i) => i.replace === 3)).toBe(true);
  });

  it('`{` after a metric asks for label names scoped by that metric', async () => {
    const client = new FakeClient([]);
    const items = await complete('http_requests_total{', 20, src(client));
    expect(items.map((i) => i.label)).toEqual(expect.arrayContaining(['code', 'handler', 'method']));
    expect(items.map((i) => i.label)).not.toContain('__name__');
    expect(client.calls).toContain('labelNames {__name__="http_requests_total"}');
  });

  it('label values are scoped by metric and earlier matchers, and quoted when needed', async () => {
    const client = new FakeClient([]);
    const items = await complete('http_requests_total{method="GET",code=', 38, src(client));
    expect(items.map((i) => i.insertText)).toEqual(['"200"', '"404"', '"500"']);
    expect(client.calls[0]).toBe('labelValues code {__name__="http_requests_total",method="GET"} ');
  });

  it('metadata carries type and HELP into the item', async () => {
    const items = await complete('node_fil', 8, src(new FakeClient([{ name: 'node_filesystem_avail_bytes', type: 'gauge', help: 'Filesystem space available', unit: 'bytes' }])));
    expect(items.find((i) => i.kind === 'metric')).toMatchObject({ label: 'node_filesystem_avail_bytes', detail: 'gauge', documentation: 'Filesystem space available' });
  });

  it('an empty prompt offers past queries', async () => {
    const items = await complete('', 0, src(new FakeClient([]), ['up', 'rate(x[5m])']));
    expect(items.map((i) => i.label)).toEqual(['up', 'rate(x[5m])']);
  });

  it('stays bounded with 200k metric names (top-N, not the whole list)', async () => {
    const metrics = Array.from({ length: 200_000 }, (_, i) => ({ name: `metric_${i}_total`, type: 'counter', help: '', unit: '' }));
    const items = await complete('metric_1999', 11, { ...src(new FakeClient(metrics)), limit: 50 });
    const names = items.filter((i) => i.kind === 'metric').map((i) => i.label);
    expect(names.length).toBeLessThanOrEqual(50);
    expect(names[0]).toBe('metric_1999_total');
  });

  it('the caching client asks the engine once per key within its TTL', async () => {
    const inner = new FakeClient([]);
    let now = 0;
    const client = new CachingPromClient(inner, 1000, () => now);
    await client.labelNames();
    await client.labelNames();
    now = 2000;
    await client.labelNames();
    expect(inner.calls.filter((c) => c.startsWith('labelNames'))).toHaveLength(2);
  });
});
