/** node_exporter's cpu collector on Linux: /proc/stat's per-CPU lines, in USER_HZ (1/100 s). */
import { FamilySet, type Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { join } from 'node:path';
import { listOptional, proc, readAttr, readText, sys } from './sources.js';

const userHz = 100;
const modes = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

function parseCpuStat(text: string): Family[] {
  const out = new FamilySet();
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const cpu = m[1]!;
    const v = m[2]!.trim().split(/\s+/).map(Number);
    modes.forEach((mode, i) => {
      if (v[i] !== undefined) out.add('node_cpu_seconds_total', 'Seconds the CPUs spent in each mode.', 'counter', v[i]! / userHz, { cpu, mode });
    });
    // guest and guest_nice (fields 9 and 10) are node_cpu_guest_seconds_total's user and nice.
    if (v[8] !== undefined) out.add('node_cpu_guest_seconds_total', 'Seconds the CPUs spent in guests (VMs) for each mode.', 'counter', v[8]! / userHz, { cpu, mode: 'user' });
    if (v[9] !== undefined) out.add('node_cpu_guest_seconds_total', 'Seconds the CPUs spent in guests (VMs) for each mode.', 'counter', v[9]! / userHz, { cpu, mode: 'nice' });
  }
  return out.families();
}

/**
 * Thermal throttle counters from /sys/devices/system/cpu/cpu<N>/thermal_throttle, as node_exporter:
 * one core counter per (package, core) and one package counter per package, read once each.
 */
function throttles(ctx: CollectContext): Family[] {
  const base = sys(ctx.paths, 'devices', 'system', 'cpu');
  const cpus = (listOptional(base) ?? []).filter((e) => /^cpu\d+$/.test(e)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const out = new FamilySet();
  const packages = new Set<string>();
  const cores = new Set<string>();
  const uint = (path: string): string | null => {
    const v = readAttr(path);
    return v !== null && /^\d+$/.test(v) ? v : null;
  };
  for (const cpu of cpus) {
    const pkg = uint(join(base, cpu, 'topology', 'physical_package_id'));
    const core = uint(join(base, cpu, 'topology', 'core_id'));
    if (pkg === null || core === null) continue;
    if (!cores.has(`${pkg}/${core}`)) {
      cores.add(`${pkg}/${core}`);
      const n = uint(join(base, cpu, 'thermal_throttle', 'core_throttle_count'));
      if (n !== null) out.add('node_cpu_core_throttles_total', 'Number of times this CPU core has been throttled.', 'counter', Number(n), { core, package: pkg });
    }
    if (!packages.has(pkg)) {
      packages.add(pkg);
      const n = uint(join(base, cpu, 'thermal_throttle', 'package_throttle_count'));
      if (n !== null) out.add('node_cpu_package_throttles_total', 'Number of times this CPU package has been throttled.', 'counter', Number(n), { package: pkg });
    }
  }
  return out.families();
}

export async function collectCpu(ctx: CollectContext): Promise<Family[]> {
  return [...parseCpuStat(readText(proc(ctx.paths, 'stat'))), ...throttles(ctx)];
}
