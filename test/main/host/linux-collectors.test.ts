// The Linux collectors over a fixture /proc and /sys: node_exporter's names, labels, units and
// filters, a failing collector reported as node_scrape_collector_success=0 while the rest work,
// and the collector flags.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HostCollector } from '../../../main/host/host-collector.js';
import { enabledCollectors, requestCollectors, takeCollectorFlags, CollectorFilterError } from '../../../main/host/filter.js';
import type { Family } from '../../../main/host/family.js';
import { tempDir } from '../helpers.js';

let root = '';
let cleanup = (): void => {};
const files: Record<string, string> = {
  'proc/stat': [
    'cpu  300 20 100 5000 10 0 5 1 0 0',
    'cpu0 150 10 50 2500 5 0 2 1 7 3',
    'cpu1 150 10 50 2500 5 0 3 0 0 0',
    'intr 12345 1 2 3',
    'ctxt 999',
    'btime 1700000000',
    'processes 4242',
    'procs_running 3',
    'procs_blocked 1',
    '',
  ].join('\n'),
  'proc/meminfo': 'MemTotal:       16384000 kB\nMemAvailable:    8192000 kB\nActive(anon):     100 kB\nHugePages_Total:       0\nHugepagesize:       2048 kB\n',
  'proc/vmstat': 'nr_free_pages 1000\npgpgin 111\npgfault 222\npswpin 3\noom_kill 0\nnuma_hit 5\n',
  'proc/loadavg': '0.50 1.25 2.00 3/400 12345\n',
  'proc/diskstats': [
    '   7       0 loop0 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
    '   8       0 sda 100 5 2048 40 200 10 4096 80 1 120 160 3 0 24 6 7 9',
    '   8       1 sda1 90 5 2000 40 200 10 4096 80 0 120 160 3 0 24 6 7 9',
    '',
  ].join('\n'),
  'proc/net/dev': [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0',
    '  eth0: 5000000    4000    1    2    3     4          5         6  700000     600    7    8    9    10      11         12',
    '',
  ].join('\n'),
  'proc/sys/kernel/domainname': '(none)\n',
  'sys/class/net/eth0/statistics/rx_nohandler': '13\n',
  // Two hyperthreads of one core, and a second core, on package 0.
  'sys/devices/system/cpu/cpu0/topology/physical_package_id': '0\n',
  'sys/devices/system/cpu/cpu0/topology/core_id': '0\n',
  'sys/devices/system/cpu/cpu0/thermal_throttle/core_throttle_count': '7\n',
  'sys/devices/system/cpu/cpu0/thermal_throttle/package_throttle_count': '21\n',
  'sys/devices/system/cpu/cpu1/topology/physical_package_id': '0\n',
  'sys/devices/system/cpu/cpu1/topology/core_id': '0\n',
  'sys/devices/system/cpu/cpu1/thermal_throttle/core_throttle_count': '99\n',
  'sys/devices/system/cpu/cpu2/topology/physical_package_id': '0\n',
  'sys/devices/system/cpu/cpu2/topology/core_id': '1\n',
  'sys/devices/system/cpu/cpu2/thermal_throttle/core_throttle_count': '3\n',
  'sys/class/hwmon/hwmon0/name': 'coretemp\n',
  'sys/class/hwmon/hwmon0/temp1_input': '45500\n',
  'sys/class/hwmon/hwmon0/temp1_crit': '100000\n',
  'sys/class/hwmon/hwmon0/temp1_label': 'Package id 0\n',
  'sys/class/hwmon/hwmon0/temp1_alarm': '0\n',
  'sys/class/hwmon/hwmon0/fan1_input': '2400\n',
  'sys/class/hwmon/hwmon0/fan1_min': '600\n',
  'sys/class/hwmon/hwmon0/in0_input': '1230\n',
  'sys/class/hwmon/hwmon0/power1_average': '15500000\n',
  'sys/class/hwmon/hwmon0/energy1_input': '123000000\n',
  'sys/class/hwmon/hwmon0/pwm1': '128\n',
  'sys/class/hwmon/hwmon0/uevent': 'x\n',
  'sys/class/power_supply/BAT0/type': 'Battery\n',
  'sys/class/power_supply/BAT0/status': 'Discharging\n',
  'sys/class/power_supply/BAT0/capacity': '87\n',
  'sys/class/power_supply/BAT0/energy_now': '45120000\n',
  'sys/class/power_supply/BAT0/voltage_now': '12345000\n',
  'sys/class/power_supply/BAT0/cycle_count': '120\n',
  'sys/class/power_supply/AC/type': 'Mains\n',
  'sys/class/power_supply/AC/online': '0\n',
  'sys/devices/system/clocksource/clocksource0/available_clocksource': 'tsc hpet acpi_pm \n',
  'sys/devices/system/clocksource/clocksource0/current_clocksource': 'tsc\n',
  'etc/os-release': 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
  'udev/b8:0': 'S:disk/by-id/ata-X\nE:ID_MODEL=Fast_Disk\nE:ID_SERIAL_SHORT=S123\nE:ID_PATH=pci-0000:00:1f.2-ata-1\n',
  'mnt/data/.keep': '',
};

