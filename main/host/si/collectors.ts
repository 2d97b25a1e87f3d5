/**
 * Host collectors for macOS and Windows through systeminformation (a maintained cross-platform
 * library: it knows sysctl, vm_stat, IOKit, WMI and their quirks) mapped by ./mapping.ts. CPU,
 * load, uname and time come from Node's os module, which is the same on every OS.
 */
import { cpus, loadavg, uptime } from 'node:os';
import si from 'systeminformation';
import { family, FamilySet, type Family } from '../family.js';
import type { CollectContext, HostCollectorSpec } from '../collector.js';
import { NoDataError } from '../collector.js';
import { loadFamilies } from '../linux/loadavg.js';
import { collectTime } from '../time.js';
import { collectUname } from '../uname.js';
import { siBattery, siDisks, siFilesystems, siMemory, siNetwork, siOs, siTemperature } from './mapping.js';

/** Node's os.cpus() times are milliseconds; node_exporter's darwin cpu collector has these four modes. */
export function cpuFamilies(list: ReadonlyArray<{ times: { user: number; nice: number; sys: number; idle: number; irq: number } }>): Family[] {
  const out = new FamilySet();
  list.forEach((c, i) => {
    const t = { user: c.times.user, nice: c.times.nice, system: c.times.sys, idle: c.times.idle };
    for (const [mode, ms] of Object.entries(t)) out.add('node_cpu_seconds_total', 'Seconds the CPUs spent in each mode.', 'counter', ms / 1000, { cpu: String(i), mode });
  });
  return out.families();
}

export const siCollectors: HostCollectorSpec[] = [
  { name: 'cpu', collect: async () => cpuFamilies(cpus()) },
  { name: 'meminfo', collect: async () => siMemory(await si.mem()) },
  {
    name: 'loadavg',
    collect: async () => {
      if (process.platform === 'win32') throw new NoDataError('Windows has no load average');
      return loadFamilies(loadavg());
    },
  },
  { name: 'filesystem', collect: async (ctx: CollectContext) => siFilesystems(await si.fsSize(), ctx.options) },
  { name: 'diskstats', collect: async () => siDisks(await si.disksIO(), await si.fsStats()) },
  { name: 'netdev', collect: async (ctx: CollectContext) => siNetwork(await si.networkStats('*'), ctx.options.netdevDeviceExclude) },
  { name: 'uname', collect: collectUname },
  { name: 'boottime', collect: async (ctx: CollectContext) => [family('node_boot_time_seconds', 'Node boot time, in unixtime.', 'gauge', [{ value: Math.round(ctx.now() / 1000 - uptime()) }])] },
  { name: 'time', collect: collectTime },
  { name: 'os', collect: async () => siOs(await si.osInfo()) },
  { name: 'hwmon', collect: async () => siTemperature(await si.cpuTemperature()) },
  { name: 'powersupplyclass', collect: async () => siBattery(await si.battery()) },
];
