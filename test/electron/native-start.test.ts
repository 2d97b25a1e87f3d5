import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as fake from './fake-electron.js';

vi.mock('electron', async () => await import('./fake-electron.js'));

const root = mkdtempSync(join(tmpdir(), 'vigil-electron-native-'));
afterAll(() => {
  delete (process.versions as Record<string, string | undefined>)['electron'];
  rmSync(root, { recursive: true, force: true });
});

describe('Electron shell: the first-run check of native modules (fake electron module)', () => {
  it('with no Electron build of better-sqlite3, a native dialog says which module, why and the fix, and no engine or window starts', async () => {
    // As under a real Electron: the shell then loads native/electron/better_sqlite3.node of the
    // checkout, which this fresh "checkout" does not have.
    Object.defineProperty(process.versions, 'electron', { value: '40.8.5', configurable: true, enumerable: true });
    fake.app.userData = join(root, 'userData');
    fake.app.appPath = root;
    await import('../../main/electron/main.js');
    fake.app.readyResolve!();
    await vi.waitFor(() => expect(fake.dialog.errors).toHaveLength(1));
    const { title, content } = fake.dialog.errors[0]!;
    expect(title).toBe('Vigil cannot start: the native module better-sqlite3 does not load');
    expect(content).toContain(`there is no build of better-sqlite3 for Electron 40.8.5 (NODE_MODULE_VERSION ${process.versions.modules}, ${process.platform}-${process.arch}) at ${join(root, 'native', 'electron', 'better_sqlite3.node')}`);
    expect(content).toContain('Fix: Run `npm run prepare:electron` in the Vigil folder');
    await vi.waitFor(() => expect(fake.app.exitCode).toBe(1));
    expect(fake.FakeBrowserWindow.created).toHaveLength(0);
    expect(fake.ipcMain.handlers.size).toBe(0);
  });
});
