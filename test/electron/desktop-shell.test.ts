// The desktop shell's life on a laptop, through the fake `electron` module: the tray and its
// menu, single instance with deep links, window state, start at login, power events fed to the
// engine, and a clean shutdown that stops (flushes) the engine before the app quits.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { deepLink, exploreQuery, parseDeepLink } from '../../app/app-urls.js';
import { EngineEvents } from '../../main/events.js';
import { attachEngineEvents } from '../../main/electron/notifications.js';
import { ShellSettingsFile, visibleBounds } from '../../main/electron/shell-settings.js';
import { VigilTray, firingText, type TrayElectron } from '../../main/electron/tray.js';
import { createMainWindow, type WindowFactory } from '../../main/electron/window.js';
import * as fake from './fake-electron.js';

vi.mock('electron', async () => await import('./fake-electron.js'));

const userData = mkdtempSync(join(tmpdir(), 'vigil-desktop-'));
afterAll(() => rmSync(userData, { recursive: true, force: true }));

const from = { senderFrame: { url: 'app://vigil/', parent: null } };
const call = async <T>(channel: string, payload: unknown = {}): Promise<{ ok: boolean; value: T }> =>
  (await fake.ipcMain.handlers.get(`vigil:${channel}`)!(from, payload)) as { ok: boolean; value: T };
const settingsFile = () => JSON.parse(readFileSync(join(userData, 'shell-settings.json'), 'utf8')) as Record<string, unknown>;

interface PowerReply {
  energy: { onBattery: boolean | null; active: boolean };
  gaps: Array<{ source: string }>;
}

describe('deep links', () => {
  it('round-trip a route through vigil:// and refuse links that name no page', () => {
    const route = exploreQuery('rate(http_requests_total[5m])');
    const link = deepLink(route);
    expect(link.startsWith('vigil://explore?')).toBe(true);
    expect(parseDeepLink(link)).toEqual(route);
    expect(parseDeepLink('vigil://alerts/?alert=abc')).toEqual({ page: 'alerts', alert: 'abc' });
    expect(parseDeepLink('vigil://open/#/alerts?alert=abc')).toEqual({ page: 'alerts', alert: 'abc' });
    expect(parseDeepLink('vigil://nowhere')).toBeNull();
    expect(parseDeepLink('https://alerts?alert=abc')).toBeNull();
  });
});

