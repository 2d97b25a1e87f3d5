/** node_exporter's uname collector: node_uname_info from Node's os module (uname(2)); domainname from /proc on Linux. */
import { machine, release, type as osType, version, hostname } from 'node:os';
import { family, type Family } from './family.js';
import type { CollectContext } from './collector.js';
import { proc, readAttr } from './linux/sources.js';

interface Uname {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
  domainname: string;
}

function unameFamilies(u: Uname): Family[] {
  return [family('node_uname_info', 'Labeled system information as provided by the uname system call.', 'gauge', [{ labels: { ...u }, value: 1 }])];
}

export async function collectUname(ctx: CollectContext): Promise<Family[]> {
  const domainname = process.platform === 'linux' ? ((readAttr(proc(ctx.paths, 'sys', 'kernel', 'domainname'))) ?? '(none)') : '(none)';
  return unameFamilies({ sysname: osType(), nodename: hostname(), release: release(), version: version(), machine: machine(), domainname });
}
