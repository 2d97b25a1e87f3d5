import { describe, expect, it } from 'vitest';
import { channelNames, ipcChannel, type WorkbenchApi } from '../../app/api/channels.js';
import { isTrustedSender, registerIpcHandlers } from '../../main/electron/ipc.js';

type IpcMain = Parameters<typeof registerIpcHandlers>[0];
type IpcMainInvokeEvent = Parameters<typeof isTrustedSender>[0];
import { ipcMain } from './fake-electron.js';

const status = {
  build: { version: '1', revision: 'x', runtime: 'node', platform: 'linux-x64' },
  startTimeMs: 1,
  dataDir: '/d',
  shell: 'electron' as const,
  configFile: null,
  storage: { paused: null, quarantine: null },
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
