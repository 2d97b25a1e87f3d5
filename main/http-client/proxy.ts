/**
 * Which proxy a request goes through, as Prometheus' ProxyConfig decides it
 * (prometheus/common config/http_config.go over golang.org/x/net/http/httpproxy):
 *
 * * `proxy_url` alone: every request goes through it, loopback targets included (Go's
 *   http.ProxyURL).
 * * `proxy_url` with `no_proxy`, or `proxy_from_environment` (HTTP_PROXY / HTTPS_PROXY /
 *   NO_PROXY, upper or lower case, chosen by the target's scheme): httpproxy's rules — never
 *   localhost or a loopback IP; `no_proxy` entries are comma separated IPs, CIDRs, domains
 *   (`foo.com` matches it and its subdomains, `.foo.com` and `*.foo.com` only subdomains), each
 *   optionally with `:port`, or `*` for none at all.
 * * A proxy URL without a scheme is taken as `http://…`.
 *
 * The agents come from `http-proxy-agent` (plain HTTP: the request in absolute form to the
 * proxy) and `https-proxy-agent` (HTTPS: a CONNECT tunnel carrying `proxy_connect_header`, then
 * TLS to the target end to end), the maintained implementations Node lacks. User info in the
 * proxy URL becomes `Proxy-Authorization: Basic …`, as in Go.
 */
import { Buffer } from 'node:buffer';
import type { Agent } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';

export interface ProxySettings {
  /** '' when none is configured. */
  readonly url: string;
  readonly noProxy: string;
  readonly fromEnvironment: boolean;
  /** Sent on CONNECT only (Go's Transport.ProxyConnectHeader); several values join with ", ". */
  readonly connectHeader: Readonly<Record<string, readonly string[]>>;
}

/** No proxy configured: every request connects directly. */
export const directConnection: ProxySettings = { url: '', noProxy: '', fromEnvironment: false, connectHeader: {} };

/** httpproxy's parseProxy: a URL, or host[:port] taken as http://host[:port]. */
function parseProxyUrl(raw: string): URL {
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(raw)) return new URL(raw);
  try {
    return new URL(`http://${raw}`);
  } catch {
    throw new Error(`invalid proxy address ${JSON.stringify(raw)}`);
  }
}

interface Exclusions {
  readonly all: boolean;
  readonly ips: ReadonlyArray<{ readonly list: BlockList; readonly port: string }>;
  readonly domains: ReadonlyArray<{ readonly host: string; readonly port: string; readonly matchHost: boolean }>;
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const stripBrackets = (h: string): string => h.replace(/^\[(.*)\]$/, '$1');

/** Splits `host:port` / `[v6]:port` as Go's net.SplitHostPort; null when there is no port. */
function splitHostPort(s: string): [string, string] | null {
  const v6 = /^\[([^\]]*)\]:(\d*)$/.exec(s);
  if (v6) return [v6[1]!, v6[2]!];
  const i = s.lastIndexOf(':');
  if (i < 0 || s.indexOf(':') !== i) return null;
  return [s.slice(0, i), s.slice(i + 1)];
}

/** httpproxy's config.init for NO_PROXY; unparsable entries are skipped, as Go does. */
function parseNoProxy(list: string): Exclusions {
  const ips: Array<Exclusions['ips'][number]> = [];
  const domains: Array<Exclusions['domains'][number]> = [];
  for (const raw of list.split(',')) {
    const p = raw.trim().toLowerCase();
    if (p === '') continue;
    if (p === '*') return { all: true, ips: [], domains: [] };
    const cidr = /^(.+)\/(\d+)$/.exec(p);
    if (cidr && isIP(cidr[1]!) !== 0) {
      const list = new BlockList();
      try {
        list.addSubnet(cidr[1]!, Number(cidr[2]), isIP(cidr[1]!) === 6 ? 'ipv6' : 'ipv4');
      } catch {
        continue;
      }
      ips.push({ list, port: '' });
      continue;
    }
    const hp = splitHostPort(p);
    let host = hp ? stripBrackets(hp[0]) : p;
    const port = hp ? hp[1] : '';
    if (hp && hp[0] === '') continue;
    if (isIP(host) !== 0) {
      const list = new BlockList();
      list.addAddress(host, isIP(host) === 6 ? 'ipv6' : 'ipv4');
      ips.push({ list, port });
      continue;
    }
    if (host === '') continue;
    if (host.startsWith('*.')) host = host.slice(1);
    const matchHost = !host.startsWith('.');
    domains.push({ host: matchHost ? `.${host}` : host, port, matchHost });
  }
  return { all: false, ips, domains };
}

