/** node_exporter's filesystem metrics from per-mount figures, shared by the Linux and systeminformation collectors. */
import { FamilySet, type Family } from './family.js';
import type { HostOptions } from './collector.js';

export interface MountLabels {
  device: string;
  fstype: string;
  mountpoint: string;
}

export interface MountStats {
  labels: MountLabels;
  /** Set when statfs failed or timed out: only node_filesystem_device_error=1 is written. */
  deviceError: boolean;
  size?: number;
  free?: number;
  avail?: number;
  files?: number;
  filesFree?: number;
  readonly?: boolean;
}

/** node_exporter's mount filter: excluded mount points and file system types. */
export function mountIncluded(l: MountLabels, o: HostOptions): boolean {
  return !o.mountPointsExclude.test(l.mountpoint) && !o.fsTypesExclude.test(l.fstype);
}

const metrics: Array<[keyof MountStats, string, string]> = [
  ['size', 'node_filesystem_size_bytes', 'Filesystem size in bytes.'],
  ['free', 'node_filesystem_free_bytes', 'Filesystem free space in bytes.'],
  ['avail', 'node_filesystem_avail_bytes', 'Filesystem space available to non-root users in bytes.'],
  ['files', 'node_filesystem_files', 'Filesystem total file nodes.'],
  ['filesFree', 'node_filesystem_files_free', 'Filesystem total free file nodes.'],
];

export function filesystemFamilies(stats: readonly MountStats[]): Family[] {
  const out = new FamilySet();
  const seen = new Set<string>();
  for (const s of stats) {
    const labels = { device: s.labels.device, fstype: s.labels.fstype, mountpoint: s.labels.mountpoint };
    const key = JSON.stringify(labels);
    if (seen.has(key)) continue; // the same mount listed twice (bind mounts, namespaces)
    seen.add(key);
    out.add('node_filesystem_device_error', 'Whether an error occurred while getting statistics for the given device.', 'gauge', s.deviceError ? 1 : 0, labels);
    if (s.deviceError) continue;
    for (const [field, name, help] of metrics) {
      const v = s[field];
      if (typeof v === 'number') out.add(name, help, 'gauge', v, labels);
    }
    out.add('node_filesystem_readonly', 'Filesystem read-only status.', 'gauge', s.readonly ? 1 : 0, labels);
  }
  return out.families();
}
