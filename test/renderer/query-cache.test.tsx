import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WorkbenchApi } from '../../app/api/channels.js';
import { ApiError } from '../../app/api/errors.js';
import { QueryCache, maxIdleEntries, queryError, unavailableRetryMs, useChannel } from '../../renderer/api/query-cache.js';
import { ReadError } from '../../renderer/components/ReadError.js';

const status = (startTimeMs: number) => ({
  build: { version: '1', revision: 'x', runtime: 'node', platform: 'linux-x64' },
  startTimeMs,
  dataDir: '/d',
  shell: 'serve' as const,
  configFile: null,
  storage: { paused: null, quarantine: null },
  interruptedQueries: [],
});

/** A contract client whose answers the test releases one by one. */
function heldApi() {
  const calls: Array<{ name: string; request: unknown; signal: AbortSignal | undefined; answer(v: unknown): void; fail(e: unknown): void }> = [];
  const api = new Proxy({} as WorkbenchApi, {
    get: (_t, name: string) => (request: unknown, signal?: AbortSignal) =>
      new Promise((answer, fail) => calls.push({ name, request, signal, answer, fail })),
  });
  return { api, calls };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('the renderer query cache', () => {
  it('shares one answer between everyone watching the same channel and request', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    const seen: number[] = [];
    q.subscribe('status', {}, () => seen.push(1));
    q.subscribe('status', {}, () => seen.push(2));
    const read = q.fetch('status', {});
    expect(q.state('status', {})).toMatchObject({ loading: true, data: undefined });
    calls[0]!.answer(status(5));
    await read;
    expect(q.state('status', {})).toEqual({ data: status(5), error: null, loading: false });
    expect(seen).toEqual([1, 2, 1, 2]);
    expect(q.state('targets', {})).toMatchObject({ data: undefined });
    expect(q.state('targets', { scrapePool: 'a' })).not.toBe(q.state('targets', {}));
  });

  it('lets the newest read win: the older one is aborted and its late answer dropped', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    q.subscribe('status', {}, () => {});
    const first = q.fetch('status', {});
    const second = q.fetch('status', {});
    expect(calls[0]!.signal!.aborted).toBe(true);
    expect(calls[1]!.signal!.aborted).toBe(false);
    calls[1]!.answer(status(2));
    calls[0]!.answer(status(1));
    await Promise.all([first, second]);
    expect(q.state('status', {}).data?.startTimeMs).toBe(2);
  });

  it('cancels the read in flight when the last watcher leaves', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    const a = q.subscribe('status', {}, () => {});
    const b = q.subscribe('status', {}, () => {});
    const read = q.fetch('status', {});
    a();
    expect(calls[0]!.signal!.aborted).toBe(false);
    b();
    expect(calls[0]!.signal!.aborted).toBe(true);
    await read;
    expect(q.state('status', {})).toMatchObject({ loading: false, error: null, data: undefined });
  });

  it('turns every failure into one shape naming the channel, keeping the last answer', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    q.subscribe('status', {}, () => {});
    let read = q.fetch('status', {});
    calls[0]!.answer(status(1));
    await read;
    read = q.fetch('status', {});
    calls[1]!.fail(new ApiError({ kind: 'forbidden', message: 'sender is not the Vigil window' }));
    await read;
    expect(q.state('status', {})).toEqual({ data: status(1), loading: false, error: { kind: 'forbidden', message: 'status: sender is not the Vigil window', detail: 'sender is not the Vigil window' } });
    expect(queryError(new TypeError('Failed to fetch'), 'probes')).toEqual({ kind: 'internal', message: 'probes: Failed to fetch', detail: 'Failed to fetch' });
  });

  it('retries an "unavailable" answer by itself while someone watches, and stops when nobody does', async () => {
    vi.useFakeTimers();
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    const off = q.subscribe('rules', {}, () => {});
    const read = q.fetch('rules', {});
    calls[0]!.fail(new ApiError({ kind: 'unavailable', where: 'rules', message: 'rules: alerting is not running' }));
    await read;
    expect(q.state('rules', {}).error?.kind).toBe('unavailable');
    await vi.advanceTimersByTimeAsync(unavailableRetryMs);
    expect(calls).toHaveLength(2);
    calls[1]!.fail(new ApiError({ kind: 'unavailable', message: 'still starting' }));
    await vi.advanceTimersByTimeAsync(0);
    off();
    await vi.advanceTimersByTimeAsync(10 * unavailableRetryMs);
    expect(calls).toHaveLength(2);
  });

  it('reads again only the watched reads of the channels an action changed', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    q.subscribe('alerts', { includeDrills: true }, () => {});
    q.subscribe('status', {}, () => {});
    q.state('silences', {}); // known but not watched
    const done = q.invalidate('alerts', 'silences');
    expect(calls.map((c) => [c.name, c.request])).toEqual([['alerts', { includeDrills: true }]]);
    calls[0]!.answer({ alerts: [] });
    await done;
    await tick();
    expect(q.state('alerts', { includeDrills: true }).data).toEqual({ alerts: [] });
  });
});

