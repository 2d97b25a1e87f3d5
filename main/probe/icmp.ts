/**
 * The icmp prober. Raw ICMP sockets need privileges Node does not have, so we run the system
 * `ping` (setuid or with cap_net_raw on Linux) for one echo and parse its output. When ping is
 * missing or not permitted, the probe fails cleanly with the reason in the probe log.
 */
import { spawn } from 'node:child_process';
import type { IcmpProbeConfig } from './module-schema.js';
import { chooseProtocol, type LookupFn } from './resolve.js';
import type { ProbeContext } from './types.js';
import { remainingMs } from './types.js';

export interface PingReply {
  readonly rttSeconds: number;
  readonly ttl?: number;
}

/** Parses iputils / busybox / BSD ping output: `64 bytes from 1.2.3.4: icmp_seq=1 ttl=64 time=0.045 ms`. */
export function parsePingOutput(text: string): PingReply | null {
  for (const line of text.split('\n')) {
    const time = /time[=<]\s*([\d.]+)\s*(ms|s|us|µs)?/.exec(line);
    if (!time || !/bytes from|icmp_seq/i.test(line)) continue;
    const unit = time[2] ?? 'ms';
    const divisor: Record<string, number> = { s: 1, ms: 1e3, us: 1e6, 'µs': 1e6 };
    const ttl = /(?:ttl|hlim)=(\d+)/i.exec(line);
    return { rttSeconds: Number(time[1]) / (divisor[unit] ?? 1e3), ...(ttl ? { ttl: Number(ttl[1]) } : {}) };
  }
  return null;
}

function runPing(path: string, args: string[], signal: AbortSignal): Promise<{ code: number | null; out: string; spawnError?: string }> {
  return new Promise((resolve) => {
    let out = '';
    let child;
    try {
      child = spawn(path, args, { signal, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: null, out: '', spawnError: (err as Error).message });
      return;
    }
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ code: null, out, spawnError: err.code === 'ENOENT' ? `"${path}" not found` : err.name === 'AbortError' ? 'timeout: ping did not answer before the probe deadline' : err.message }),
    );
    child.on('close', (code) => resolve({ code, out }));
  });
}

export async function probeIcmp(ctx: ProbeContext, target: string, cfg: IcmpProbeConfig, resolver?: LookupFn): Promise<boolean> {
  const m = ctx.metrics;
  for (const phase of ['resolve', 'setup', 'rtt']) m.set('probe_icmp_duration_seconds', 0, { phase });
  let ip: string;
  let family: 4 | 6;
  try {
    const r = await chooseProtocol(ctx, target, cfg.preferred_ip_protocol, cfg.ip_protocol_fallback, resolver);
    m.add('probe_icmp_duration_seconds', r.lookupSeconds, { phase: 'resolve' });
    ip = r.address;
    family = r.family;
  } catch (err) {
    ctx.log('error', 'resolve', 'Error resolving address', { err: (err as Error).message });
    return false;
  }
  const waitSeconds = Math.max(1, Math.ceil(remainingMs(ctx) / 1000));
  const args = [family === 6 ? '-6' : '-4', '-n', '-c', '1', '-W', String(waitSeconds), '-t', String(cfg.ttl)];
  if (cfg.payload_size !== undefined) args.push('-s', String(cfg.payload_size));
  if (cfg.dont_fragment && family === 4) args.push('-M', 'do');
  if (cfg.source_ip_address !== undefined) args.push('-I', cfg.source_ip_address);
  args.push(ip);
  const setupStart = performance.now();
  ctx.log('info', 'icmp', 'Creating socket (running ping)', { ping: ctx.pingPath, args: args.join(' ') });
  const r = await runPing(ctx.pingPath, args, ctx.signal);
  m.set('probe_icmp_duration_seconds', (performance.now() - setupStart) / 1000, { phase: 'setup' });
  if (r.spawnError !== undefined) {
    ctx.log('error', 'icmp', 'Cannot run ping', { err: r.spawnError, hint: 'install iputils-ping (it carries cap_net_raw) or build native/icmp' });
    return false;
  }
  const reply = parsePingOutput(r.out);
  if (r.code !== 0 || reply === null) {
    ctx.log('error', 'icmp', 'No echo reply', { exit_code: r.code ?? -1, output: r.out.trim().split('\n').slice(-3).join(' | ') });
    return false;
  }
  // The setup phase above includes the rtt (ping reports them together); take the rtt back out.
  m.set('probe_icmp_duration_seconds', Math.max(0, (m.get('probe_icmp_duration_seconds', { phase: 'setup' }) ?? 0) - reply.rttSeconds), { phase: 'setup' });
  m.set('probe_icmp_duration_seconds', reply.rttSeconds, { phase: 'rtt' });
  if (reply.ttl !== undefined) m.set('probe_icmp_reply_hop_limit', reply.ttl);
  ctx.log('info', 'icmp', 'Found matching reply packet', { rtt_seconds: reply.rttSeconds });
  return true;
}
