/** node_exporter's powersupplyclass collector on Linux: /sys/class/power_supply/<name>/<attribute> (µV, µA, µWh, µW; temp in tenths of °C). */
import { join } from 'node:path';
import type { Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { NoDataError } from '../collector.js';
import { powerSupplyFamilies, type PowerSupply } from '../power-supply-families.js';
import { listOptional, readAttr, sys } from './sources.js';

/** sysfs file → [metric suffix, divisor]. */
const numeric: Record<string, [string, number]> = {
  authentic: ['authentic', 1],
  calibrate: ['calibrate', 1],
  capacity: ['capacity', 1],
  capacity_alert_max: ['capacity_alert_max', 1],
  capacity_alert_min: ['capacity_alert_min', 1],
  cycle_count: ['cyclecount', 1],
  online: ['online', 1],
  present: ['present', 1],
  time_to_empty_now: ['time_to_empty_seconds', 1],
  time_to_full_now: ['time_to_full_seconds', 1],
  current_boot: ['current_boot', 1e6],
  current_max: ['current_max', 1e6],
  current_now: ['current_ampere', 1e6],
  energy_empty: ['energy_empty', 1e6],
  energy_empty_design: ['energy_empty_design', 1e6],
  energy_full: ['energy_full', 1e6],
  energy_full_design: ['energy_full_design', 1e6],
  energy_now: ['energy_watthour', 1e6],
  voltage_boot: ['voltage_boot', 1e6],
  voltage_max: ['voltage_max', 1e6],
  voltage_max_design: ['voltage_max_design', 1e6],
  voltage_min: ['voltage_min', 1e6],
  voltage_min_design: ['voltage_min_design', 1e6],
  voltage_now: ['voltage_volt', 1e6],
  voltage_ocv: ['voltage_ocv', 1e6],
  charge_counter: ['charge_counter', 1e6],
  charge_empty: ['charge_empty', 1e6],
  charge_empty_design: ['charge_empty_design', 1e6],
  charge_full: ['charge_full', 1e6],
  charge_full_design: ['charge_full_design', 1e6],
  charge_now: ['charge_ampere', 1e6],
  constant_charge_current: ['constant_charge_current', 1e6],
  constant_charge_current_max: ['constant_charge_current_max', 1e6],
  constant_charge_voltage: ['constant_charge_voltage', 1e6],
  constant_charge_voltage_max: ['constant_charge_voltage_max', 1e6],
  input_current_limit: ['input_current_limit', 1e6],
  power_now: ['power_watt', 1e6],
  temp: ['temp_celsius', 10],
  temp_alert_max: ['temp_alert_max_celsius', 10],
  temp_alert_min: ['temp_alert_min_celsius', 10],
  temp_ambient: ['temp_ambient_celsius', 10],
  temp_max: ['temp_max', 10],
  temp_min: ['temp_min', 10],
};
const strings = ['type', 'capacity_level', 'charge_type', 'health', 'manufacturer', 'model_name', 'scope', 'serial_number', 'status', 'technology', 'usb_type'];

async function readPowerSupply(dir: string, name: string): Promise<PowerSupply> {
  const s: PowerSupply = { name, values: {}, info: {} };
  await Promise.all([
    ...Object.entries(numeric).map(async ([file, [metric, div]]) => {
      const raw = readAttr(join(dir, file));
      if (raw !== null && raw !== '' && Number.isFinite(Number(raw))) s.values[metric] = Number(raw) / div;
    }),
    ...strings.map(async (file) => {
      const raw = readAttr(join(dir, file));
      if (raw) s.info[file] = raw;
    }),
  ]);
  return s;
}

export async function collectPowerSupply(ctx: CollectContext): Promise<Family[]> {
  const base = sys(ctx.paths, 'class', 'power_supply');
  const names = listOptional(base);
  if (names === null) throw new NoDataError(`${base} does not exist: power supply metrics are not available on this system`);
  const supplies = await Promise.all(names.filter((n) => !ctx.options.powerSupplyIgnored.test(n)).sort().map((n) => readPowerSupply(join(base, n), n)));
  return powerSupplyFamilies(supplies);
}
