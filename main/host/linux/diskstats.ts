/**
 * node_exporter's diskstats collector on Linux: /proc/diskstats (fields per
 * Documentation/admin-guide/iostats.rst; discard fields from 4.18, flush fields from 5.5) and
 * node_disk_info with udev's properties when /run/udev/data has them.
 */
import { join } from 'node:path';
import { FamilySet, type Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { proc, readOptional, readText } from './sources.js';

const sectorBytes = 512;
const ms = 0.001;

/** By field index after major, minor, name: metric, HELP, TYPE, scale. */
const fields: ReadonlyArray<[string, string, 'counter' | 'gauge', number]> = [
  ['node_disk_reads_completed_total', 'The total number of reads completed successfully.', 'counter', 1],
  ['node_disk_reads_merged_total', 'The total number of reads merged.', 'counter', 1],
  ['node_disk_read_bytes_total', 'The total number of bytes read successfully.', 'counter', sectorBytes],
  ['node_disk_read_time_seconds_total', 'The total number of seconds spent by all reads.', 'counter', ms],
  ['node_disk_writes_completed_total', 'The total number of writes completed successfully.', 'counter', 1],
  ['node_disk_writes_merged_total', 'The number of writes merged.', 'counter', 1],
  ['node_disk_written_bytes_total', 'The total number of bytes written successfully.', 'counter', sectorBytes],
  ['node_disk_write_time_seconds_total', 'This is the total number of seconds spent by all writes.', 'counter', ms],
  ['node_disk_io_now', 'The number of I/Os currently in progress.', 'gauge', 1],
  ['node_disk_io_time_seconds_total', 'Total seconds spent doing I/Os.', 'counter', ms],
  ['node_disk_io_time_weighted_seconds_total', 'The weighted # of seconds spent doing I/Os.', 'counter', ms],
  ['node_disk_discards_completed_total', 'The total number of discards completed successfully.', 'counter', 1],
  ['node_disk_discards_merged_total', 'The total number of discards merged.', 'counter', 1],
  ['node_disk_discarded_sectors_total', 'The total number of sectors discarded successfully.', 'counter', 1],
  ['node_disk_discard_time_seconds_total', 'This is the total number of seconds spent by all discards.', 'counter', ms],
  ['node_disk_flush_requests_total', 'The total number of flush requests completed successfully', 'counter', 1],
  ['node_disk_flush_requests_time_seconds_total', 'This is the total number of seconds spent by all flush requests.', 'counter', ms],
];

interface DiskLine {
  major: string;
  minor: string;
  device: string;
  values: number[];
}

function parseDiskstats(text: string): DiskLine[] {
  const out: DiskLine[] = [];
  for (const line of text.split('\n')) {
    const p = line.trim().split(/\s+/);
    if (p.length < 14) continue;
    out.push({ major: p[0]!, minor: p[1]!, device: p[2]!, values: p.slice(3).map(Number) });
  }
  return out;
}

/** udev's database entry for a block device: its E:KEY=value properties. */
function parseUdevProperties(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^E:([^=]+)=(.*)$/.exec(line);
    if (m) props[m[1]!] = m[2]!;
  }
  return props;
}

function diskstatsFamilies(disks: readonly DiskLine[], udev: ReadonlyMap<string, Record<string, string>>): Family[] {
  const out = new FamilySet();
  for (const d of disks) {
    const props = udev.get(`${d.major}:${d.minor}`) ?? {};
    out.add('node_disk_info', 'Info of /sys/block/<block_device>.', 'gauge', 1, {
      device: d.device,
      major: d.major,
      minor: d.minor,
      path: props['ID_PATH'] ?? '',
      wwn: props['ID_WWN'] ?? '',
      model: props['ID_MODEL'] ?? '',
      serial: props['ID_SERIAL_SHORT'] ?? '',
      revision: props['ID_REVISION'] ?? '',
    });
    fields.forEach(([name, help, type, scale], i) => {
      const v = d.values[i];
      if (v !== undefined && Number.isFinite(v)) out.add(name, help, type, v * scale, { device: d.device });
    });
  }
  return out.families();
}

export async function collectDiskstats(ctx: CollectContext): Promise<Family[]> {
  const disks = parseDiskstats(readText(proc(ctx.paths, 'diskstats'))).filter((d) => !ctx.options.diskstatsDeviceExclude.test(d.device));
  const udev = new Map<string, Record<string, string>>();
  for (const d of disks) {
    let text: string | null = null;
    try {
      text = readOptional(join(ctx.paths.udevData, `b${d.major}:${d.minor}`));
    } catch {
      /* unreadable udev entry: the info labels stay empty */
    }
    if (text !== null) udev.set(`${d.major}:${d.minor}`, parseUdevProperties(text));
  }
  return diskstatsFamilies(disks, udev);
}
