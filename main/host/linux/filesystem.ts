/**
 * node_exporter's filesystem collector on Linux: mounts from /proc/1/mounts (falling back to
 * /proc/mounts), filtered by mount point and type, each measured with statfs() under a timeout
 * so one stuck network mount cannot hold the scrape.
 */
import { statfs } from 'node:fs/promises';
import type { Family } from '../family.js';
import type { CollectContext } from '../collector.js';
import { filesystemFamilies, mountIncluded, type MountLabels, type MountStats } from '../filesystem-families.js';
import { proc, readOptional } from './sources.js';

interface MountEntry extends MountLabels {
  options: string;
}

/** /proc/<pid>/mounts lines; \040 and \011 in mount points are a space and a tab (fstab(5)). */
function parseMounts(text: string, source: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const p = line.trim().split(/\s+/);
    if (p.length < 4) throw new Error(`${source}: malformed mount point information: ${JSON.stringify(line)}`);
    out.push({ device: p[0]!, mountpoint: p[1]!.replaceAll('\\040', ' ').replaceAll('\\011', '\t'), fstype: p[2]!, options: p[3]! });
  }
  return out;
}

async function measure(m: MountEntry, timeoutMs: number): Promise<MountStats> {
  const labels = { device: m.device, fstype: m.fstype, mountpoint: m.mountpoint };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const s = await Promise.race([
      statfs(m.mountpoint),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`statfs(${m.mountpoint}) took over ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return {
      labels,
      deviceError: false,
      size: s.blocks * s.bsize,
      free: s.bfree * s.bsize,
      avail: s.bavail * s.bsize,
      files: s.files,
      filesFree: s.ffree,
      readonly: m.options.split(',').includes('ro'),
    };
  } catch {
    return { labels, deviceError: true };
  } finally {
    clearTimeout(timer);
  }
}

export async function collectFilesystem(ctx: CollectContext): Promise<Family[]> {
  let source = proc(ctx.paths, '1', 'mounts');
  let text = readOptional(source);
  if (text === null) {
    source = proc(ctx.paths, 'mounts');
    text = (readOptional(source)) ?? '';
  }
  const mounts = parseMounts(text, source).filter((m) => mountIncluded(m, ctx.options));
  return filesystemFamilies(await Promise.all(mounts.map((m) => measure(m, ctx.options.mountTimeoutMs))));
}
