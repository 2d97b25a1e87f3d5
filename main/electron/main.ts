// Electron entry point: a thin shell around the engine. It owns the window, the `app://`
// protocol, the IPC adapter and the data directory; everything else is the engine's.
import { app, BrowserWindow, dialog, ipcMain, Notification, protocol, shell, session } from 'electron';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine.js';
import { rendererDir } from '../paths.js';
import { createLogger } from '../util/log.js';
import { registerIpcHandlers } from './ipc.js';
import { appScheme } from './origin.js';
import { createAppProtocolHandler } from './protocol.js';
import { createMainWindow, isSafeExternal } from './window.js';
import { attachEngineEvents } from './notifications.js';
import { startMetricsServer } from '../api/metrics-server.js';
import { tuneGarbageCollector } from '../util/gc-tuning.js';
import { useSqliteBinding } from '../util/sqlite.js';
import { chooseSqliteBinding, unpackedFromAsar } from '../native-modules/electron-build.js';
import { checkNativeModules, currentRuntime, describeNativeFailure } from '../native-modules/check.js';

// Before the engine allocates; the engine runs in this process (main/util/gc-tuning.ts says why).
tuneGarbageCollector();

const log = createLogger('electron');
const preloadPath = join(fileURLToPath(new URL('.', import.meta.url)), 'preload.cjs');

/**
 * The app's one way out to the system browser: http(s) links the user clicked (the window's
 * handler only passes those; checked again here, next to the call Electronegativity flags).
 */
async function openLink(url: string): Promise<void> {
  if (isSafeExternal(url)) await shell.openExternal(url);
}

/**
 * Chooses Electron's build of each native module and loads it before the engine starts; when one
 * does not load, a native dialog says which, why and the command that fixes it (never a silent
 * exit or a blank window). The storage worker inherits the choice (main/util/sqlite.ts).
 */
function nativeModulesLoad(): boolean {
  const where = { isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appRoot: app.getAppPath() };
  useSqliteBinding(chooseSqliteBinding(process.versions.electron, where));
  const failures = checkNativeModules();
  if (failures.length === 0) return true;
  const { title, message } = describeNativeFailure(failures, currentRuntime(app.isPackaged));
  log.error(title, { detail: message });
  dialog.showErrorBox(title, message);
  return false;
}

protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let engine: Engine | null = null;
  let mainWindow: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app
    .whenReady()
    .then(async () => {
      // No permission (camera, notifications from the page, geolocation…) is ever granted to the page.
      session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
      protocol.handle(appScheme, createAppProtocolHandler(rendererDir));
      if (!nativeModulesLoad()) {
        app.exit(1);
        return;
      }
      engine = await Engine.start({
        dataDir: join(app.getPath('userData'), 'data'),
        shell: 'electron',
        logger: log.child('engine'),
        storageWorkerUrl: unpackedFromAsar(new URL('../tsdb/worker.js', import.meta.url), app.isPackaged),
        // `--dashboards=DIR` (several separated by the path delimiter): provisioned dashboard folders, as `vigil serve --dashboards`.
        dashboardDirs: app.commandLine
          .getSwitchValue('dashboards')
          .split(delimiter)
          .filter((d) => d !== '')
          .map((d) => resolve(d)),
      });
      // Vigil scrapes its own /metrics; the desktop app has no HTTP server, so a loopback
      // listener serves only that page.
      const metrics = await startMetricsServer(engine.metrics);
      await engine.startCollection({ selfAddress: metrics.address, externalURL: 'app://vigil/' });
      registerIpcHandlers(ipcMain, engine.api);
      attachEngineEvents((l) => engine!.events.subscribe(l), () => mainWindow, Notification);
      mainWindow = createMainWindow(BrowserWindow, preloadPath, openLink);
      mainWindow.on('closed', () => {
        mainWindow = null;
      });
    })
    .catch((err: unknown) => {
      log.error('failed to start', { error: String(err) });
      dialog.showErrorBox('Vigil could not start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (mainWindow === null && engine !== null) {
      mainWindow = createMainWindow(BrowserWindow, preloadPath, openLink);
    }
  });

  let stopping = false;
  app.on('will-quit', (event) => {
    if (engine === null || stopping) return;
    stopping = true;
    event.preventDefault();
    void engine.stop().finally(() => app.quit());
  });
}
