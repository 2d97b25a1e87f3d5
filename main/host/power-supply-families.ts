/**
 * node_exporter's powersupplyclass metrics: node_power_supply_<attribute>{power_supply} with its
 * HELP "<attribute> value of /sys/class/power_supply/<power_supply>.", and node_power_supply_info
 * with the string attributes as labels. Shared by the Linux (sysfs) and systeminformation collectors.
 */
import { FamilySet, type Family } from './family.js';

export interface PowerSupply {
  name: string;
  /** Metric suffix → value already in node_exporter's unit (volts, amperes, watt-hours, …). */
  values: Record<string, number>;
  /** Info label → value (type, status, manufacturer, model_name, …); empty values are left out. */
  info: Record<string, string>;
}

export function powerSupplyFamilies(supplies: readonly PowerSupply[]): Family[] {
  const out = new FamilySet();
  for (const s of supplies) {
    for (const [attr, v] of Object.entries(s.values)) {
      if (Number.isFinite(v)) out.add(`node_power_supply_${attr}`, `${attr} value of /sys/class/power_supply/<power_supply>.`, 'gauge', v, { power_supply: s.name });
    }
    const info = Object.fromEntries(Object.entries(s.info).filter(([, v]) => v !== ''));
    out.add('node_power_supply_info', 'info of /sys/class/power_supply/<power_supply>.', 'gauge', 1, { power_supply: s.name, ...info });
  }
  return out.families();
}
