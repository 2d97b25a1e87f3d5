/**
 * Starts the discoverers of every scrape config and feeds their groups into TargetPools.
 * `apply(configs)` after a reload restarts discovery for jobs whose SD sections changed and
 * leaves the others running (so their targets, and the scrape loops behind them, stay put).
 */
import type { ScrapeConfig } from '../../config/schema.js';
import type { SdConfigs } from '../../config/schema-sd.js';
import type { Logger } from '../../util/log.js';
import { silentLogger } from '../../util/log.js';
import type { TargetPools } from '../targets-pools.js';
import type { Discoverer, DiscoveryErrorEvent, OnDiscoveryError } from './discoverer.js';
import { DnsDiscoverer } from './dns.js';
import { FileDiscoverer } from './file.js';
import { HttpDiscoverer } from './http.js';
import { StaticDiscoverer } from './static.js';

/** Providers of one SD section, named `<mechanism>/<index>` (stable across reloads). */
function discoverersFor(sd: SdConfigs, onError: OnDiscoveryError): Map<string, Discoverer> {
  const out = new Map<string, Discoverer>();
  if (sd.static_configs.length > 0) out.set('static/0', new StaticDiscoverer(sd.static_configs));
  sd.file_sd_configs.forEach((c, i) => out.set(`file/${i}`, new FileDiscoverer(c, onError)));
  sd.dns_sd_configs.forEach((c, i) => out.set(`dns/${i}`, new DnsDiscoverer(c, onError)));
  sd.http_sd_configs.forEach((c, i) => out.set(`http/${i}`, new HttpDiscoverer(c, onError)));
  return out;
}

function sdFingerprint(c: ScrapeConfig): string {
  return JSON.stringify([c.static_configs, c.file_sd_configs, c.dns_sd_configs, c.http_sd_configs]);
}

interface RunningJob {
  readonly fingerprint: string;
  readonly abort: AbortController;
  readonly providers: readonly string[];
}

export class DiscoveryManager {
  private readonly running = new Map<string, RunningJob>();

  constructor(
    private readonly pools: TargetPools,
    private readonly logger: Logger = silentLogger,
  ) {}

  apply(configs: readonly ScrapeConfig[]): void {
    const keep = new Set<string>();
    for (const cfg of configs) {
      const job = cfg.job_name;
      keep.add(job);
      const fp = sdFingerprint(cfg);
      const old = this.running.get(job);
      if (old !== undefined && old.fingerprint === fp) continue;
      if (old !== undefined) this.stopJob(job, old);
      const abort = new AbortController();
      const onError: OnDiscoveryError = (e) => this.logger.warn(`${e.mechanism} discovery for job ${JSON.stringify(job)}: ${e.message}`);
      const discoverers = discoverersFor(cfg, onError);
      for (const [provider, d] of discoverers) {
        d.run(abort.signal, (groups) => {
          if (!abort.signal.aborted) this.pools.update(job, provider, groups);
        }).catch((err: unknown) => onError({ mechanism: provider.split('/')[0] as DiscoveryErrorEvent['mechanism'], message: err instanceof Error ? err.message : String(err) }));
      }
      this.running.set(job, { fingerprint: fp, abort, providers: [...discoverers.keys()] });
    }
    for (const [job, r] of [...this.running]) if (!keep.has(job)) this.stopJob(job, r);
  }

  stop(): void {
    for (const [job, r] of [...this.running]) this.stopJob(job, r);
  }

  private stopJob(job: string, r: RunningJob): void {
    r.abort.abort();
    for (const p of r.providers) this.pools.clearProvider(job, p);
    this.running.delete(job);
  }
}
