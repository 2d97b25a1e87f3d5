/** The Linux collector table: node_exporter's collector names, read from /proc and /sys. */
import type { HostCollectorSpec } from '../collector.js';
import { collectOsRelease } from '../os-info.js';
import { collectTime } from '../time.js';
import { collectUname } from '../uname.js';
import { collectCpu } from './cpu.js';
import { collectDiskstats } from './diskstats.js';
import { collectFilesystem } from './filesystem.js';
import { collectHwmon } from './hwmon.js';
import { collectLoadavg } from './loadavg.js';
import { collectMeminfo } from './meminfo.js';
import { collectNetdev } from './netdev.js';
import { collectPowerSupply } from './power-supply.js';
import { collectStat } from './stat.js';
import { collectVmstat } from './vmstat.js';

export const linuxCollectors: HostCollectorSpec[] = [
  { name: 'cpu', collect: collectCpu },
  { name: 'meminfo', collect: collectMeminfo },
  { name: 'loadavg', collect: collectLoadavg },
  { name: 'filesystem', collect: collectFilesystem },
  { name: 'diskstats', collect: collectDiskstats },
  { name: 'netdev', collect: collectNetdev },
  { name: 'uname', collect: collectUname },
  { name: 'stat', collect: collectStat },
  { name: 'time', collect: collectTime },
  { name: 'os', collect: collectOsRelease },
  { name: 'hwmon', collect: collectHwmon },
  { name: 'powersupplyclass', collect: collectPowerSupply },
  { name: 'vmstat', collect: collectVmstat },
];
