import type { BrowserWindow, BrowserWindowConstructorOptions, HandlerDetails, WebContents } from 'electron';
import { appEntryUrl, isAppUrl } from './origin.js';

/** The security settings of Electron's checklist; tested so they cannot regress silently. */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
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
    },
  };
}

/**
 * Denies every new window and every navigation away from the app. Links to http(s) pages that
 * the user clicked open in the system browser through `openExternal`; nothing else does.
 */
export function lockDownContents(contents: WebContents, openExternal: (url: string) => Promise<void>): void {
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

export type WindowFactory = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

export function createMainWindow(
  Factory: WindowFactory,
  preloadPath: string,
  openExternal: (url: string) => Promise<void>,
): BrowserWindow {
  const win = new Factory(mainWindowOptions(preloadPath));
  lockDownContents(win.webContents, openExternal);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(appEntryUrl);
  return win;
}
