import { describe, expect, it } from 'vitest';
import { rankNames } from '../../../app/promql/rank-names.js';
import { LocalMetricNamesClient } from '../../../renderer/promql-language/metric-names.js';
import type { MetricMetadata, PromClient } from '../../../renderer/promql-language/prom-client.js';
import { answerNamesJob, WorkerNameIndex, type NamesAnswer, type NamesJob, type NamesPort, type NamesState } from '../../../renderer/promql-language/worker-names.js';

const names = Array.from({ length: 5_000 }, (_, i) => `bench_metric_${(i * 7919) % 5_000}_${i % 97}_total`).concat(['HTTP_Requests_total', 'node_http_x', 'up']);

/** The worker in the same process: jobs answered by the worker's own function, asynchronously. */
function port(fetcher: typeof fetch): NamesPort & { jobs: NamesJob[]; pending: number } {
  const state: NamesState = { list: null };
  const p: NamesPort & { jobs: NamesJob[]; pending: number } = {
    jobs: [],
    pending: 0,
    onmessage: null,
    postMessage(job) {
      p.jobs.push(job);
      p.pending++;
      void answerNamesJob(state, job, fetcher).then((a) =>
        setTimeout(() => {
          p.pending--;
          p.onmessage?.({ data: a } as MessageEvent<NamesAnswer>);
        }),
      );
    },
  };
  return p;
}

/** Until the worker has answered every job posted so far. */
async function settle(p: { pending: number }): Promise<void> {
  while (p.pending > 0) await new Promise((r) => setTimeout(r, 1));
}

const answering = (body: unknown, status = 200): typeof fetch => (async () => new Response(JSON.stringify(body), { status })) as typeof fetch;

class Engine implements PromClient {
  calls = 0;
  async labelNames() {
    return [];
  }
  async labelValues() {
    return [];
  }
  async metricMetadata(): Promise<MetricMetadata[]> {
    this.calls++;
    return [{ name: 'from_engine', type: 'gauge', help: '', unit: '' }];
  }
}

describe('metric names held in a worker', () => {
  it('loads the list once, then ranks every search there as the engine ranks it', async () => {
    const p = port(answering({ values: [...names].reverse(), truncated: false }));
    const index = new WorkerNameIndex(p, 'http://127.0.0.1:1/api/vigil/labelValues', '{"name":"__name__"}');
    expect(await index.search('http', 10)).toBeNull(); // starts the load; no list yet
    await settle(p);
    const sorted = [...names].sort();
    for (const search of ['bench_metric_12', 'b', 'http', 'x_t', 'zzz', '']) {
      expect(await index.search(search, 25)).toEqual(rankNames(sorted, search, 25).names);
    }
    expect(p.jobs.filter((j) => j.kind === 'load')).toHaveLength(1);
  });

  it('answers through the completion client, which asks the engine only until the list is there', async () => {
    const p = port(answering({ values: names, truncated: false }));
    const index = new WorkerNameIndex(p, 'u', '{}');
    const engine = new Engine();
    const client = new LocalMetricNamesClient(engine, index, 10_000);
    expect((await client.metricMetadata({ search: 'node', limit: 5 })).map((m) => m.name)).toEqual(['from_engine']);
    await settle(p);
    expect((await client.metricMetadata({ search: 'node', limit: 5 })).map((m) => m.name)).toEqual(['node_http_x']);
    expect(engine.calls).toBe(1);
  });

  it('keeps asking the engine when the load fails, naming where it failed, and reloads a stale list', async () => {
    const state: NamesState = { list: null };
    const bad = await answerNamesJob(state, { id: 1, kind: 'load', url: 'http://h/api/vigil/labelValues', body: '{}' }, answering({ values: 'nope' }));
    expect(bad.ok).toBe(false);
    expect(bad.ok === false && bad.error).toContain('invalid response from labelValues (http://h/api/vigil/labelValues)');
    const down = await answerNamesJob(state, { id: 2, kind: 'load', url: 'http://h/x', body: '{}' }, answering({ kind: 'internal' }, 503));
    expect(down.ok === false && down.error).toContain('HTTP 503');
    expect(state.list).toBeNull();

    let now = 0;
    const p = port(answering({ values: names, truncated: false }));
    const index = new WorkerNameIndex(p, 'u', '{}', 60_000, () => now);
    index.warm();
    await settle(p);
    index.warm();
    expect(p.jobs.filter((j) => j.kind === 'load')).toHaveLength(1);
    now = 61_000;
    index.warm();
    expect(p.jobs.filter((j) => j.kind === 'load')).toHaveLength(2);
  });
});
