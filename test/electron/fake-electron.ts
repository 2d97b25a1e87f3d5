// A stand-in for the `electron` module: records what the shell registers so tests can inspect
// and drive it. The Electron binary cannot be downloaded on the build machines.
import { EventEmitter } from 'node:events';

type Handler = (event: unknown, payload: unknown) => Promise<unknown>;

class FakeWebContents extends EventEmitter {
  sent: Array<[string, unknown]> = [];
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  mainFrame = { url: 'app://vigil/index.html', parent: null };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
  }
  show(): void {}
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {}
}

class FakeApp extends EventEmitter {
  userData = '';
  appPath = '';
  isPackaged = false;
  readyResolve: (() => void) | null = null;
  private ready = new Promise<void>((r) => (this.readyResolve = r));
  exitCode: number | null = null;
  requestSingleInstanceLock(): boolean {
    return true;
  }
  /** Command-line switches (`--dashboards=DIR`); none given in these tests. */
  commandLine = { getSwitchValue: (_name: string): string => '' };
  whenReady(): Promise<void> {
    return this.ready;
  }
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`unexpected getPath(${name})`);
    return this.userData;
  }
  getAppPath(): string {
    return this.appPath;
  }
  quit(): void {}
  exit(code: number): void {
    this.exitCode = code;
  }
}

export const app = new FakeApp();
/** @public — what `import { BrowserWindow } from 'electron'` receives under vi.mock. */
export const BrowserWindow = FakeBrowserWindow;

export const ipcMain = {
  handlers: new Map<string, Handler>(),
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
};

export const protocol = {
  privileged: [] as Array<{ scheme: string; privileges: Record<string, boolean> }>,
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>): void {
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
    this.handlers.set(scheme, handler);
  },
};

export const shell = {
  opened: [] as string[],
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  },
};

export const session = {
  defaultSession: {
    permissionHandler: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
    setPermissionRequestHandler(h: (wc: unknown, permission: string, cb: (ok: boolean) => void) => void): void {
      this.permissionHandler = h;
    },
  },
};

export const dialog = {
  errors: [] as Array<{ title: string; content: string }>,
  showErrorBox(title: string, content: string): void {
    this.errors.push({ title, content });
  },
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, value: unknown): void {
    this.exposed.set(key, value);
  },
};

export class Notification {
  static shown: Notification[] = [];
  static isSupported(): boolean {
    return true;
  }
  private clickHandler: (() => void) | null = null;
  constructor(readonly options: { title?: string; body?: string }) {}
  on(_event: 'click', listener: () => void): this {
    this.clickHandler = listener;
    return this;
  }
  show(): void {
    Notification.shown.push(this);
  }
  click(): void {
    this.clickHandler?.();
  }
}

export const ipcRenderer = {
  listeners: new Map<string, Array<(event: unknown, payload: unknown) => void>>(),
  on(channel: string, handler: (event: unknown, payload: unknown) => void): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), handler]);
  },
  removeListener(channel: string, handler: (event: unknown, payload: unknown) => void): void {
    this.listeners.set(channel, (this.listeners.get(channel) ?? []).filter((h) => h !== handler));
  },
  calls: [] as Array<[string, unknown]>,
  async invoke(channel: string, payload: unknown): Promise<unknown> {
    this.calls.push([channel, payload]);
    return { ok: true, value: null };
  },
};

export default { app, BrowserWindow, dialog, ipcMain, protocol, shell, session, contextBridge, ipcRenderer, Notification };
