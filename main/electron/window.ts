import type { BrowserWindow as ElectronWindow, BrowserWindowConstructorOptions, HandlerDetails, WebContents } from 'electron';
import { ipcEventChannel, type EngineEvent } from '../../app/api/events.js';
import { appEntryUrl, isAppUrl } from './origin.js';
import type { Bounds } from './shell-settings.js';

/**
 * Denies every new window and every navigation away from the app. Links to http(s) pages that
 * the user clicked open in the system browser through `openExternal`; nothing else does.
 */
function lockDownContents(contents: WebContents, openExternal: (url: string) => Promise<void>): void {
  contents.setWindowOpenHandler((details: HandlerDetails) => {
    if (isSafeExternal(details.url)) void openExternal(details.url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function isSafeExternal(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

export type WindowFactory = new (options: BrowserWindowConstructorOptions) => ElectronWindow;

/** Where the window was last time (shell-settings.ts); absent: centred at the default size. */
export interface WindowPlacement {
  bounds?: Bounds;
  maximized?: boolean;
  /** The route to open first (`#/alerts?alert=…`, from a deep link that started the app). */
  hash?: string;
}

export function createMainWindow(
  BrowserWindow: WindowFactory,
  preloadPath: string,
  openExternal: (url: string) => Promise<void>,
  placement: WindowPlacement = {},
): ElectronWindow {
  // The security settings of Electron's checklist, written out at the `new BrowserWindow` so
  // Electronegativity's checks read them (test/electron/electronegativity.test.ts); shell.test.ts
  // checks the same options through the fake electron module.
  const win = new BrowserWindow({
    width: placement.bounds?.width ?? 1400,
    height: placement.bounds?.height ?? 900,
    ...(placement.bounds ? { x: placement.bounds.x, y: placement.bounds.y } : {}),
    minWidth: 900,
    minHeight: 600,
    title: 'Vigil',
    show: false,
    backgroundColor: '#0f1419',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      // A middle click must not open a link outside the window-open handler.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  lockDownContents(win.webContents, openExternal);
  win.once('ready-to-show', () => {
    if (placement.maximized === true) win.maximize();
    win.show();
  });
  void win.loadURL(placement.hash !== undefined ? `${appEntryUrl}${placement.hash}` : appEntryUrl);
  return win;
}

/** Brings the window forward and shows a route (`#/alerts?alert=…`): notification clicks, deep links. */
export function showRoute(win: ElectronWindow, hash: string): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
  win.webContents.send(ipcEventChannel, { type: 'navigate', hash } satisfies EngineEvent);
}
