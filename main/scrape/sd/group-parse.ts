/**
 * Validates the target-group lists that file SD and HTTP SD read
 * (`[{targets: ["host:port"], labels: {…}}]`), with messages that say which entry is wrong.
 */
import { legacyLabelNameRe } from '../../config/schema-common.js';
import type { TargetGroup, TargetLabels } from './discoverer.js';

export class GroupFormatError extends Error {}

/** `where` is a prefix for messages, e.g. the file name. */
export function parseGroups(data: unknown, where: string, source: (i: number) => string, extra: TargetLabels): TargetGroup[] {
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data)) throw new GroupFormatError(`${where}: expected a list of target groups ([{targets: [...], labels: {...}}])`);
  return data.map((entry: unknown, i): TargetGroup => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new GroupFormatError(`${where}: group ${i}: expected a mapping with targets and labels`);
    }
    const g = entry as Record<string, unknown>;
    for (const key of Object.keys(g)) {
      if (key !== 'targets' && key !== 'labels') throw new GroupFormatError(`${where}: group ${i}: unknown field ${JSON.stringify(key)}`);
    }
    const targets = g['targets'] ?? [];
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) {
      throw new GroupFormatError(`${where}: group ${i}: targets must be a list of "host:port" strings`);
    }
    const labels: Record<string, string> = {};
    const rawLabels = g['labels'] ?? {};
    if (rawLabels === null || typeof rawLabels !== 'object' || Array.isArray(rawLabels)) {
      throw new GroupFormatError(`${where}: group ${i}: labels must be a mapping of label names to strings`);
    }
    for (const [name, value] of Object.entries(rawLabels as Record<string, unknown>)) {
      if (!legacyLabelNameRe.test(name)) throw new GroupFormatError(`${where}: group ${i}: ${JSON.stringify(name)} is not a valid label name`);
      if (typeof value !== 'string') throw new GroupFormatError(`${where}: group ${i}: label ${name} must be a string, got ${JSON.stringify(value)}`);
      labels[name] = value;
    }
    for (const t of targets as string[]) {
      if (t.includes('/')) throw new GroupFormatError(`${where}: group ${i}: ${JSON.stringify(t)} is not a valid hostname: give host:port`);
    }
    return {
      source: source(i),
      targets: (targets as string[]).map((t) => ({ __address__: t })),
      labels: { ...labels, ...extra },
    };
  });
}
