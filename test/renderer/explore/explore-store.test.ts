import { beforeEach, describe, expect, it } from 'vitest';
import type { WorkbenchApi } from '../../../app/api/channels.js';
import { ApiError } from '../../../app/api/errors.js';
import { QueryCache } from '../../../renderer/api/query-cache.js';
import { useExploreStore } from '../../../renderer/store/explore.js';

const stats = { seriesTouched: 1, samplesTouched: 2, peakSamples: 2, totalMs: 1, nodes: [] };

/** A contract client whose answers the test releases one by one. */
function heldApi() {
  const calls: Array<{ name: string; request: Record<string, unknown>; answer(v: unknown): void; fail(e: unknown): void }> = [];
  const api = new Proxy({} as WorkbenchApi, {
    get: (_t, name: string) => (request: Record<string, unknown>) => new Promise((answer, fail) => calls.push({ name, request, answer, fail })),
  });
  return { api, calls };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const initial = useExploreStore.getState();
beforeEach(() => useExploreStore.setState(initial, true));

describe("Explore's queries go through the renderer's query cache", () => {
  it('puts the range answer in the cache, where other readers of the same query find it', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    useExploreStore.setState({ panels: [{ query: 'up', enabled: true }], range: { kind: 'absolute', startMs: 0, endMs: 60_000 }, tab: 'graph' });
    const run = useExploreStore.getState().run(q, 1000, true);
    await tick();
    expect(calls.map((c) => c.name)).toEqual(['queryRange']);
    const request = calls[0]!.request;
    calls[0]!.answer({ result: { timestamps: [0, 60_000], series: [{ labels: { job: 'a' }, values: [1, null] }] }, warnings: [], stats });
    await run;
    const cached = q.state('queryRange', { query: 'up', start: request['start'] as number, end: request['end'] as number, step: request['step'] as number });
    expect(cached.data?.result.series[0]?.labels).toEqual({ job: 'a' });
    expect(useExploreStore.getState().results[0]?.range).toBe(cached.data);
  });

  it("shows the cache's error for a failed panel and keeps the others", async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    useExploreStore.setState({ panels: [{ query: 'up{', enabled: true }, { query: 'up', enabled: true }], range: { kind: 'absolute', startMs: 0, endMs: 60_000 }, tab: 'table' });
    const run = useExploreStore.getState().run(q, 1000, true);
    await tick();
    calls[0]!.fail(new ApiError({ kind: 'bad_request', message: '1:4: parse error: unexpected end of input' }));
    calls[1]!.answer({ result: { resultType: 'scalar', t: 60_000, v: 1 }, warnings: [], stats });
    await run;
    const [bad, good] = useExploreStore.getState().results;
    expect(bad).toMatchObject({ error: '1:4: parse error: unexpected end of input', instant: null });
    expect(good).toMatchObject({ error: null, instant: { result: { resultType: 'scalar', v: 1 } } });
    expect(q.state('query', { query: 'up{', time: 60_000 }).error).toMatchObject({ kind: 'bad_request', message: 'query: 1:4: parse error: unexpected end of input' });
  });

  it('a new run cancels the queries of the one still running, in the engine too', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    useExploreStore.setState({ panels: [{ query: 'rate(x[5m])', enabled: true }], range: { kind: 'absolute', startMs: 0, endMs: 60_000 }, tab: 'table' });
    const first = useExploreStore.getState().run(q, 1000, true);
    await tick();
    const firstId = calls[0]!.request['queryId'];
    useExploreStore.setState({ panels: [{ query: 'up', enabled: true }] });
    const second = useExploreStore.getState().run(q, 1000, true);
    await tick();
    expect(calls.filter((c) => c.name === 'cancelQuery').map((c) => c.request)).toEqual([{ queryId: firstId }]);
    calls.find((c) => c.name === 'query' && c.request['query'] === 'up')!.answer({ result: { resultType: 'scalar', t: 0, v: 3 }, warnings: [], stats });
    await Promise.all([first, second]);
    expect(useExploreStore.getState().results[0]).toMatchObject({ error: null, instant: { result: { v: 3 } } });
  });

  it('two panels with the same query share one read instead of cancelling each other', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    useExploreStore.setState({ panels: [{ query: 'up', enabled: true }, { query: 'up', enabled: true }], range: { kind: 'absolute', startMs: 0, endMs: 60_000 }, tab: 'table' });
    const run = useExploreStore.getState().run(q, 1000, true);
    await tick();
    expect(calls.map((c) => c.name)).toEqual(['query']);
    calls[0]!.answer({ result: { resultType: 'scalar', t: 0, v: 7 }, warnings: [], stats });
    await run;
    expect(useExploreStore.getState().results.map((r) => r?.error ?? r?.instant?.result)).toEqual([
      { resultType: 'scalar', t: 0, v: 7 },
      { resultType: 'scalar', t: 0, v: 7 },
    ]);
  });
});