describe('the desktop shell on a laptop (fake electron module)', () => {
  it('starts on the linked route, with a tray, power events and a clean shutdown', async () => {
    fake.app.userData = userData;
    fake.ipcMain.handlers.clear();
    // Where the window was, and a link the OS started the app with.
    writeFileSync(
      join(userData, 'shell-settings.json'),
      JSON.stringify({ version: 1, window: { bounds: { x: 100, y: 80, width: 1200, height: 800 }, maximized: true }, startAtLogin: false, notificationsPaused: false }),
    );
    const argv = process.argv;
    process.argv = [...argv, 'vigil://alerts?alert=f00d'];
    try {
      await import('../../main/electron/main.js');
    } finally {
      process.argv = argv;
    }
    expect(fake.app.protocolClients.map((c) => c.scheme)).toEqual(['vigil']);
    fake.app.readyResolve!();
    await vi.waitFor(() => expect(fake.FakeBrowserWindow.created.length).toBe(1), { timeout: 20_000 });
    const win = fake.FakeBrowserWindow.created[0]!;
    expect(win.loadedUrl).toBe('app://vigil/index.html#/alerts?alert=f00d');
    expect(win.options).toMatchObject({ x: 100, y: 80, width: 1200, height: 800 });
    win.emit('ready-to-show');
    expect(win.maximized).toBe(true);

    // A remote source's password is sealed by safeStorage before it reaches the disk.
    const saved = await call<{ uid: string; auth: { hasSecret: boolean } }>('saveRemoteSource', { name: 'Mimir', kind: 'mimir', url: 'http://127.0.0.1:9', auth: { kind: 'basic', username: 'me', password: 'desk-pa55' } });
    expect(saved.value.auth.hasSecret).toBe(true);
    const sources = new Database(join(userData, 'data', 'remote-sources.sqlite'), { readonly: true });
    const row = sources.prepare('SELECT secret, secret_sealer FROM remote_sources WHERE uid = ?').get(saved.value.uid) as { secret: string; secret_sealer: string };
    sources.close();
    expect(row.secret_sealer).toBe('electron-safeStorage');
    expect(row.secret).not.toContain('desk-pa55');
    expect(fake.safeStorage.decryptString(Buffer.from(row.secret, 'base64'))).toBe('desk-pa55');

    // The tray: the count, and a menu.
    const tray = fake.Tray.created[0]!;
    expect(tray.image.template).toBe(true);
    expect(tray.tooltip).toBe('Vigil — No alerts firing');
    expect(tray.menu!.items.map((i) => i.label).filter(Boolean)).toEqual([
      'No alerts firing',
      'Open Vigil',
      'Pause all notifications',
      'Start at login',
      'Energy mode: on battery',
      'Energy mode: always',
      'Energy mode: never',
      'Quit Vigil',
    ]);
    // Energy mode from the tray reaches the engine and is kept for the next start.
    tray.clickItem('Energy mode: always');
    expect((await call<PowerReply>('power')).value.energy).toMatchObject({ active: true });
    expect(settingsFile()['energyMode']).toBe('on');
    expect(tray.menu!.items.find((i) => i.label === 'Energy mode: always')?.checked).toBe(true);
    tray.clickItem('Energy mode: on battery');
    expect(settingsFile()['energyMode']).toBe('auto');
    expect(fake.app.loginItemSettings.openAtLogin).toBe(false);
    tray.clickItem('Start at login');
    expect(fake.app.loginItemSettings.openAtLogin).toBe(true);
    expect(settingsFile()['startAtLogin']).toBe(true);
    tray.clickItem('Pause all notifications');
    expect(settingsFile()['notificationsPaused']).toBe(true);
    win.webContents.sent.length = 0;

    // A second start with a deep link: the running window shows it.
    const focused = win.focused;
    fake.app.emit('second-instance', {}, ['/usr/bin/vigil', 'vigil://explore?q0=up'], '/');
    expect(win.focused).toBe(focused + 1);
    expect(win.webContents.sent.at(-1)).toEqual(['vigil:event', { type: 'navigate', hash: expect.stringMatching(/^#\/explore\?q0=up&/) }]);
    fake.app.emit('second-instance', {}, ['/usr/bin/vigil', 'vigil://nowhere'], '/');
    expect(win.webContents.sent).toHaveLength(1);

    // Power events reach the engine: battery turns energy mode on (auto); a suspend and resume is a gap.
    fake.powerMonitor.emit('on-battery');
    const onBattery = await call<PowerReply>('power');
    expect(onBattery.value.energy).toMatchObject({ onBattery: true, active: true });
    fake.powerMonitor.emit('on-ac');
    expect((await call<PowerReply>('power')).value.energy).toMatchObject({ onBattery: false, active: false });
    fake.powerMonitor.emit('suspend');
    await new Promise((r) => setTimeout(r, 20));
    fake.powerMonitor.emit('resume');
    expect((await call<PowerReply>('power')).value.gaps).toEqual([expect.objectContaining({ source: 'shell' })]);

    // Closing the window keeps its place and keeps Vigil in the tray.
    win.bounds = { x: 5, y: 6, width: 1000, height: 700 };
    win.emit('close');
    win.emit('closed');
    fake.app.emit('window-all-closed');
    expect(fake.app.quits).toBe(0);
    expect(settingsFile()['window']).toEqual({ bounds: { x: 5, y: 6, width: 1000, height: 700 }, maximized: true });

    // The OS shuts down: the shutdown is delayed until the engine stopped, then the app quits.
    const shutdown = { preventDefault: vi.fn() };
    fake.powerMonitor.emit('shutdown', shutdown);
    expect(shutdown.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(fake.app.quits).toBe(1), { timeout: 20_000 });
    expect(tray.destroyed).toBe(true);
    const after = await call<unknown>('status');
    expect(after.ok).toBe(false);
    // The quit that follows passes straight through.
    const quit = { preventDefault: vi.fn() };
    fake.app.emit('before-quit', quit);
    expect(quit.preventDefault).not.toHaveBeenCalled();
  }, 40_000);

  it('the tray shows the firing count, and paused notifications are not shown', () => {
    let n = 3;
    const t = new VigilTray(fake as unknown as TrayElectron, {
      firingCount: () => n,
      open: () => {},
      quit: () => {},
      notificationsPaused: () => false,
      setNotificationsPaused: () => {},
      startAtLogin: () => false,
      setStartAtLogin: () => {},
      energyMode: () => 'auto',
      setEnergyMode: () => {},
    });
    const tray = fake.Tray.created.at(-1)!;
    expect(tray.title).toBe('3');
    expect(tray.tooltip).toBe('Vigil — 3 alerts firing');
    n = 1;
    t.update();
    expect(tray.menu!.items[0]!.label).toBe('1 alert firing');
    expect(firingText(0)).toBe('No alerts firing');

    const events = new EngineEvents();
    const win = new fake.FakeBrowserWindow({});
    let paused = true;
    type Win = Parameters<typeof attachEngineEvents>[1] extends () => infer W ? W : never;
    attachEngineEvents((l) => events.subscribe(l), () => win as unknown as Win, fake.Notification, () => paused);
    const before = fake.Notification.shown.length;
    const note = { type: 'notification', id: 'n', title: 'Down', body: '', severity: 'critical', alertFingerprint: null, drill: false } as const;
    events.emit(note);
    expect(fake.Notification.shown.length).toBe(before);
    expect(win.webContents.sent).toHaveLength(1); // the page still hears of it (the inbox)
    paused = false;
    events.emit(note);
    expect(fake.Notification.shown.length).toBe(before + 1);
  });

  it('window state: restored only where a display shows it; a damaged settings file means the defaults', () => {
    const areas = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(visibleBounds({ x: 100, y: 100, width: 800, height: 600 }, areas)).toEqual({ x: 100, y: 100, width: 800, height: 600 });
    expect(visibleBounds({ x: 3000, y: 100, width: 800, height: 600 }, areas)).toBeUndefined();
    expect(visibleBounds(undefined, areas)).toBeUndefined();
    const win = createMainWindow(fake.FakeBrowserWindow as unknown as WindowFactory, '/p.cjs', async () => {}, { bounds: { x: 1, y: 2, width: 1000, height: 700 } });
    expect((win as unknown as fake.FakeBrowserWindow).options).toMatchObject({ x: 1, y: 2, width: 1000, height: 700 });

    const dir = mkdtempSync(join(tmpdir(), 'vigil-settings-'));
    try {
      writeFileSync(join(dir, 'shell-settings.json'), '{"version": 1, "startAtLogin": "yes"');
      const warnings: string[] = [];
      const s = new ShellSettingsFile(dir, (m) => warnings.push(m));
      expect(s.get()).toEqual({ version: 1, window: null, startAtLogin: false, notificationsPaused: false, energyMode: 'auto', memoryBudgetBytes: null });
      expect(warnings[0]).toMatch(/shell-settings\.json: .*JSON/);
      s.update({ startAtLogin: true, memoryBudgetBytes: 300 * 1024 * 1024 });
      expect(new ShellSettingsFile(dir).get()).toMatchObject({ startAtLogin: true, memoryBudgetBytes: 300 * 1024 * 1024 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
