/**
 * dns_sd_configs: SRV, A, AAAA, MX and NS lookups every refresh_interval, labels as Prometheus
 * names them (`__meta_dns_name`, `__meta_dns_srv_record_target`, `__meta_dns_srv_record_port`,
 * `__meta_dns_mx_record_target`, `__meta_dns_ns_record_target`; record targets keep their final
 * dot as Go's resolver returns them). Uses node:dns (c-ares); `nameserver: host:port` points it
 * at a given server instead of the system's. A name that does not exist yields an empty group;
 * any other failure keeps the previous targets.
 */
import { Resolver } from 'node:dns/promises';
import type { DnsRecordType, DnsSdConfig } from '../../config/schema-sd.js';
import { joinHostPort, sleep, type Discoverer, type OnDiscoveryError, type TargetGroup, type TargetLabels } from './discoverer.js';

const fqdn = (name: string) => (name.endsWith('.') ? name : name + '.');

// c-ares codes that mean "the answer is: nothing" rather than "could not ask".
const emptyAnswer = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME']);

type Lookup = (r: Resolver, name: string, port: number) => Promise<Record<string, string>[]>;

const lookups: Readonly<Record<DnsRecordType, Lookup>> = {
  SRV: async (r, name) =>
    (await r.resolveSrv(name)).map((s) => ({
      __address__: joinHostPort(s.name.replace(/\.$/, ''), s.port),
      __meta_dns_srv_record_target: fqdn(s.name),
      __meta_dns_srv_record_port: String(s.port),
    })),
  A: async (r, name, port) => (await r.resolve4(name)).map((ip) => ({ __address__: joinHostPort(ip, port) })),
  AAAA: async (r, name, port) => (await r.resolve6(name)).map((ip) => ({ __address__: joinHostPort(ip, port) })),
  MX: async (r, name, port) =>
    (await r.resolveMx(name)).map((mx) => ({
      __address__: joinHostPort(mx.exchange.replace(/\.$/, ''), port),
      __meta_dns_mx_record_target: fqdn(mx.exchange),
    })),
  NS: async (r, name, port) =>
    (await r.resolveNs(name)).map((ns) => ({
      __address__: joinHostPort(ns.replace(/\.$/, ''), port),
      __meta_dns_ns_record_target: fqdn(ns),
    })),
};

export class DnsDiscoverer implements Discoverer {
  private readonly resolver: Resolver;

  constructor(
    private readonly config: DnsSdConfig,
    private readonly onError: OnDiscoveryError = () => {},
    timeoutMs = 5000,
  ) {
    this.resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
    if (config.nameserver !== '') this.resolver.setServers([config.nameserver]);
  }

  /** One lookup of every name; groups for the names that answered (one group per name). */
  async refresh(): Promise<TargetGroup[]> {
    const lookup = lookups[this.config.type];
    const results = await Promise.all(
      this.config.names.map(async (name): Promise<TargetGroup | null> => {
        try {
          const found = await lookup(this.resolver, name, this.config.port);
          const targets: TargetLabels[] = found.map((t) => ({ ...t, __meta_dns_name: name }));
          return { source: name, targets, labels: {} };
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? '';
          if (emptyAnswer.has(code)) return { source: name, targets: [], labels: {} };
          const server = this.config.nameserver === '' ? 'the system resolver' : this.config.nameserver;
          this.onError({ mechanism: 'dns', message: `DNS ${this.config.type} lookup of ${name} via ${server} failed: ${code || (err instanceof Error ? err.message : String(err))}` });
          return null;
        }
      }),
    );
    return results.filter((g): g is TargetGroup => g !== null);
  }

  async run(signal: AbortSignal, send: (groups: readonly TargetGroup[]) => void): Promise<void> {
    const cancel = () => this.resolver.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      while (!signal.aborted) {
        const groups = await this.refresh();
        if (!signal.aborted && groups.length > 0) send(groups);
        await sleep(this.config.refresh_interval, signal);
      }
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }
}
