/**
 * Which network this machine is on: the default gateway, the interfaces that are up with an
 * address, and the DNS search suffixes. Linux reads `/proc/net/route` and `/etc/resolv.conf`;
 * other systems ask `systeminformation` for the gateway. Parsing is pure, so tests feed text.
 */
import { readFile } from 'node:fs/promises';
import { networkInterfaces, platform } from 'node:os';

export interface NetworkFacts {
  /** The default route's gateway (IPv4, dotted), or null when there is none (offline). */
  gateway: string | null;
  /** Interfaces with a non-internal address, sorted. */
  interfaces: string[];
  /** DNS search suffixes, lower case, no trailing dot. */
  dnsSuffixes: string[];
}

/** A source of the current facts; tests pass a fake one. */
export type NetworkSource = () => Promise<NetworkFacts>;

/** The default gateway from `/proc/net/route` (little-endian hex): the first up route to 0.0.0.0/0. */
export function gatewayFromProcRoute(text: string): string | null {
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [, destination, gateway, flags, , , , mask] = f;
    // RTF_UP (1) and RTF_GATEWAY (2).
    if (destination !== '00000000' || mask !== '00000000' || (Number.parseInt(flags!, 16) & 3) !== 3) continue;
    const n = Number.parseInt(gateway!, 16);
    if (!Number.isFinite(n)) continue;
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
  }
  return null;
}

/** `search` and `domain` lines of resolv.conf (the last one wins, as in the resolver). */
export function dnsSuffixesFromResolvConf(text: string): string[] {
  let out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^(search|domain)\s+(.+)$/.exec(line);
    if (m) out = m[2]!.split(/\s+/).map((s) => s.toLowerCase().replace(/\.$/, '')).filter((s) => s !== '');
  }
  return out;
}

function upInterfaces(): string[] {
  const out: string[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) if (addrs?.some((a) => !a.internal)) out.push(name);
  return out.sort();
}

const readOr = (path: string) => readFile(path, 'utf8').catch(() => '');

/** This machine's network now. */
export const systemNetworkSource: NetworkSource = async () => {
  const interfaces = upInterfaces();
  const dnsSuffixes = dnsSuffixesFromResolvConf(await readOr('/etc/resolv.conf'));
  if (platform() === 'linux') return { gateway: gatewayFromProcRoute(await readOr('/proc/net/route')), interfaces, dnsSuffixes };
  const si = await import('systeminformation');
  const gw = await si.networkGatewayDefault().catch(() => '');
  return { gateway: gw === '' ? null : gw, interfaces, dnsSuffixes };
};

/** A target group's network: every field given must match (`vigil_network` in a scrape or probe config). */
export interface NetworkBinding {
  gateway?: string | undefined;
  interface?: string | undefined;
  dns_suffix?: string | undefined;
}

export function onNetwork(binding: NetworkBinding, facts: NetworkFacts): boolean {
  if (binding.gateway !== undefined && binding.gateway !== facts.gateway) return false;
  if (binding.interface !== undefined && !facts.interfaces.includes(binding.interface)) return false;
  if (binding.dns_suffix !== undefined && !facts.dnsSuffixes.includes(binding.dns_suffix.toLowerCase().replace(/\.$/, ''))) return false;
  return true;
}

export function describeBinding(b: NetworkBinding): string {
  return [b.gateway && `gateway ${b.gateway}`, b.interface && `interface ${b.interface}`, b.dns_suffix && `DNS suffix ${b.dns_suffix}`].filter(Boolean).join(', ');
}
