// Electron entry point: a thin shell around the engine. It owns the window, the `app://`
// protocol, the IPC adapter and the data directory; everything else is the engine's.
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, powerMonitor, protocol, safeStorage, screen, shell, session, Tray } from 'electron';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine.js';
import { rendererDir } from '../paths.js';
import { createLogger } from '../util/log.js';
import { registerIpcHandlers } from './ipc.js';
import { appScheme } from './origin.js';
import { createAppProtocolHandler } from './protocol.js';
import { safeStorageSealer } from './secret-sealer.js';
import { createMainWindow, isSafeExternal, showRoute } from './window.js';
import { attachEngineEvents } from './notifications.js';
import { attachPowerMonitor } from './power-events.js';
import { ShellSettingsFile, visibleBounds } from './shell-settings.js';
import { VigilTray } from './tray.js';
import { appHash, deepLinkScheme, parseDeepLink } from '../../app/app-urls.js';
import { startMetricsServer } from '../api/metrics-server.js';
import { tuneGarbageCollector } from '../util/gc-tuning.js';
import { useSqliteBinding } from '../util/sqlite.js';
import { chooseSqliteBinding, unpackedFromAsar } from '../native-modules/electron-build.js';
import { checkNativeModules, currentRuntime, describeNativeFailure } from '../native-modules/check.js';
import { chooseBudget, relaunchForHeapLimit } from './memory-budget.js';

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

/** The `vigil://` link among a process's arguments (Windows and Linux pass deep links this way). */
function deepLinkIn(argv: readonly string[]): string | null {
  return argv.find((a) => a.toLowerCase().startsWith(`${deepLinkScheme}://`)) ?? null;
}

/** The app hash a deep link opens, or null (logged) when it names no page. */
function linkedHash(link: string | null): string | null {
  if (link === null) return null;
  const route = parseDeepLink(link);
  if (route === null) log.warn('ignored a vigil:// link that names no page', { link });
  return route === null ? null : appHash(route);
}

