/**
 * node_exporter's meminfo collector on Linux: every /proc/meminfo field as a gauge named
 * node_memory_<Field>[_bytes]; "Active(anon)" becomes Active_anon, kB values become bytes.
 */
import { FamilySet, type Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { proc, readText } from './sources.js';

function parseMeminfo(text: string): Family[] {
  const out = new FamilySet();
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2 || parts[0] === '') continue;
    let key = parts[0]!.replace(/:$/, '').replace(/\((.*)\)/, '_$1');
    let value = Number(parts[1]);
    if (!Number.isFinite(value)) throw new Error(`${line}: invalid value in meminfo`);
    if (parts[2] === 'kB') {
      value *= 1024;
      key += '_bytes';
    }
    out.add(`node_memory_${key}`, `Memory information field ${key}.`, 'gauge', value);
  }
  return out.families();
}

export async function collectMeminfo(ctx: CollectContext): Promise<Family[]> {
  return parseMeminfo(readText(proc(ctx.paths, 'meminfo')));
}
