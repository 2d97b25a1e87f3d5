/** node_exporter's stat collector: boot time, context switches, forks, interrupts and process counts from /proc/stat. */
import { FamilySet, type Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { proc, readText } from './sources.js';

const fields: Record<string, [name: string, help: string, type: 'counter' | 'gauge']> = {
  intr: ['node_intr_total', 'Total number of interrupts serviced.', 'counter'],
  ctxt: ['node_context_switches_total', 'Total number of context switches.', 'counter'],
  btime: ['node_boot_time_seconds', 'Node boot time, in unixtime.', 'gauge'],
  processes: ['node_forks_total', 'Total number of forks.', 'counter'],
  procs_running: ['node_procs_running', 'Number of processes in runnable state.', 'gauge'],
  procs_blocked: ['node_procs_blocked', 'Number of processes blocked waiting for I/O to complete.', 'gauge'],
};

function parseStat(text: string): Family[] {
  const out = new FamilySet();
  for (const line of text.split('\n')) {
    const [key, first] = line.split(/\s+/, 2);
    const f = key === undefined ? undefined : fields[key];
    if (f && first !== undefined) out.add(f[0], f[1], f[2], Number(first));
  }
  return out.families();
}

export async function collectStat(ctx: CollectContext): Promise<Family[]> {
  return parseStat(readText(proc(ctx.paths, 'stat')));
}
