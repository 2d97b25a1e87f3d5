/**
 * node_exporter's netdev collector on Linux: /proc/net/dev's sixteen counters per device, plus
 * receive_nohandler from sysfs (node_exporter reads it over netlink).
 */
import type { Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { netdevFamilies, type NetdevStats } from '../netdev-families.js';
import { proc, readAttr, sys, readText } from './sources.js';

const receive = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'frame', 'compressed', 'multicast'];
const transmit = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'colls', 'carrier', 'compressed'];

function parseNetDev(text: string): NetdevStats[] {
  const out: NetdevStats[] = [];
  for (const line of text.split('\n').slice(2)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const device = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim().split(/\s+/).map(Number);
    const stats: Record<string, number> = {};
    receive.forEach((k, j) => (stats[`receive_${k}`] = v[j]!));
    transmit.forEach((k, j) => (stats[`transmit_${k}`] = v[8 + j]!));
    out.push({ device, stats });
  }
  return out;
}

export async function collectNetdev(ctx: CollectContext): Promise<Family[]> {
  const exclude = ctx.options.netdevDeviceExclude;
  const devices = parseNetDev(readText(proc(ctx.paths, 'net', 'dev'))).filter((d) => exclude === null || !exclude.test(d.device));
  await Promise.all(
    devices.map(async (d) => {
      const v = readAttr(sys(ctx.paths, 'class', 'net', d.device, 'statistics', 'rx_nohandler'));
      if (v !== null && v !== '') d.stats['receive_nohandler'] = Number(v);
    }),
  );
  return netdevFamilies(devices);
}
