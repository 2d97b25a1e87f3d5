/** node_exporter's netdev metrics (node_network_<stat>_total{device}), shared by the Linux and systeminformation collectors. */
import { FamilySet, type Family } from './family.js';

export interface NetdevStats {
  device: string;
  /** Keyed as node_exporter's statistic names: receive_bytes, transmit_drop, … */
  stats: Record<string, number>;
}

export function netdevFamilies(devices: readonly NetdevStats[]): Family[] {
  const out = new FamilySet();
  for (const d of devices) {
    for (const [stat, value] of Object.entries(d.stats)) {
      if (Number.isFinite(value)) out.add(`node_network_${stat}_total`, `Network device statistic ${stat}.`, 'counter', value, { device: d.device });
    }
  }
  return out.families();
}
