/**
 * Electron's powerMonitor fed into the engine (main/power/): suspend and resume (exact sleep
 * gaps), the power source (energy mode's automatic setting), and the OS shutting down or logging
 * out, when storage must be flushed before the process dies.
 */
import type { EventEmitter } from 'node:events';

/**
 * Electron's powerMonitor as an event emitter: its typings give the `shutdown` listener no
 * argument, but Electron passes an event whose preventDefault() delays the shutdown.
 */
export interface PowerMonitorLike extends EventEmitter {
  isOnBatteryPower(): boolean;
}

export interface EnginePower {
  suspend(): void;
  resume(): void;
  setOnBattery(onBattery: boolean): void;
}

export function attachPowerMonitor(pm: PowerMonitorLike, power: EnginePower, shutdown: () => void): void {
  pm.on('suspend', () => power.suspend());
  pm.on('resume', () => power.resume());
  pm.on('on-battery', () => power.setOnBattery(true));
  pm.on('on-ac', () => power.setOnBattery(false));
  // Linux and macOS: delaying the shutdown lets the engine stop (flush storage) before quitting.
  pm.on('shutdown', (event: { preventDefault(): void }) => {
    event.preventDefault();
    shutdown();
  });
  power.setOnBattery(pm.isOnBatteryPower());
}
