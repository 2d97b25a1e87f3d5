/** node_exporter's vmstat collector: the /proc/vmstat fields matching --collector.vmstat.fields (untyped, as node_exporter). */
import { FamilySet, type Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { proc, readText } from './sources.js';

export async function collectVmstat(ctx: CollectContext): Promise<Family[]> {
  const out = new FamilySet();
  for (const line of readText(proc(ctx.paths, 'vmstat')).split('\n')) {
    const [field, v] = line.split(' ');
    if (field === undefined || v === undefined || !ctx.options.vmstatFields.test(field)) continue;
    out.add(`node_vmstat_${field}`, `/proc/vmstat information field ${field}.`, 'untyped', Number(v));
  }
  return out.families();
}
