/** node_exporter's vmstat collector: the /proc/vmstat fields matching --collector.vmstat.fields (untyped, as node_exporter). */
import { readFile } from 'node:fs/promises';
import { FamilySet, type Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { proc } from './sources.js';

export async function collectVmstat(ctx: CollectContext): Promise<Family[]> {
  const out = new FamilySet();
  for (const line of (await readFile(proc(ctx.paths, 'vmstat'), 'utf8')).split('\n')) {
    const [field, v] = line.split(' ');
    if (field === undefined || v === undefined || !ctx.options.vmstatFields.test(field)) continue;
    out.add(`node_vmstat_${field}`, `/proc/vmstat information field ${field}.`, 'untyped', Number(v));
  }
  return out.families();
}