// One Vigil per user: a second start (a deep link clicked, the launcher again) hands its
// arguments to the first instance and exits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else if (relaunchForHeapLimit(app, chooseBudget(app, new ShellSettingsFile(app.getPath('userData')).get().memoryBudgetBytes, () => {}).bytes, process.argv)) {
  // Exiting: the app starts again with V8's heap limit for the memory budget (memory-budget.ts).
} else {
  let engine: Engine | null = null;
  let mainWindow: BrowserWindow | null = null;
  let tray: VigilTray | null = null;
  let settings: ShellSettingsFile | null = null;
  /** A link that arrived before the engine was up: the first window opens on it. */
  let pendingHash = linkedHash(deepLinkIn(process.argv));

  // Links from outside are input: parseDeepLink turns one into a known route or it is ignored;
  // nothing is loaded from it, the window only navigates its own hash. Unpackaged (`electron .`),
  // the OS must start Electron with the app's path.
  app.setAsDefaultProtocolClient(deepLinkScheme, app.isPackaged ? undefined : process.execPath, app.isPackaged ? [] : [resolve(process.argv[1] ?? '.')]);

  const openWindow = (): BrowserWindow | null => {
    if (engine === null || settings === null) return null;
    if (mainWindow !== null) return mainWindow;
    const saved = settings.get().window;
    const bounds = visibleBounds(saved?.bounds, screen.getAllDisplays().map((d) => d.workArea));
    const hash = pendingHash;
    pendingHash = null;
    const win = createMainWindow(BrowserWindow, preloadPath, openLink, {
      ...(bounds ? { bounds } : {}),
      maximized: saved?.maximized ?? false,
      ...(hash !== null ? { hash } : {}),
    });
    const store = settings;
    win.on('close', () => store.update({ window: { bounds: win.getNormalBounds(), maximized: win.isMaximized() } }));
    win.on('closed', () => {
      mainWindow = null;
    });
    mainWindow = win;
    return win;
  };

  const focusWindow = (): void => {
    const win = openWindow();
    if (win === null) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };

  const openHash = (hash: string | null): void => {
    if (hash === null) return;
    if (mainWindow === null) {
      pendingHash = hash;
      openWindow();
    } else showRoute(mainWindow, hash);
  };

  app.on('second-instance', (_event, argv) => {
    const hash = linkedHash(deepLinkIn(argv));
    const win = openWindow();
    if (win === null) {
      pendingHash = hash ?? pendingHash;
      return;
    }
    if (hash !== null) showRoute(win, hash);
    else focusWindow();
  });

  // macOS hands deep links to the running app as an event.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openHash(linkedHash(url));
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
      const store = new ShellSettingsFile(app.getPath('userData'), (m) => log.warn(m));
      settings = store;
      const budget = chooseBudget(app, store.get().memoryBudgetBytes, (m) => log.warn(m));
      // Remote data sources' passwords and tokens sealed by the OS keychain (main/electron/secret-sealer.ts).
      const sealing = safeStorageSealer(safeStorage);
      if (sealing.sealer === null) log.warn(`remote source secrets are stored in clear (file mode 0600): ${sealing.reason}`);
      engine = await Engine.start({
        memoryBudgetBytes: budget.bytes,
        memoryBudgetSource: budget.source,
        dataDir: join(app.getPath('userData'), 'data'),
        secretSealer: sealing.sealer,
        energy: { setting: store.get().energyMode },
        shell: 'electron',
        logger: log.child('engine'),
        storageWorkerUrl: unpackedFromAsar(new URL('../tsdb/worker.js', import.meta.url), app.isPackaged),
        probeWorkerUrl: unpackedFromAsar(new URL('../probe/pool-worker.js', import.meta.url), app.isPackaged),
        queryWorkerUrl: unpackedFromAsar(new URL('../tsdb/query-worker.js', import.meta.url), app.isPackaged),
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
      attachEngineEvents((l) => engine!.events.subscribe(l), () => mainWindow, Notification, () => store.get().notificationsPaused);
      attachPowerMonitor(powerMonitor, engine.power, quitAfterFlush);
      const running = engine;
      tray = new VigilTray({ Tray, Menu, nativeImage }, {
        firingCount: () => running.alertingRuntime?.firing().length ?? 0,
        open: focusWindow,
        quit: () => app.quit(),
        notificationsPaused: () => store.get().notificationsPaused,
        setNotificationsPaused: (paused) => store.update({ notificationsPaused: paused }),
        startAtLogin: () => store.get().startAtLogin,
        setStartAtLogin: (on) => {
          store.update({ startAtLogin: on });
          app.setLoginItemSettings({ openAtLogin: on });
        },
        energyMode: () => running.power.energy.state().setting,
        setEnergyMode: (setting) => {
          store.update({ energyMode: setting });
          running.power.setEnergy(setting);
        },
      });
      running.events.subscribe((e) => {
        if (e.type === 'alertsChanged') tray?.update();
        if (e.type === 'powerChanged') {
          // Energy mode may also be set through the contract (setEnergyMode): keep it for the next start.
          const setting = running.power.energy.state().setting;
          if (store.get().energyMode !== setting) store.update({ energyMode: setting });
          tray?.update();
        }
        if (e.type === 'memoryBudgetChanged') {
          // Set on the Status page: kept for the next start, which also sets V8's heap limit from it.
          store.update({ memoryBudgetBytes: running.memory.budgetBytes });
        }
      });
      openWindow();
    })
    .catch((err: unknown) => {
      log.error('failed to start', { error: String(err) });
      dialog.showErrorBox('Vigil could not start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    });

  // Closing the window keeps Vigil watching from the tray; "Quit Vigil" (or the OS) ends it.
  app.on('window-all-closed', () => {
    if (tray === null) app.quit();
  });

  app.on('activate', () => {
    openWindow();
  });

  /**
   * Stops the engine once (storage flushed and closed), then lets the quit go on: on quit, on
   * OS logout or shutdown (powerMonitor), and when the last window closes without a tray.
   */
  let stopping: Promise<void> | null = null;
  function stopEngine(): Promise<void> {
    stopping ??= (engine?.stop() ?? Promise.resolve())
      .catch((err: unknown) => log.error('stopping the engine failed', { error: String(err) }))
      .finally(() => {
        engine = null;
        tray?.destroy();
        tray = null;
      });
    return stopping;
  }
  function quitAfterFlush(): void {
    void stopEngine().then(() => app.quit());
  }
  const holdQuit = (event: { preventDefault(): void }): void => {
    if (engine === null) return;
    event.preventDefault();
    quitAfterFlush();
  };
  app.on('before-quit', holdQuit);
  app.on('will-quit', holdQuit);
}
