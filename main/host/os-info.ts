/** node_exporter's os collector: node_os_info and node_os_version from os-release(5) (Linux) or from systeminformation elsewhere. */
import { family, type Family } from './family.js';
import type { CollectContext } from './collector.js';
import { NoDataError } from './collector.js';
import { readOptional } from './linux/sources.js';

const infoLabels = ['build_id', 'id', 'id_like', 'image_id', 'image_version', 'name', 'pretty_name', 'variant', 'variant_id', 'version', 'version_codename', 'version_id'] as const;

/** os-release's KEY=value lines; values may be quoted with shell quoting (the subset os-release uses). */
function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!.trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0])) {
      v = v.slice(1, -1);
      if (m[2]!.trim()[0] === '"') v = v.replace(/\\(["\\$`])/g, '$1');
    }
    out[m[1]!] = v;
  }
  return out;
}

/** VERSION_ID's major.minor as a number, as node_exporter's node_os_version (0 when absent). */
function versionNumber(id: string): number {
  const m = /^(\d+)(?:\.(\d+))?/.exec(id);
  return m ? Number(`${m[1]}.${m[2] ?? '0'}`) : 0;
}

export function osFamilies(rel: Record<string, string>): Family[] {
  const labels = Object.fromEntries(infoLabels.map((l) => [l, rel[l.toUpperCase()] ?? '']));
  return [
    family('node_os_info', `A metric with a constant '1' value labeled by ${infoLabels.join(', ')}.`, 'gauge', [{ labels, value: 1 }]),
    family('node_os_version', 'Metric containing the major.minor part of the OS version.', 'gauge', [
      { labels: { id: labels['id']!, id_like: labels['id_like']!, name: labels['name']! }, value: versionNumber(labels['version_id']!) },
    ]),
  ];
}

export async function collectOsRelease(ctx: CollectContext): Promise<Family[]> {
  for (const path of ctx.paths.osRelease) {
    const text = readOptional(path);
    if (text !== null) return osFamilies(parseOsRelease(text));
  }
  throw new NoDataError(`none of ${ctx.paths.osRelease.join(', ')} exists`);
}
