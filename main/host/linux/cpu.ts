/** node_exporter's cpu collector on Linux: /proc/stat's per-CPU lines, in USER_HZ (1/100 s). */
import { FamilySet, type Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { proc, readText } from './sources.js';

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

export async function collectCpu(ctx: CollectContext): Promise<Family[]> {
  return parseCpuStat(readText(proc(ctx.paths, 'stat')));
}