beforeAll(() => {
  const t = tempDir('vigil-host-');
  root = t.dir;
  cleanup = t.cleanup;
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), body);
  }
  // /proc/1/mounts: the fixture's own directory stands in for a data disk; /proc is excluded by
  // mount point, cgroup2 by type, a missing mount point gives device_error; "/" is listed twice.
  mkdirSync(join(root, 'proc/1'), { recursive: true });
  writeFileSync(
    join(root, 'proc/1/mounts'),
    [
      '/dev/sda1 / ext4 rw,relatime 0 0',
      '/dev/sda1 / ext4 rw,relatime 0 0',
      'proc /proc proc rw 0 0',
      'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0',
      `/dev/sdb1 ${join(root, 'mnt/data')} xfs ro,noatime 0 0`,
      `nas:/export ${join(root, 'mnt/gone')} nfs rw 0 0`,
      '',
    ].join('\n'),
  );
});
afterAll(() => cleanup());

const collector = (flags: string[] = []) =>
  new HostCollector({
    flags,
    paths: { procfs: join(root, 'proc'), sysfs: join(root, 'sys'), udevData: join(root, 'udev'), osRelease: [join(root, 'etc/os-release')] },
    now: () => 1_800_000_000_000,
  });

const byName = (fams: Family[]) => new Map(fams.map((f) => [f.name, f]));
const value = (f: Family | undefined, labels: Record<string, string> = {}) =>
  f?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe.skipIf(process.platform !== 'linux')('Linux host collectors on a fixture tree', () => {
  it('reads cpu, stat, meminfo and loadavg in node_exporter units', async () => {
    const { families, failures } = await collector().collect();
    expect(failures).toEqual({});
    const f = byName(families);
    expect(f.get('node_cpu_seconds_total')?.type).toBe('counter');
    expect(value(f.get('node_cpu_seconds_total'), { cpu: '0', mode: 'user' })).toBe(1.5);
    expect(value(f.get('node_cpu_seconds_total'), { cpu: '1', mode: 'softirq' })).toBe(0.03);
    expect(f.get('node_cpu_seconds_total')?.samples).toHaveLength(16);
    expect(value(f.get('node_cpu_guest_seconds_total'), { cpu: '0', mode: 'user' })).toBe(0.07);
    expect(value(f.get('node_cpu_guest_seconds_total'), { cpu: '0', mode: 'nice' })).toBe(0.03);
    expect(f.get('node_cpu_core_throttles_total')!.samples.map((s) => [s.labels, s.value])).toEqual([
      [{ core: '0', package: '0' }, 7],
      [{ core: '1', package: '0' }, 3],
    ]);
    expect(f.get('node_cpu_package_throttles_total')!.samples.map((s) => [s.labels, s.value])).toEqual([[{ package: '0' }, 21]]);
    expect(value(f.get('node_boot_time_seconds'))).toBe(1_700_000_000);
    expect(value(f.get('node_intr_total'))).toBe(12345);
    expect(value(f.get('node_context_switches_total'))).toBe(999);
    expect(value(f.get('node_forks_total'))).toBe(4242);
    expect(value(f.get('node_procs_blocked'))).toBe(1);
    expect(value(f.get('node_memory_MemTotal_bytes'))).toBe(16384000 * 1024);
    expect(f.get('node_memory_MemTotal_bytes')?.help).toBe('Memory information field MemTotal_bytes.');
    expect(value(f.get('node_memory_Active_anon_bytes'))).toBe(102400);
    expect(value(f.get('node_memory_HugePages_Total'))).toBe(0);
    expect(value(f.get('node_load5'))).toBe(1.25);
    expect(f.get('node_load15')?.help).toBe('15m load average.');
    expect(families.filter((x) => x.name.startsWith('node_vmstat_')).map((x) => [x.name, x.type, x.samples[0]!.value])).toEqual([
      ['node_vmstat_pgpgin', 'untyped', 111],
      ['node_vmstat_pgfault', 'untyped', 222],
      ['node_vmstat_pswpin', 'untyped', 3],
      ['node_vmstat_oom_kill', 'untyped', 0],
    ]);
  });

  it('applies the filesystem, diskstats and netdev filters and units', async () => {
    const f = byName((await collector().collect()).families);
    const mounts = f.get('node_filesystem_device_error')!.samples.map((s) => s.labels['mountpoint']);
    expect(mounts).toEqual(['/', join(root, 'mnt/data'), join(root, 'mnt/gone')]);
    expect(value(f.get('node_filesystem_device_error'), { mountpoint: join(root, 'mnt/gone') })).toBe(1);
    expect(value(f.get('node_filesystem_size_bytes'), { mountpoint: join(root, 'mnt/gone') })).toBeUndefined();
    expect(value(f.get('node_filesystem_readonly'), { mountpoint: join(root, 'mnt/data'), device: '/dev/sdb1', fstype: 'xfs' })).toBe(1);
    expect(value(f.get('node_filesystem_size_bytes'), { mountpoint: '/' })).toBeGreaterThan(0);

    expect(f.get('node_disk_reads_completed_total')!.samples.map((s) => s.labels['device'])).toEqual(['sda']);
    expect(value(f.get('node_disk_read_bytes_total'), { device: 'sda' })).toBe(2048 * 512);
    expect(value(f.get('node_disk_read_time_seconds_total'), { device: 'sda' })).toBe(0.04);
    expect(value(f.get('node_disk_io_now'), { device: 'sda' })).toBe(1);
    expect(value(f.get('node_disk_discard_time_seconds_total'), { device: 'sda' })).toBe(0.006);
    expect(value(f.get('node_disk_flush_requests_total'), { device: 'sda' })).toBe(7);
    expect(f.get('node_disk_info')!.samples[0]!.labels).toEqual({ device: 'sda', major: '8', minor: '0', path: 'pci-0000:00:1f.2-ata-1', wwn: '', model: 'Fast_Disk', serial: 'S123', revision: '' });

    expect(value(f.get('node_network_receive_bytes_total'), { device: 'eth0' })).toBe(5_000_000);
    expect(value(f.get('node_network_transmit_carrier_total'), { device: 'eth0' })).toBe(11);
    expect(value(f.get('node_network_transmit_colls_total'), { device: 'eth0' })).toBe(10);
    expect(value(f.get('node_network_receive_nohandler_total'), { device: 'eth0' })).toBe(13);
    expect(f.get('node_network_receive_bytes_total')?.help).toBe('Network device statistic receive_bytes.');
  });

  it('reads temperatures, power supplies, clock sources, os-release and uname', async () => {
    const f = byName((await collector().collect()).families);
    expect(value(f.get('node_hwmon_temp_celsius'), { chip: 'coretemp', sensor: 'temp1' })).toBe(45.5);
    expect(value(f.get('node_hwmon_temp_crit_celsius'), { chip: 'coretemp', sensor: 'temp1' })).toBe(100);
    expect(f.get('node_hwmon_sensor_label')!.samples[0]!.labels).toEqual({ chip: 'coretemp', label: 'Package id 0', sensor: 'temp1' });
    expect(value(f.get('node_hwmon_temp_alarm'), { sensor: 'temp1' })).toBe(0);
    expect(f.get('node_hwmon_temp_alarm')?.help).toBe('Hardware sensor alarm status (temp)');
    expect(value(f.get('node_hwmon_fan_rpm'), { chip: 'coretemp', sensor: 'fan1' })).toBe(2400);
    expect(f.get('node_hwmon_fan_rpm')?.help).toBe('Hardware monitor for fan revolutions per minute (input)');
    expect(value(f.get('node_hwmon_fan_min_rpm'), { sensor: 'fan1' })).toBe(600);
    expect(value(f.get('node_hwmon_in_volts'), { sensor: 'in0' })).toBeCloseTo(1.23, 9);
    expect(value(f.get('node_hwmon_power_average_watt'), { sensor: 'power1' })).toBeCloseTo(15.5, 9);
    expect(f.get('node_hwmon_energy_joule_total')?.type).toBe('counter');
    expect(value(f.get('node_hwmon_energy_joule_total'), { sensor: 'energy1' })).toBeCloseTo(123, 9);
    expect(value(f.get('node_hwmon_pwm'), { sensor: 'pwm1' })).toBe(128);
    expect(value(f.get('node_power_supply_capacity'), { power_supply: 'BAT0' })).toBe(87);
    expect(value(f.get('node_power_supply_energy_watthour'), { power_supply: 'BAT0' })).toBeCloseTo(45.12, 9);
    expect(value(f.get('node_power_supply_voltage_volt'), { power_supply: 'BAT0' })).toBeCloseTo(12.345, 9);
    expect(value(f.get('node_power_supply_cyclecount'), { power_supply: 'BAT0' })).toBe(120);
    expect(value(f.get('node_power_supply_online'), { power_supply: 'AC' })).toBe(0);
    expect(f.get('node_power_supply_info')!.samples.find((s) => s.labels['power_supply'] === 'BAT0')!.labels).toEqual({ power_supply: 'BAT0', type: 'Battery', status: 'Discharging' });
    expect(f.get('node_time_clocksource_available_info')!.samples.map((s) => s.labels['clocksource'])).toEqual(['tsc', 'hpet', 'acpi_pm']);
    expect(value(f.get('node_time_clocksource_current_info'), { clocksource: 'tsc', device: '0' })).toBe(1);
    expect(value(f.get('node_time_seconds'))).toBe(1_800_000_000);
    expect(f.get('node_os_info')!.samples[0]!.labels).toMatchObject({ id: 'debian', name: 'Debian GNU/Linux', version_id: '12', pretty_name: 'Debian GNU/Linux 12 (bookworm)', variant: '' });
    expect(value(f.get('node_os_version'), { id: 'debian' })).toBe(12);
    expect(Object.keys(f.get('node_uname_info')!.samples[0]!.labels).sort()).toEqual(['domainname', 'machine', 'nodename', 'release', 'sysname', 'version']);
  });

  it('reports a collector that fails as success=0 and keeps the others', async () => {
    const broken = new HostCollector({
      paths: { procfs: join(root, 'no-proc'), sysfs: join(root, 'sys'), udevData: join(root, 'udev'), osRelease: [join(root, 'etc/os-release')] },
    });
    const { families, failures } = await broken.collect();
    const f = byName(families);
    expect(Object.keys(failures).sort()).toEqual(['cpu', 'diskstats', 'loadavg', 'meminfo', 'netdev', 'stat', 'vmstat']);
    expect(value(f.get('node_scrape_collector_success'), { collector: 'cpu' })).toBe(0);
    expect(value(f.get('node_scrape_collector_success'), { collector: 'hwmon' })).toBe(1);
    expect(value(f.get('node_hwmon_temp_celsius'), { sensor: 'temp1' })).toBe(45.5);
    expect(f.get('node_scrape_collector_duration_seconds')!.samples).toHaveLength(13);
  });

  it('runs only the collectors the flags and the request select', async () => {
    const c = collector(['--collector.disable-defaults', '--collector.loadavg', '--collector.meminfo']);
    const names = (await c.collect()).families.map((f) => f.name);
    expect(names).toContain('node_load1');
    expect(names).not.toContain('node_cpu_seconds_total');
    const only = byName((await c.collect(['loadavg'])).families);
    expect(only.get('node_scrape_collector_success')!.samples.map((s) => s.labels['collector'])).toEqual(['loadavg']);
    await expect(c.collect(['cpu'])).rejects.toThrow(/unknown or disabled collector "cpu"/);
    const text = await collector(['--no-collector.hwmon']).render();
    expect(text).not.toContain('node_hwmon_temp_celsius');
    expect(text).toContain('# TYPE node_cpu_seconds_total counter\n');
  });
});

describe('collector flags', () => {
  const known = ['cpu', 'meminfo', 'hwmon'];
  it('parses node_exporter-style flags and names bad ones', () => {
    expect([...enabledCollectors(known, ['--no-collector.hwmon'])]).toEqual(['cpu', 'meminfo']);
    expect([...enabledCollectors(known, ['--collector.disable-defaults', '--collector.cpu'])]).toEqual(['cpu']);
    expect(() => enabledCollectors(known, ['--collector.nope'])).toThrow(CollectorFilterError);
    expect(() => enabledCollectors(known, ['--collector.nope'])).toThrow(/unknown collector "nope" \(known: cpu, meminfo, hwmon\)/);
    expect(takeCollectorFlags(['--port', '1', '--no-collector.cpu', '--data=x'])).toEqual({ collectorFlags: ['--no-collector.cpu'], rest: ['--port', '1', '--data=x'] });
    expect([...requestCollectors(new Set(known), [], ['cpu'])]).toEqual(['meminfo', 'hwmon']);
    expect(() => requestCollectors(new Set(known), ['cpu'], ['hwmon'])).toThrow(/cannot be combined/);
  });
});