describe('the query cache for engine queries (Explore)', () => {
  const range = (queryId: string) => ({ query: 'up', start: 0, end: 60_000, step: 15_000, queryId });

  it('reads with a loader, keyed without the queryId, so one range query is shared across runs', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    const loaded: AbortSignal[] = [];
    const read = q.fetch('queryRange', range('a'), (signal) => (loaded.push(signal), Promise.resolve('columns')));
    expect(calls).toEqual([]); // the loader, not the channel call
    expect(await read).toEqual({ data: 'columns', error: null, loading: false });
    expect(q.state('queryRange', range('b')).data).toBe('columns');
    expect(loaded[0]!.aborted).toBe(false);
  });

  it('stops a replaced query in the engine too, by its queryId', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    const first = q.fetch('query', { query: 'up', time: 1, queryId: 'run1' });
    const second = q.fetch('query', { query: 'up', time: 1, queryId: 'run2' });
    expect(calls.map((c) => [c.name, c.request])).toEqual([
      ['query', { query: 'up', time: 1, queryId: 'run1' }],
      ['cancelQuery', { queryId: 'run1' }],
      ['query', { query: 'up', time: 1, queryId: 'run2' }],
    ]);
    expect(calls[0]!.signal!.aborted).toBe(true);
    calls[2]!.answer({ result: { resultType: 'scalar', t: 1, v: 2 } });
    expect((await second).data).toEqual({ result: { resultType: 'scalar', t: 1, v: 2 } });
    // The replaced read's caller gets the answer of the read that replaced it.
    expect((await first).data).toEqual({ result: { resultType: 'scalar', t: 1, v: 2 } });
  });

  it('cancel() stops the read here and in the engine and keeps the last answer', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    const read = q.fetch('queryRange', range('r1'));
    q.cancel('queryRange', range('r1'));
    expect(calls[0]!.signal!.aborted).toBe(true);
    expect(calls[1]).toMatchObject({ name: 'cancelQuery', request: { queryId: 'r1' } });
    expect(await read).toEqual({ data: undefined, error: null, loading: false });
    q.cancel('queryRange', range('r1')); // nothing in flight: nothing sent
    expect(calls).toHaveLength(2);
  });

  it("cancel() leaves alone a newer read of the same query made for another reader", async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    const mine = q.fetch('queryRange', range('panel-a'));
    const theirs = q.fetch('queryRange', range('panel-b'));
    q.cancel('queryRange', range('panel-a')); // panel A unmounts
    expect(calls.filter((c) => c.name === 'cancelQuery').map((c) => c.request)).toEqual([{ queryId: 'panel-a' }]); // only from the replacement
    const answer = { result: { timestamps: [], series: [] }, warnings: [], stats: {} };
    calls.find((c) => c.name === 'queryRange' && (c.request as { queryId: string }).queryId === 'panel-b')!.answer(answer);
    expect((await theirs).data).toBe(answer);
    expect((await mine).data).toBe(answer);
  });

  it('keeps at most maxIdleEntries unwatched answers, dropping the least recently used', async () => {
    const q = new QueryCache({} as WorkbenchApi);
    const watched = range('w');
    q.subscribe('queryRange', watched, () => {});
    await q.fetch('queryRange', watched, () => Promise.resolve('kept'));
    for (let i = 0; i <= maxIdleEntries; i++) await q.fetch('queryRange', { ...range('x'), start: i + 1 }, () => Promise.resolve(i));
    expect(q.state('queryRange', watched).data).toBe('kept');
    expect(q.state('queryRange', { ...range('x'), start: maxIdleEntries + 1 }).data).toBe(maxIdleEntries);
    expect(q.state('queryRange', { ...range('x'), start: 1 }).data).toBeUndefined();
  });
});

