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
  shown = 0;
  focused = 0;
  maximized = false;
  bounds = { x: 10, y: 20, width: 1400, height: 900 };
  show(): void {
    this.shown++;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {
    this.focused++;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  getNormalBounds(): { x: number; y: number; width: number; height: number } {
    return this.bounds;
  }
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
  /** Command-line switches (`--dashboards=DIR`, `--memory-budget=SIZE`, `--js-flags=…`): none unless a test sets them. */
  switches = new Map<string, string>();
  commandLine = {
    getSwitchValue: (name: string): string => this.switches.get(name) ?? '',
    hasSwitch: (name: string): boolean => this.switches.has(name),
  };
  /** `app.relaunch()` calls: the arguments each asked for. */
  relaunches: Array<{ args: string[] }> = [];
  relaunch(options: { args: string[] }): void {
    this.relaunches.push(options);
  }
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
  quits = 0;
  quit(): void {
    this.quits++;
  }
  exit(code: number): void {
    this.exitCode = code;
  }
  protocolClients: Array<{ scheme: string; args: string[] }> = [];
  setAsDefaultProtocolClient(scheme: string, _path?: string, args: string[] = []): boolean {
    this.protocolClients.push({ scheme, args });
    return true;
  }
  loginItemSettings = { openAtLogin: false };
  setLoginItemSettings(settings: { openAtLogin: boolean }): void {
    this.loginItemSettings = { ...settings };
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

export interface FakeMenuItem {
  label?: string;
  type?: string;
  checked?: boolean;
  enabled?: boolean;
  click?: (item: { checked: boolean }) => void;
}

/** @public — `Menu` under vi.mock. */
export const Menu = {
  buildFromTemplate(template: FakeMenuItem[]): { items: FakeMenuItem[] } {
    return { items: template };
  },
};

/** @public — `nativeImage` under vi.mock. */
export const nativeImage = {
  createFromDataURL(url: string): { url: string; template: boolean; setTemplateImage(on: boolean): void } {
    return {
      url,
      template: false,
      setTemplateImage(on: boolean) {
        this.template = on;
      },
    };
  },
};

export class Tray extends EventEmitter {
  static created: Tray[] = [];
  title = '';
  tooltip = '';
  menu: { items: FakeMenuItem[] } | null = null;
  destroyed = false;
  constructor(readonly image: { url: string; template: boolean }) {
    super();
    Tray.created.push(this);
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: { items: FakeMenuItem[] }): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Clicks the menu item with this label, as the user would (a checkbox flips first). */
  clickItem(label: string): void {
    const item = this.menu?.items.find((i) => i.label === label);
    if (!item?.click) throw new Error(`no menu item "${label}"`);
    const checked = item.type === 'checkbox' ? !item.checked : Boolean(item.checked);
    item.click({ checked });
  }
}

class FakePowerMonitor extends EventEmitter {
  onBattery = false;
  isOnBatteryPower(): boolean {
    return this.onBattery;
  }
}

export const powerMonitor = new FakePowerMonitor();

/** @public — `screen` under vi.mock. */
export const screen = {
  displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
  getAllDisplays(): Array<{ workArea: { x: number; y: number; width: number; height: number } }> {
    return this.displays;
  },
};

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

/**
 * A stand-in for safeStorage: "encrypts" by reversing the bytes and XOR-ing them (enough to see
 * that the stored text is not the secret); `available` and `backend` play the OS's answers.
 */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret',
  isEncryptionAvailable(): boolean {
    return this.available;
  },
  getSelectedStorageBackend(): string {
    return this.backend;
  },
  encryptString(plain: string): Buffer {
    if (!this.available) throw new Error('Encryption is not available.');
    return Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a).reverse());
  },
  decryptString(sealed: Buffer): string {
    if (!this.available) throw new Error('Decryption is not available.');
    return Buffer.from(Buffer.from(sealed).reverse().map((b) => b ^ 0x5a)).toString('utf8');
  },
};

export default { app, safeStorage, BrowserWindow, dialog, ipcMain, protocol, shell, session, contextBridge, ipcRenderer, Notification, Menu, nativeImage, Tray, powerMonitor, screen };
