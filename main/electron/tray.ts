/**
 * The tray (menu bar on macOS) icon: how many alerts fire now, and a menu to open the window,
 * pause all notifications, start at login, and quit. The count is the engine's (the `alerts`
 * state of the rules); the shell only shows it.
 */
import type { MenuItemConstructorOptions, NativeImage, Tray as ElectronTray } from 'electron';
import type { EnergySetting } from '../../app/api/power.js';
import { trayIconDataUrl } from './tray-icon.js';

export interface TrayDeps {
  firingCount: () => number;
  open: () => void;
  quit: () => void;
  notificationsPaused: () => boolean;
  setNotificationsPaused: (paused: boolean) => void;
  startAtLogin: () => boolean;
  setStartAtLogin: (on: boolean) => void;
  energyMode: () => EnergySetting;
  setEnergyMode: (setting: EnergySetting) => void;
}

const energyChoices: ReadonlyArray<[EnergySetting, string]> = [
  ['auto', 'Energy mode: on battery'],
  ['on', 'Energy mode: always'],
  ['off', 'Energy mode: never'],
];

/** The parts of `electron` the tray needs, so tests can hand in the fake module. */
export interface TrayElectron {
  Tray: new (image: NativeImage) => ElectronTray;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): Electron.Menu };
  nativeImage: { createFromDataURL(url: string): NativeImage };
}

/** "3 alerts firing", "1 alert firing", "No alerts firing". */
export function firingText(n: number): string {
  return n === 0 ? 'No alerts firing' : `${n} alert${n === 1 ? '' : 's'} firing`;
}

export class VigilTray {
  private readonly tray: ElectronTray;
  private readonly menu: (template: MenuItemConstructorOptions[]) => void;

  constructor(
    e: TrayElectron,
    private readonly deps: TrayDeps,
  ) {
    const image = e.nativeImage.createFromDataURL(trayIconDataUrl);
    image.setTemplateImage(true);
    this.tray = new e.Tray(image);
    this.tray.on('click', () => deps.open());
    this.menu = (template) => this.tray.setContextMenu(e.Menu.buildFromTemplate(template));
    this.update();
  }

  /** Refreshes the count and the menu (after every alertsChanged event). */
  update(): void {
    const n = this.deps.firingCount();
    const d = this.deps;
    // The title shows beside the icon in the macOS menu bar; elsewhere the tooltip carries it.
    this.tray.setTitle(n === 0 ? '' : String(n));
    this.tray.setToolTip(`Vigil — ${firingText(n)}`);
    this.menu([
      { label: firingText(n), enabled: false },
      { type: 'separator' },
      { label: 'Open Vigil', click: () => d.open() },
      { label: 'Pause all notifications', type: 'checkbox', checked: d.notificationsPaused(), click: (item) => d.setNotificationsPaused(item.checked) },
      { label: 'Start at login', type: 'checkbox', checked: d.startAtLogin(), click: (item) => d.setStartAtLogin(item.checked) },
      { type: 'separator' },
      ...energyChoices.map(([setting, label]): MenuItemConstructorOptions => ({ label, type: 'radio', checked: d.energyMode() === setting, click: () => d.setEnergyMode(setting) })),
      { type: 'separator' },
      { label: 'Quit Vigil', click: () => d.quit() },
    ]);
  }

  destroy(): void {
    this.tray.destroy();
  }
}
