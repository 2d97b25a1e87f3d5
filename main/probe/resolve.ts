/**
 * Target resolution as blackbox_exporter's chooseProtocol does it: prefer one IP family, fall
 * back to the other, and export probe_dns_lookup_time_seconds, probe_ip_protocol and
 * probe_ip_addr_hash (registered up front, so they read 0 when resolution fails).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ProbeContext } from './types.js';
import { ipBytes } from '../util/ip.js';

export interface Resolved {
  readonly address: string;
  readonly family: 4 | 6;
  readonly lookupSeconds: number;
}

/** FNV-1a 32 over the address bytes (4 for IPv4, 16 for IPv6), as blackbox's ipHash: not the string. */
export function ipAddrHash(address: string): number {
  let h = 0x811c9dc5;
  for (const b of ipBytes(address)) {
    h ^= b;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

export type LookupFn = (host: string) => Promise<{ address: string; family: number }[]>;
const systemLookup: LookupFn = (host) => lookup(host, { all: true, verbatim: true });

/** Resolves `host` and records blackbox's three resolution metrics; throws with a message on failure. */
export async function chooseProtocol(
  ctx: ProbeContext,
  host: string,
  preferred: 'ip4' | 'ip6' | undefined,
  fallback: boolean,
  resolver: LookupFn = systemLookup,
): Promise<Resolved> {
  const m = ctx.metrics;
  m.register('probe_ip_protocol', 'probe_dns_lookup_time_seconds', 'probe_ip_addr_hash');
  const want = preferred === 'ip4' ? 4 : 6; // blackbox's default preference is ip6
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  ctx.log('info', 'resolve', 'Resolving target address', { target: bare, ip_protocol: `ip${want}` });
  const start = performance.now();
  const done = (): number => {
    const s = (performance.now() - start) / 1000;
    m.add('probe_dns_lookup_time_seconds', s);
    return s;
  };
  let addrs: { address: string; family: number }[];
  try {
    addrs = isIP(bare) !== 0 ? [{ address: bare, family: isIP(bare) }] : await withAbort(resolver(bare), ctx.signal);
  } catch (err) {
    done();
    ctx.log('error', 'resolve', 'Resolution with IP protocol failed', { target: bare, err: (err as Error).message });
    throw new Error(`cannot resolve "${bare}": ${(err as Error).message}`);
  }
  const exact = addrs.find((a) => a.family === want);
  const other = addrs.find((a) => a.family !== want);
  const chosen = exact ?? (fallback ? other : undefined);
  const lookupSeconds = done();
  if (chosen === undefined) {
    ctx.log('error', 'resolve', 'Resolution with IP protocol failed', { target: bare, err: `no ip${want} address and ip_protocol_fallback is off` });
    throw new Error(`"${bare}" has no ip${want} address (ip_protocol_fallback is off)`);
  }
  const family = chosen.family === 6 ? 6 : 4;
  m.set('probe_ip_protocol', family);
  m.set('probe_ip_addr_hash', ipAddrHash(chosen.address));
  ctx.log('info', 'resolve', 'Resolved target address', { target: bare, ip: chosen.address });
  return { address: chosen.address, family, lookupSeconds };
}

/** Rejects when the signal aborts, so a hung resolver cannot outlive the probe's timeout. */
function withAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('probe timed out'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('probe timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

