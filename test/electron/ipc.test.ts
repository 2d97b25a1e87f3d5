import { describe, expect, it, vi } from 'vitest';
import { channelNames, ipcChannel, type WorkbenchApi } from '../../app/api/channels.js';
import type { RangeQueryResponse } from '../../app/api/query.js';
import { isTrustedSender, registerIpcHandlers } from '../../main/electron/ipc.js';
import { buildBridge } from '../../main/electron/preload.js';
import { createIpcClient, queryRangeColumns } from '../../renderer/api/client.js';

type IpcMain = Parameters<typeof registerIpcHandlers>[0];
type IpcMainInvokeEvent = Parameters<typeof isTrustedSender>[0];
import { ipcMain } from './fake-electron.js';

vi.mock('electron', async () => await import('./fake-electron.js'));

const status = {
  build: { version: '1', revision: 'x', runtime: 'node', platform: 'linux-x64' },
  startTimeMs: 1,
  dataDir: '/d',
  shell: 'electron' as const,
  configFile: null,
  storage: { paused: null, quarantine: null },
  interruptedQueries: [],
  configErrors: [],
};
const api = { status: async () => status } as unknown as WorkbenchApi;

function event(url: string | null, parent: unknown = null): IpcMainInvokeEvent {
  return { senderFrame: url === null ? null : { url, parent } } as unknown as IpcMainInvokeEvent;
}

describe('IPC adapter', () => {
  ipcMain.handlers.clear();
  const unregister = registerIpcHandlers(ipcMain as unknown as IpcMain, api);
  const call = (name: string, ev: IpcMainInvokeEvent, payload: unknown) => {
    const handler = ipcMain.handlers.get(name);
    if (!handler) throw new Error(`no handler for ${name}`);
    return handler(ev, payload);
  };

  it('registers exactly one handler per contract channel', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(channelNames.map(ipcChannel).sort());
  });

  it('answers a trusted, valid call', async () => {
    await expect(call('vigil:status', event('app://vigil/index.html'), {})).resolves.toEqual({ ok: true, value: status });
  });

  it('refuses a sender that is not our page', async () => {
    for (const ev of [event('https://evil.example/'), event('app://vigil.evil/x'), event(null), event('app://vigil/index.html', {})]) {
      const reply = (await call('vigil:status', ev, {})) as { ok: boolean; error: { kind: string } };
      expect(reply.ok).toBe(false);
      expect(reply.error.kind).toBe('forbidden');
    }
  });

  it('refuses a malformed payload and names the problem', async () => {
    const reply = (await call('vigil:status', event('app://vigil/'), { evil: true })) as { ok: boolean; error: { kind: string; message: string } };
    expect(reply).toMatchObject({ ok: false, error: { kind: 'bad_request', message: expect.stringMatching(/invalid request for status/) } });
    const notObject = (await call('vigil:status', event('app://vigil/'), 'rm -rf')) as { ok: boolean; error: { kind: string } };
    expect(notObject).toMatchObject({ ok: false, error: { kind: 'bad_request' } });
  });

  it('has no handler for an unknown channel', () => {
    expect(ipcMain.handlers.has('vigil:shutdown')).toBe(false);
  });

  it('refuses an engine answer that breaks the contract', async () => {
    ipcMain.handlers.clear();
    const bad = { status: async () => ({ nope: 1 }) } as unknown as WorkbenchApi;
    registerIpcHandlers(ipcMain as unknown as IpcMain, bad);
    const reply = (await call('vigil:status', event('app://vigil/'), {})) as { ok: boolean; error: { kind: string } };
    expect(reply).toMatchObject({ ok: false, error: { kind: 'internal' } });
    ipcMain.handlers.clear();
  });

  it('isTrustedSender requires the top frame of app://vigil', () => {
    expect(isTrustedSender(event('app://vigil/index.html'))).toBe(true);
    expect(isTrustedSender(event('file:///etc/passwd'))).toBe(false);
    unregister();
  });
});

describe('a range answer over IPC', () => {
  const answer: RangeQueryResponse = {
    result: {
      resultType: 'matrix',
      timestamps: [1000, 2000, 3000],
      series: [
        { labels: { __name__: 'up', job: 'a' }, values: [1, 'NaN', '+Inf'] },
        { labels: { __name__: 'up', job: 'b' }, values: [null, 0, 1] },
      ],
    },
    warnings: [],
    infos: [],
    stats: { seriesTouched: 2, samplesTouched: 6, peakSamples: 6, totalMs: 1, nodes: [] },
  };
  const engine = {
    queryRange: async (req: { query: string }) => {
      if (req.query === 'boom') throw new Error('engine exploded');
      return answer;
    },
  } as unknown as WorkbenchApi;

  // Main process handlers, the preload's bridge and the page's client, joined by structured
  // clones as Electron's IPC and context bridge join them.
  function wire() {
    ipcMain.handlers.clear();
    registerIpcHandlers(ipcMain as unknown as IpcMain, engine);
    const bridge = buildBridge(
      async (channel, payload) => structuredClone(await ipcMain.handlers.get(channel)!(event('app://vigil/'), structuredClone(payload))),
      () => () => {},
    );
    return createIpcClient(bridge as never);
  }
  const request = { query: 'up', start: 1000, end: 3000, step: 1000 };

  it('leaves the main process packed in typed arrays', async () => {
    ipcMain.handlers.clear();
    registerIpcHandlers(ipcMain as unknown as IpcMain, engine);
    const reply = (await ipcMain.handlers.get('vigil:queryRange')!(event('app://vigil/'), request)) as { ok: true; packed: { result: { timestamps: unknown; series: Array<{ v: unknown }> } } };
    expect(reply.ok).toBe(true);
    expect(reply.packed.result.timestamps).toBeInstanceOf(Float64Array);
    expect(reply.packed.result.series[1]!.v).toBeInstanceOf(Float64Array);
    ipcMain.handlers.clear();
  });

  it('reaches the chart as columns, and the plain channel as the contract answer', async () => {
    const client = wire();
    const cols = await queryRangeColumns(client, request);
    expect(cols.result.timestamps).toEqual(new Float64Array([1000, 2000, 3000]));
    expect(cols.result.series[0]!.values).toEqual([1, null, Infinity]);
    expect(cols.result.series[1]!.values).toEqual([null, 0, 1]);
    expect(cols.stats.seriesTouched).toBe(2);
    expect(await client.queryRange(request)).toEqual(answer);
    ipcMain.handlers.clear();
  });

  it('still brings an engine error back as an error', async () => {
    const client = wire();
    await expect(queryRangeColumns(client, { ...request, query: 'boom' })).rejects.toMatchObject({ kind: 'internal', message: 'engine exploded' });
    await expect(client.queryRange({ ...request, query: 'boom' })).rejects.toMatchObject({ message: 'engine exploded' });
    ipcMain.handlers.clear();
  });
});
