/**
 * systeminformation's answers (macOS, Windows) mapped to node_exporter's names. Pure functions
 * over the library's recorded output so the mapping is tested on any OS. Memory uses the names
 * node_exporter's darwin meminfo collector prints (node_memory_total_bytes, …).
 */
import type { Systeminformation as SI } from 'systeminformation';
import { FamilySet, type Family } from '../family.js';
import { filesystemFamilies, mountIncluded } from '../filesystem-families.js';
import { netdevFamilies } from '../netdev-families.js';
import { osFamilies } from '../os-info.js';
import { powerSupplyFamilies } from '../power-supply-families.js';
import type { HostOptions } from '../collector.js';

export function siMemory(m: SI.MemData): Family[] {
  const out = new FamilySet();
  const add = (key: string, v: number): void => out.add(`node_memory_${key}`, `Memory information field ${key}.`, 'gauge', v);
  add('total_bytes', m.total);
  add('free_bytes', m.free);
  add('active_bytes', m.active);
  // systeminformation's "available" on macOS is free + file-backed (reclaimable) pages; those are
  // what node_exporter's darwin collector counts as inactive.
  add('inactive_bytes', Math.max(0, m.available - m.free));
  add('swap_total_bytes', m.swaptotal);
  add('swap_used_bytes', m.swapused);
  return out.families();
}

export function siFilesystems(fs: readonly SI.FsSizeData[], o: HostOptions): Family[] {
  return filesystemFamilies(
    fs
      .map((f) => ({ f, labels: { device: f.fs, fstype: f.type, mountpoint: f.mount } }))
      .filter(({ labels }) => mountIncluded(labels, o))
      .map(({ f, labels }) => ({
        labels,
        deviceError: false,
        size: f.size,
        free: Math.max(0, f.size - f.used),
        avail: f.available,
        readonly: f.rw === false,
      })),
  );
}

export function siNetwork(stats: readonly SI.NetworkStatsData[], exclude: { test(s: string): boolean } | null): Family[] {
  return netdevFamilies(
    stats
      .filter((s) => exclude === null || !exclude.test(s.iface))
      .map((s) => ({
        device: s.iface,
        stats: {
          receive_bytes: s.rx_bytes,
          receive_errs: s.rx_errors,
          receive_drop: s.rx_dropped,
          transmit_bytes: s.tx_bytes,
          transmit_errs: s.tx_errors,
          transmit_drop: s.tx_dropped,
        },
      })),
  );
}

/** systeminformation reports disk I/O for the whole machine only: one device, "all". */
export function siDisks(io: SI.DisksIoData | null, fs: SI.FsStatsData | null): Family[] {
  const out = new FamilySet();
  const labels = { device: 'all' };
  if (io) {
    out.add('node_disk_reads_completed_total', 'The total number of reads completed successfully.', 'counter', io.rIO, labels);
    out.add('node_disk_writes_completed_total', 'The total number of writes completed successfully.', 'counter', io.wIO, labels);
  }
  if (fs) {
    out.add('node_disk_read_bytes_total', 'The total number of bytes read successfully.', 'counter', fs.rx, labels);
    out.add('node_disk_written_bytes_total', 'The total number of bytes written successfully.', 'counter', fs.wx, labels);
  }
  return out.families();
}

export function siOs(o: SI.OsData): Family[] {
  return osFamilies({ NAME: o.distro, ID: o.platform, VERSION: o.release, VERSION_ID: o.release, VERSION_CODENAME: o.codename, PRETTY_NAME: `${o.distro} ${o.release}`.trim(), BUILD_ID: o.build });
}

/** CPU temperatures as hwmon sensors of one chip, "cpu": temp1 is the package, temp2… the cores. */
export function siTemperature(t: SI.CpuTemperatureData): Family[] {
  const out = new FamilySet();
  const add = (sensor: string, v: number | null | undefined): void => {
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out.add('node_hwmon_temp_celsius', 'Hardware monitor for temperature (input)', 'gauge', v, { chip: 'cpu', sensor });
  };
  add('temp1', t.main);
  t.cores.forEach((c, i) => add(`temp${i + 2}`, c));
  return out.families();
}

/** The internal battery (and any additional ones) as power supplies BAT0, BAT1, … and the adapter as AC. */
export function siBattery(b: SI.BatteryData): Family[] {
  if (!b.hasBattery) return powerSupplyFamilies([{ name: 'AC', values: { online: b.acConnected ? 1 : 0 }, info: { type: 'Mains' } }]);
  const bats = [b, ...(b.additionalBatteries ?? [])];
  return powerSupplyFamilies([
    { name: 'AC', values: { online: b.acConnected ? 1 : 0 }, info: { type: 'Mains' } },
    ...bats.map((x, i) => {
      const values: Record<string, number> = { capacity: x.percent, present: 1, cyclecount: x.cycleCount };
      if (x.voltage > 0) values['voltage_volt'] = x.voltage;
      // mWh → Wh where the library reports energy; mAh (Windows sometimes) is left out rather than mislabelled.
      if (x.capacityUnit === 'mWh') {
        values['energy_watthour'] = x.currentCapacity / 1000;
        values['energy_full'] = x.maxCapacity / 1000;
        values['energy_full_design'] = x.designedCapacity / 1000;
      }
      if (x.timeRemaining > 0 && !x.isCharging) values['time_to_empty_seconds'] = x.timeRemaining * 60;
      return {
        name: `BAT${i}`,
        values,
        info: { type: 'Battery', status: x.isCharging ? 'Charging' : x.acConnected ? 'Not charging' : 'Discharging', manufacturer: x.manufacturer, model_name: x.model, serial_number: x.serial },
      };
    }),
  ]);
}
