import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { channelNames, ipcChannel } from '../../app/api/channels.js';
import { createMainWindow, isSafeExternal, type WindowFactory } from '../../main/electron/window.js';
import { createAppProtocolHandler } from '../../main/electron/protocol.js';
import * as fake from './fake-electron.js';

vi.mock('electron', async () => await import('./fake-electron.js'));

const userData = mkdtempSync(join(tmpdir(), 'vigil-electron-'));
afterAll(() => rmSync(userData, { recursive: true, force: true }));

describe('Electron shell wiring (fake electron module)', () => {
  it('main.ts registers the privileged app:// scheme, IPC from the contract, and a locked-down window', async () => {
    fake.app.userData = userData;
    fake.ipcMain.handlers.clear();
    await import('../../main/electron/main.js');
    expect(fake.protocol.privileged).toEqual([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    fake.app.readyResolve!();
    await vi.waitFor(() => expect(fake.FakeBrowserWindow.created.length).toBe(1));
    expect(fake.protocol.handlers.has('app')).toBe(true);
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual(channelNames.map(ipcChannel).sort());

    const win = fake.FakeBrowserWindow.created[0]!;
    expect(win.loadedUrl).toBe('app://vigil/index.html');
    const prefs = win.options['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(prefs['preload'])).toMatch(/preload\.cjs$/);

    // window.open is denied; http(s) links go to the system browser, others nowhere.
    expect(win.webContents.windowOpenHandler!({ url: 'https://prometheus.io/docs' })).toEqual({ action: 'deny' });
    expect(win.webContents.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(fake.shell.opened).toEqual(['https://prometheus.io/docs']);

    // Navigation away from the app is prevented; within it, allowed.
    const away = { preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', away, 'https://evil.example/');
    expect(away.preventDefault).toHaveBeenCalled();
    const inside = { preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', inside, 'app://vigil/index.html#/status');
    expect(inside.preventDefault).not.toHaveBeenCalled();

    // No permission is granted to the page.
    const granted = vi.fn();
    fake.session.defaultSession.permissionHandler!(null, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);

    // The engine keeps its data under userData, and answers through IPC.
    const reply = (await fake.ipcMain.handlers.get('vigil:status')!({ senderFrame: { url: 'app://vigil/', parent: null } }, {})) as {
      ok: boolean;
      value: { dataDir: string; shell: string };
    };
    expect(reply.ok).toBe(true);
    expect(reply.value.dataDir).toBe(join(userData, 'data'));
    expect(reply.value.shell).toBe('electron');
    fake.app.emit('will-quit', { preventDefault: () => {} });
  });

  it('window options follow the security checklist', () => {
    const win = createMainWindow(fake.FakeBrowserWindow as unknown as WindowFactory, '/p/preload.cjs', async () => {});
    const opts = (win as unknown as fake.FakeBrowserWindow).options as { webPreferences: Record<string, unknown> };
    expect(opts.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      allowRunningInsecureContent: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(isSafeExternal('javascript:alert(1)')).toBe(false);
    expect(isSafeExternal('http://127.0.0.1:9090/')).toBe(true);
  });

  it('the preload exposes exactly the contract functions, each bound to its channel', async () => {
    fake.contextBridge.exposed.clear();
    await import('../../main/electron/preload.js');
    const bridge = fake.contextBridge.exposed.get('vigil') as Record<string, (p: unknown) => Promise<unknown>>;
    expect([...fake.contextBridge.exposed.keys()]).toEqual(['vigil']);
    expect(Object.keys(bridge).sort()).toEqual([...channelNames, 'onEvent'].sort());
    await bridge['status']!({});
    expect(fake.ipcRenderer.calls).toEqual([['vigil:status', {}]]);
    expect(Object.isFrozen(bridge)).toBe(true);
    // Events reach the page as payloads only, and the listener can be removed.
    const got: unknown[] = [];
    const off = (bridge['onEvent'] as unknown as (l: (e: unknown) => void) => () => void)((e) => got.push(e));
    for (const h of fake.ipcRenderer.listeners.get('vigil:event') ?? []) h({ sender: 'secret' }, { type: 'alertsChanged' });
    expect(got).toEqual([{ type: 'alertsChanged' }]);
    off();
    expect(fake.ipcRenderer.listeners.get('vigil:event')).toEqual([]);
  });

  it('the app:// protocol serves the renderer with a CSP and refuses traversal and other hosts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-renderer-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'index.html'), '<html></html>');
    const handler = createAppProtocolHandler(dir);
    const ok = await handler(new Request('app://vigil/index.html'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect((await handler(new Request('app://other/index.html'))).status).toBe(404);
    expect((await handler(new Request('app://vigil/..%2f..%2fetc/passwd'))).status).toBe(404);
    rmSync(dir, { recursive: true, force: true });
  });
});
