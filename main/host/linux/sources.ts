/**
 * Where the Linux collectors read: node_exporter's --path.procfs, --path.sysfs, --path.udev.data
 * (tests point them at fixture trees), and small readers that tell "absent" from "failed".
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface LinuxPaths {
  procfs: string;
  sysfs: string;
  udevData: string;
  /** Where os-release is looked for, in order (node_exporter: /etc/os-release, then /usr/lib/os-release). */
  osRelease: readonly string[];
}

export const defaultLinuxPaths: LinuxPaths = {
  procfs: '/proc',
  sysfs: '/sys',
  udevData: '/run/udev/data',
  osRelease: ['/etc/os-release', '/usr/lib/os-release'],
};

export const proc = (p: LinuxPaths, ...parts: string[]): string => join(p.procfs, ...parts);
export const sys = (p: LinuxPaths, ...parts: string[]): string => join(p.sysfs, ...parts);

const isMissing = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/** The file's text, or null when it does not exist (other errors are thrown). */
export async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** A sysfs attribute as a trimmed string, or null when absent or unreadable (sysfs files may refuse reads, e.g. EINVAL/EIO). */
export async function readAttr(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}

/** Directory entries, or null when the directory does not exist. */
export async function listOptional(path: string): Promise<string[] | null> {
  try {
    return await readdir(path);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}
