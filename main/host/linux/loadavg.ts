/** node_exporter's loadavg collector: node_load1, node_load5, node_load15 from /proc/loadavg. */
import { family, type Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { proc, readText } from './sources.js';

export function loadFamilies(loads: readonly number[]): Family[] {
  return (['1', '5', '15'] as const).map((m, i) => family(`node_load${m}`, `${m}m load average.`, 'gauge', [{ value: loads[i]! }]));
}

function parseLoadavg(text: string): Family[] {
  const v = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if (v.length < 3 || v.some((x) => !Number.isFinite(x))) throw new Error(`unexpected /proc/loadavg content ${JSON.stringify(text.slice(0, 80))}`);
  return loadFamilies(v);
}

export async function collectLoadavg(ctx: CollectContext): Promise<Family[]> {
  return parseLoadavg(readText(proc(ctx.paths, 'loadavg')));
}
