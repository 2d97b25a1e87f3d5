/**
 * Energy mode: on battery (or when set by hand) scrape and rule intervals are stretched by a
 * factor and heavy background work waits, so the laptop wakes up less. The desktop shell reports
 * the power source from Electron's powerMonitor; headless on Linux it is read from
 * /sys/class/power_supply (a mains supply that is offline, or else a battery discharging).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnergySetting } from '../../app/api/power.js';

const defaultEnergyFactor = 4;

export class EnergyMode {
  private onBattery: boolean | null = null;
  private readonly listeners: Array<(active: boolean) => void> = [];

  constructor(
    private setting: EnergySetting = 'auto',
    readonly factor = defaultEnergyFactor,
  ) {
    if (!(factor >= 1)) throw new Error(`energy mode factor must be at least 1, got ${factor}`);
  }

  get active(): boolean {
    return this.setting === 'on' || (this.setting === 'auto' && this.onBattery === true);
  }

  /** What scrape and rule intervals are multiplied by now. */
  scale(): number {
    return this.active ? this.factor : 1;
  }

  set(setting: EnergySetting): void {
    this.change(() => (this.setting = setting));
  }

  /** The power source changed (shell event or a read of /sys); null: cannot be told. */
  setOnBattery(onBattery: boolean | null): void {
    this.change(() => (this.onBattery = onBattery));
  }

  onChange(listener: (active: boolean) => void): void {
    this.listeners.push(listener);
  }

  state(): { setting: EnergySetting; onBattery: boolean | null; active: boolean; factor: number } {
    return { setting: this.setting, onBattery: this.onBattery, active: this.active, factor: this.factor };
  }

  /** Listeners hear of every change of the setting or of whether the mode is active. */
  private change(f: () => void): void {
    const before = { setting: this.setting, active: this.active };
    f();
    if (this.active !== before.active || this.setting !== before.setting) for (const l of this.listeners) l(this.active);
  }
}

const readText = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
};

/**
 * Linux: true on battery, false on mains, null when there is no power supply information (a
 * desktop, a container, another OS). Read at each sleep-watch check: a few tiny sysfs files.
 */
export function linuxOnBattery(dir = '/sys/class/power_supply'): boolean | null {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  let mains: boolean | null = null;
  let discharging = false;
  for (const name of names) {
    const type = readText(join(dir, name, 'type'));
    if (type === 'Mains') mains = (mains ?? false) || readText(join(dir, name, 'online')) === '1';
    else if (type === 'Battery' && readText(join(dir, name, 'status')) === 'Discharging') discharging = true;
  }
  if (mains !== null) return !mains;
  return discharging ? true : null;
}
