/**
 * This machine's metrics with node_exporter's names, collected in process: the collectors of
 * this OS run concurrently; each one's failure becomes node_scrape_collector_success{collector}=0
 * and the rest are written as usual. Served as a scrape target (`/host/metrics`) so the samples
 * take Vigil's normal scrape path.
 */
import { performance } from 'node:perf_hooks';
import { compileRegex } from '../../app/dialect/regex.js';
import type { Logger } from '../util/log.js';
import { family, renderFamilies, type Family } from './family.js';
import { NoDataError, type CollectContext, type HostCollectorSpec, type HostOptions } from './collector.js';
import { enabledCollectors, requestCollectors } from './filter.js';
import { linuxCollectors } from './linux/collectors.js';
import { defaultLinuxPaths, type LinuxPaths } from './linux/sources.js';

/** node_exporter 1.5's defaults (upstream; Debian's package also excludes /run, /mnt and /media, and netdev's lo). */
export const defaultHostOptionText = {
  mountPointsExclude: '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)',
  fsTypesExclude:
    '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$',
  diskstatsDeviceExclude: '^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$',
  netdevDeviceExclude: '',
  powerSupplyIgnored: '^$',
  vmstatFields: '^(oom_kill|pgpg|pswp|pg.*fault).*',
} as const;

/** node_exporter's darwin defaults for the filesystem collector. */
const darwinMountText = { mountPointsExclude: '^/(dev)($|/)', fsTypesExclude: '^(autofs|devfs)$' };

export function hostOptions(text: Partial<Record<keyof typeof defaultHostOptionText, string>> = {}, platform = process.platform): HostOptions {
  const base = platform === 'linux' ? defaultHostOptionText : { ...defaultHostOptionText, ...darwinMountText };
  const t = { ...base, ...text };
  // node_exporter's flags are unanchored Go regexps.
  const re = (s: string) => compileRegex(s, 'unanchored');
  return {
    mountPointsExclude: re(t.mountPointsExclude),
    fsTypesExclude: re(t.fsTypesExclude),
    diskstatsDeviceExclude: re(t.diskstatsDeviceExclude),
    netdevDeviceExclude: t.netdevDeviceExclude === '' ? null : re(t.netdevDeviceExclude),
    powerSupplyIgnored: re(t.powerSupplyIgnored),
    vmstatFields: re(t.vmstatFields),
    mountTimeoutMs: 5000,
  };
}

export interface HostCollectorOptions {
  /** `--collector.<name>` / `--no-collector.<name>` flags. */
  flags?: readonly string[];
  options?: HostOptions;
  paths?: LinuxPaths;
  /** Replaces the OS's collector table (tests). */
  collectors?: readonly HostCollectorSpec[];
  logger?: Logger;
  now?: () => number;
}

export interface CollectionResult {
  families: Family[];
  /** Collector → error message, for the ones that failed. */
  failures: Record<string, string>;
}

export class HostCollector {
  private table: readonly HostCollectorSpec[] | null;
  private readonly ctx: CollectContext;
  private readonly flags: readonly string[];

  constructor(private readonly o: HostCollectorOptions = {}) {
    this.table = o.collectors ?? (process.platform === 'linux' ? linuxCollectors : null);
    this.flags = o.flags ?? [];
    this.ctx = { paths: o.paths ?? defaultLinuxPaths, options: o.options ?? hostOptions(), now: o.now ?? Date.now };
    if (this.table) enabledCollectors(this.table.map((c) => c.name), this.flags); // bad flags fail at start
  }

  /** The collector table of this OS; the systeminformation one is loaded on first use (only off Linux). */
  private async collectors(): Promise<readonly HostCollectorSpec[]> {
    if (this.table === null) this.table = (await import('./si/collectors.js')).siCollectors;
    return this.table;
  }

  async names(): Promise<string[]> {
    return (await this.collectors()).map((c) => c.name);
  }

  /** Runs the enabled collectors (narrowed by `collect[]`/`exclude[]`); throws CollectorFilterError for unknown names. */
  async collect(collect: readonly string[] = [], exclude: readonly string[] = []): Promise<CollectionResult> {
    const table = await this.collectors();
    const enabled = enabledCollectors(
      table.map((c) => c.name),
      this.flags,
    );
    const run = requestCollectors(enabled, collect, exclude);
    const failures: Record<string, string> = {};
    const results = await Promise.all(
      table
        .filter((c) => run.has(c.name))
        .map(async (c) => {
          const start = performance.now();
          let families: Family[] = [];
          let ok = true;
          try {
            families = await c.collect(this.ctx);
          } catch (err) {
            ok = false;
            failures[c.name] = err instanceof Error ? err.message : String(err);
            if (err instanceof NoDataError) this.o.logger?.debug(`host collector ${c.name}: ${failures[c.name]}`);
            else this.o.logger?.warn(`host collector ${c.name} failed`, { error: failures[c.name] });
          }
          return { name: c.name, families, ok, seconds: (performance.now() - start) / 1000 };
        }),
    );
    const families = results.flatMap((r) => r.families);
    families.push(
      family(
        'node_scrape_collector_duration_seconds',
        'node_exporter: Duration of a collector scrape.',
        'gauge',
        results.map((r) => ({ labels: { collector: r.name }, value: r.seconds })),
      ),
      family(
        'node_scrape_collector_success',
        'node_exporter: Whether a collector succeeded.',
        'gauge',
        results.map((r) => ({ labels: { collector: r.name }, value: r.ok ? 1 : 0 })),
      ),
    );
    return { families, failures };
  }

  /** Prometheus text 0.0.4 of one collection. */
  async render(collect: readonly string[] = [], exclude: readonly string[] = []): Promise<string> {
    return renderFamilies((await this.collect(collect, exclude)).families);
  }
}
