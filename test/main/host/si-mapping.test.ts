// systeminformation's answers on a Mac mapped to node_exporter's names (the darwin collector's
// names for memory), so the mapping is checked on any OS. The fixture says where its values come from.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Systeminformation as SI } from 'systeminformation';
import { siBattery, siDisks, siFilesystems, siMemory, siNetwork, siOs, siTemperature } from '../../../main/host/si/mapping.js';
import { cpuFamilies, siCollectors } from '../../../main/host/si/collectors.js';
import { HostCollector, hostOptions } from '../../../main/host/host-collector.js';
import { renderFamilies, type Family } from '../../../main/host/family.js';

const rec = JSON.parse(readFileSync(new URL('../../fixtures/host/si-macos.json', import.meta.url), 'utf8')) as {
  mem: SI.MemData;
  fsSize: SI.FsSizeData[];
  networkStats: SI.NetworkStatsData[];
  osInfo: SI.OsData;
  battery: SI.BatteryData;
  cpuTemperature: SI.CpuTemperatureData;
  disksIO: SI.DisksIoData;
  fsStats: SI.FsStatsData;
};
const get = (fams: Family[], name: string, labels: Record<string, string> = {}) =>
  fams.find((f) => f.name === name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('systeminformation → node_exporter names (macOS recording)', () => {
  it('maps memory to the darwin meminfo names', () => {
    const m = siMemory(rec.mem);
    expect(m.map((f) => f.name)).toEqual([
      'node_memory_total_bytes',
      'node_memory_free_bytes',
      'node_memory_active_bytes',
      'node_memory_inactive_bytes',
      'node_memory_swap_total_bytes',
      'node_memory_swap_used_bytes',
    ]);
    expect(get(m, 'node_memory_total_bytes')).toBe(17179869184);
    expect(get(m, 'node_memory_inactive_bytes')).toBe(7516192768 - 1073741824);
    expect(m[0]!.help).toBe('Memory information field total_bytes.');
  });

  it('maps filesystems with darwin exclusions and read-only volumes', () => {
    const f = siFilesystems(rec.fsSize, hostOptions({}, 'darwin'));
    expect(f.find((x) => x.name === 'node_filesystem_size_bytes')!.samples.map((s) => s.labels['mountpoint'])).toEqual(['/', '/System/Volumes/Data']);
    expect(get(f, 'node_filesystem_readonly', { mountpoint: '/' })).toBe(1);
    expect(get(f, 'node_filesystem_readonly', { mountpoint: '/System/Volumes/Data' })).toBe(0);
    expect(get(f, 'node_filesystem_avail_bytes', { mountpoint: '/System/Volumes/Data', device: '/dev/disk3s5', fstype: 'APFS' })).toBe(201853837312);
    expect(get(f, 'node_filesystem_free_bytes', { mountpoint: '/System/Volumes/Data' })).toBe(494384795648 - 280000000000);
  });

  it('maps network, disks, os, temperatures and the battery', () => {
    const n = siNetwork(rec.networkStats, null);
    expect(get(n, 'node_network_receive_bytes_total', { device: 'en0' })).toBe(8123456789);
    expect(get(n, 'node_network_receive_errs_total', { device: 'en0' })).toBe(2);
    expect(get(n, 'node_network_transmit_drop_total', { device: 'en0' })).toBe(1);
    expect(siNetwork(rec.networkStats, hostOptions({ netdevDeviceExclude: '^lo' }).netdevDeviceExclude).flatMap((f) => f.samples.map((s) => s.labels['device']))).not.toContain('lo0');

    const d = siDisks(rec.disksIO, rec.fsStats);
    expect(get(d, 'node_disk_reads_completed_total', { device: 'all' })).toBe(4123456);
    expect(get(d, 'node_disk_written_bytes_total', { device: 'all' })).toBe(54321098700);

    const o = siOs(rec.osInfo);
    expect(o[0]!.samples[0]!.labels).toMatchObject({ id: 'darwin', name: 'macOS', version: '14.5', version_id: '14.5', pretty_name: 'macOS 14.5', build_id: '23F79' });
    expect(get(o, 'node_os_version')).toBe(14.5);

    const t = siTemperature(rec.cpuTemperature);
    expect(t[0]!.samples.map((s) => [s.labels['sensor'], s.value])).toEqual([
      ['temp1', 48.2],
      ['temp2', 46.1],
      ['temp3', 47.9],
    ]);

    const b = siBattery(rec.battery);
    expect(get(b, 'node_power_supply_capacity', { power_supply: 'BAT0' })).toBe(75);
    expect(get(b, 'node_power_supply_energy_watthour', { power_supply: 'BAT0' })).toBeCloseTo(48.735, 9);
    expect(get(b, 'node_power_supply_time_to_empty_seconds', { power_supply: 'BAT0' })).toBe(245 * 60);
    expect(get(b, 'node_power_supply_online', { power_supply: 'AC' })).toBe(0);
    expect(b.find((f) => f.name === 'node_power_supply_info')!.samples[1]!.labels).toMatchObject({ power_supply: 'BAT0', status: 'Discharging', manufacturer: 'Apple' });
    // A desktop without a battery: only the adapter.
    expect(siBattery({ ...rec.battery, hasBattery: false, acConnected: true }).flatMap((f) => f.samples.map((s) => s.labels['power_supply']))).toEqual(['AC', 'AC']);
  });

  it('maps os.cpus() times (ms) to the four darwin modes in seconds', () => {
    const c = cpuFamilies([{ times: { user: 1500, nice: 0, sys: 700, idle: 9000, irq: 0 } }]);
    expect(renderFamilies(c)).toBe(
      '# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n# TYPE node_cpu_seconds_total counter\n' +
        'node_cpu_seconds_total{cpu="0",mode="user"} 1.5\nnode_cpu_seconds_total{cpu="0",mode="nice"} 0\nnode_cpu_seconds_total{cpu="0",mode="system"} 0.7\nnode_cpu_seconds_total{cpu="0",mode="idle"} 9\n',
    );
  });

  // The macOS/Windows table runs end to end on whatever OS runs the tests (systeminformation
  // answers on Linux too), so its wiring is exercised before it first meets a Mac.
  it('runs the systeminformation collector table through the host collector', async () => {
    const { families, failures } = await new HostCollector({ collectors: siCollectors }).collect();
    const names = new Set(families.map((f) => f.name));
    for (const n of ['node_cpu_seconds_total', 'node_memory_total_bytes', 'node_filesystem_size_bytes', 'node_network_receive_bytes_total', 'node_uname_info', 'node_boot_time_seconds', 'node_os_info']) {
      expect(names.has(n), n).toBe(true);
    }
    const success = families.find((f) => f.name === 'node_scrape_collector_success')!;
    expect(success.samples.map((s) => s.labels['collector'])).toEqual(siCollectors.map((c) => c.name));
    // Windows has no load average; elsewhere every collector answers.
    expect(Object.keys(failures)).toEqual(process.platform === 'win32' ? ['loadavg'] : []);
  }, 30_000);
});