describe('useChannel and ReadError', () => {
  function StartTime({ cache }: { cache: QueryCache }) {
    const { data, error, loading } = useChannel(cache, 'status', {});
    return (
      <p>
        {loading ? 'loading ' : ''}
        {data ? `started ${data.startTimeMs}` : 'nothing yet'}
        <ReadError error={error} />
      </p>
    );
  }

  it('renders the cached answer at once', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    const read = q.fetch('status', {});
    calls[0]!.answer(status(42));
    await read;
    expect(renderToStaticMarkup(<StartTime cache={q} />)).toBe('<p>started 42</p>');
  });

  it('shows "unavailable" as a passing notice and other failures as errors', () => {
    const unavailable = renderToStaticMarkup(<ReadError error={{ kind: 'unavailable', message: 'rules: alerting is not running', detail: '' }} />);
    expect(unavailable).toContain('role="status"');
    expect(unavailable).toContain('retrying');
    const failed = renderToStaticMarkup(<ReadError error={{ kind: 'bad_request', message: 'alerts: filter: bad matcher', detail: '' }} testId="alerts-error" />);
    expect(failed).toContain('role="alert"');
    expect(failed).toContain('data-testid="alerts-error"');
    expect(failed).not.toContain('retrying');
  });
});

describe('joining a read in flight (dashboard panels asking the same query)', () => {
  const range = (queryId: string) => ({ query: 'up', start: 0, end: 60_000, step: 15_000, queryId });
  const answer = { result: { timestamps: [], series: [] }, warnings: [], stats: {} };

  it('sends the query once and gives both readers its answer', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    const a = q.fetch('queryRange', range('panel-1'), undefined, { join: true });
    const b = q.fetch('queryRange', range('panel-11'), undefined, { join: true });
    expect(calls.map((c) => c.name)).toEqual(['queryRange']);
    calls[0]!.answer(answer);
    expect((await a).data).toBe(answer);
    expect((await b).data).toBe(answer);
    // Settled: the next read runs again.
    void q.fetch('queryRange', range('panel-1'), undefined, { join: true });
    expect(calls.map((c) => c.name)).toEqual(['queryRange', 'queryRange']);
  });

  it('keeps running while one reader still waits, and stops in the engine when the last one leaves', async () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    void q.fetch('queryRange', range('panel-1'), undefined, { join: true });
    const b = q.fetch('queryRange', range('panel-11'), undefined, { join: true });
    q.cancel('queryRange', range('panel-1')); // the panel that started it scrolls away
    expect(calls[0]!.signal!.aborted).toBe(false);
    expect(calls.filter((c) => c.name === 'cancelQuery')).toEqual([]);
    q.cancel('queryRange', range('panel-11'));
    expect(calls[0]!.signal!.aborted).toBe(true);
    // The engine knows the query by the id it was sent with.
    expect(calls.filter((c) => c.name === 'cancelQuery').map((c) => c.request)).toEqual([{ queryId: 'panel-1' }]);
    expect((await b).data).toBeUndefined();
  });

  it('without join, the newer read still replaces the one in flight', () => {
    const { api, calls } = heldApi();
    const q = new QueryCache(api);
    void q.fetch('queryRange', range('run-1'), undefined, { join: true });
    void q.fetch('queryRange', range('run-2'));
    expect(calls.map((c) => c.name)).toEqual(['queryRange', 'cancelQuery', 'queryRange']);
  });
});