/** httpproxy's useProxy for a target host and port (port always set: 80/443 by default). */
function useProxy(ex: Exclusions, hostname: string, port: string): boolean {
  const host = stripBrackets(hostname).toLowerCase();
  if (host === 'localhost') return false;
  const family = isIP(host);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (family !== 0 && loopback.check(host, type)) return false;
  if (ex.all) return false;
  if (family !== 0) for (const m of ex.ips) if (m.list.check(host, type) && (m.port === '' || m.port === port)) return false;
  for (const m of ex.domains) {
    if ((host.endsWith(m.host) || (m.matchHost && host === m.host.slice(1))) && (m.port === '' || m.port === port)) return false;
  }
  return true;
}

const env = (e: NodeJS.ProcessEnv, upper: string): string => e[upper] || e[upper.toLowerCase()] || '';

/**
 * The proxy for a request to `target`, or undefined to connect directly. Throws on a proxy
 * address that cannot be parsed, naming it.
 */
export function proxyFor(p: ProxySettings, target: URL, environment: NodeJS.ProcessEnv = process.env): URL | undefined {
  let proxy: string;
  let exclusions: string | undefined;
  if (p.fromEnvironment) {
    proxy = target.protocol === 'https:' ? env(environment, 'HTTPS_PROXY') : target.protocol === 'http:' ? env(environment, 'HTTP_PROXY') : '';
    exclusions = env(environment, 'NO_PROXY');
    // net/http refuses HTTP_PROXY in a CGI environment (golang.org/s/cgihttpproxy); so do we.
    if (proxy !== '' && target.protocol === 'http:' && (environment['REQUEST_METHOD'] ?? '') !== '') {
      throw new Error('refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy');
    }
  } else {
    proxy = p.url;
    exclusions = p.noProxy === '' ? undefined : p.noProxy;
  }
  if (proxy === '') return undefined;
  const url = parseProxyUrl(proxy);
  // Go's http.ProxyURL (proxy_url without no_proxy) proxies everything; httpproxy skips loopback.
  if (exclusions === undefined) return url;
  const port = target.port !== '' ? target.port : target.protocol === 'https:' ? '443' : '80';
  return useProxy(parseNoProxy(exclusions), target.hostname, port) ? url : undefined;
}

/** proxy_connect_header as request headers (several values joined with ", "). */
export function connectHeaders(p: ProxySettings): Record<string, string> {
  return Object.fromEntries(Object.entries(p.connectHeader).map(([k, v]) => [k, v.join(', ')]));
}

/** `Proxy-Authorization` from the proxy URL's user info (as Go's Transport sends it), or no header. */
export function proxyAuthorization(proxy: URL): Record<string, string> {
  if (proxy.username === '' && proxy.password === '') return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** A Node agent that sends requests for `target` through `proxy` (see the header comment). */
export function proxyAgent(proxy: URL, target: URL, p: ProxySettings, keepAlive: boolean): Agent {
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new Error(`proxy ${proxy.protocol.slice(0, -1)}://${proxy.host}: unsupported proxy scheme ${JSON.stringify(proxy.protocol.slice(0, -1))} (Vigil speaks to http and https proxies)`);
  }
  const headers = connectHeaders(p);
  return target.protocol === 'https:' ? new HttpsProxyAgent(proxy, { keepAlive, headers }) : new HttpProxyAgent(proxy, { keepAlive });
}

/** Agents of one client, one per proxy and target scheme, so kept-alive connections are reused. */
export class ProxyAgents {
  private readonly agents = new Map<string, Agent>();

  constructor(
    private readonly settings: ProxySettings,
    private readonly keepAlive: boolean,
  ) {}

  /** The agent for `target`, or undefined when it is reached directly. */
  agentFor(target: URL): Agent | undefined {
    const proxy = proxyFor(this.settings, target);
    if (proxy === undefined) return undefined;
    const key = `${target.protocol} ${proxy.href}`;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      agent = proxyAgent(proxy, target, this.settings, this.keepAlive);
      this.agents.set(key, agent);
    }
    return agent;
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}
