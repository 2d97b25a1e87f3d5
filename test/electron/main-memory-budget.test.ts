import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as fake from './fake-electron.js';

vi.mock('electron', async () => await import('./fake-electron.js'));

const dir = mkdtempSync(join(tmpdir(), 'vigil-electron-budget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Electron shell start with a memory budget (fake electron module)', () => {
  it('main.ts relaunches the app with the heap limit from the saved budget before starting anything', async () => {
    writeFileSync(join(dir, 'shell-settings.json'), JSON.stringify({ version: 1, window: null, startAtLogin: false, notificationsPaused: false, memoryBudgetBytes: 512 * 1024 * 1024 }));
    fake.app.userData = dir;
    await import('../../main/electron/main.js');
    expect(fake.app.relaunches).toHaveLength(1);
    expect(fake.app.relaunches[0]!.args).toContain('--js-flags=--max-old-space-size=307');
    expect(fake.app.exitCode).toBe(0);
    // Nothing else ran: no IPC handlers, no window.
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(fake.FakeBrowserWindow.created).toHaveLength(0);
  });
});
