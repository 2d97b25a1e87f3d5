/**
 * Scraping, wired: the running config (file or embedded default), service discovery feeding
 * target pools, and the scrape manager writing into storage. Config reloads (file change or
 * API) apply new scrape configs; a bad file is reported and the running config stays.
 */
import type { ScrapeSpread } from '../scrape/loop.js';
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import { ApiError } from '../../app/api/errors.js';
import { ConfigStore, type ReloadResult } from '../config/store.js';
import { ConfigError } from '../config/load.js';
import { readRuleFiles } from '../rules/manager.js';
import { defaultConfigText } from '../config/default-config.js';
import type { Config } from '../config/schema.js';
import { ScrapeManager } from '../scrape/manager.js';
import { TargetPools } from '../scrape/targets-pools.js';
import { DiscoveryManager } from '../scrape/sd/discovery.js';
import type { ScrapeClient } from '../scrape/http.js';
import { targetClient, targetRequest } from '../scrape/target-client.js';
import { lintPage } from '../scrape/lint.js';
import type { Appendable, ExemplarAppender } from '../tsdb/interface.js';
import { labelsToRecord, type Labels } from '../tsdb/labels.js';
import type { Logger } from '../util/log.js';
import type { TargetsService } from '../api/services.js';

export interface CollectionOptions {
  configFile: string | null;
  /** host:port of Vigil's own /metrics, substituted into the embedded default config. */
  selfAddress: string;
  storage: Appendable;
  /** Scraped exemplars go here (none kept when absent). */
  exemplars?: ExemplarAppender;
  userAgent: string;
  logger: Logger;
  /** Scrape schedule (scrape/loop.ts scrapeOffset); default 'slots'. */
  scrapeSpread?: ScrapeSpread;
  onConfig?: (config: Config) => void;
  /** The engine's clock for sample timestamps (main/util/engine-clock.ts). */
  now?: () => number;
  /** Scrape intervals are multiplied by this (energy mode). */
  intervalScale?: () => number;
  /** The running config for a loaded one (main/setup/: first-launch toggles and websites). */
  overlay?: (config: Config) => Config;
}

const rec = (l: Labels) => labelsToRecord(l);

/** A config naming rule files that are missing or invalid is refused whole, as Prometheus does. */
function ruleFileErrors(cfg: Config, file: string): ConfigError[] {
  return readRuleFiles(cfg.rule_files).errors.map((e) => new ConfigError(file, 0, 'rule_files', e));
}

export class Collection implements TargetsService {
  readonly config: ConfigStore;
  readonly scrape: ScrapeManager;
  private pools: TargetPools | null = null;
  private discovery: DiscoveryManager | null = null;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(private readonly o: CollectionOptions) {
    this.config = new ConfigStore(o.configFile, { defaultText: defaultConfigText(o.selfAddress), validate: ruleFileErrors });
    this.scrape = new ScrapeManager({
      appendable: o.storage,
      ...(o.exemplars ? { exemplars: o.exemplars } : {}),
      userAgent: o.userAgent,
      logger: o.logger.child('scrape'),
      ...(o.scrapeSpread !== undefined ? { spread: o.scrapeSpread } : {}),
      ...(o.now ? { now: o.now } : {}),
      ...(o.intervalScale ? { intervalScale: o.intervalScale } : {}),
    });
  }

  /** Loads the config; throws with every error (file:line: field: message) when the first load fails. */
  static async start(o: CollectionOptions): Promise<Collection> {
    const c = new Collection(o);
    const first = await c.config.reload();
    if (!first.ok) throw new Error(`invalid config:\n${first.errors.map(String).join('\n')}`);
    c.apply(first.config);
    c.config.onReload((r) => c.onReload(r));
    if (o.configFile !== null) c.config.watch();
    return c;
  }

  private onReload(r: ReloadResult): void {
    if (!r.ok) {
      this.o.logger.error(`config reload failed; keeping the running config:\n${r.errors.map(String).join('\n')}`);
      return;
    }
    if (r.changed) this.apply(r.config);
  }

  /** Applies the current config again, e.g. after the first-launch settings changed. */
  reapply(): void {
    const cfg = this.config.current();
    if (cfg !== null) this.apply(cfg);
  }

  private apply(loaded: Config): void {
    const cfg = this.o.overlay ? this.o.overlay(loaded) : loaded;
    if (this.pools === null) {
      this.pools = new TargetPools(cfg.scrape_configs);
      this.discovery = new DiscoveryManager(this.pools, this.o.logger.child('sd'));
      this.pools.onChange(() => this.scheduleSync());
    } else {
      this.pools.setConfigs(cfg.scrape_configs);
    }
    this.discovery!.apply(cfg.scrape_configs);
    this.scheduleSync();
    this.o.onConfig?.(cfg);
  }

  /** SD updates arrive in bursts; apply them together. */
  private scheduleSync(): void {
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => {
      const pools = this.pools;
      if (pools === null) return;
      this.scrape.sync(pools.allActive(), pools.allDropped()).catch((err: unknown) => this.o.logger.error('scrape sync failed', { error: String(err) }));
    }, 50);
  }

  async reload(): Promise<ReloadResult> {
    return this.config.reload();
  }

  async targets(request: RequestOf<'targets'>): Promise<ResponseOf<'targets'>> {
    const r = this.scrape.targets();
    const steps = new Map((this.pools?.allActive() ?? []).map((t) => [t.url, t]));
    const active = r.activeTargets
      .filter((t) => request.scrapePool === undefined || t.scrapePool === request.scrapePool)
      .map((t) => {
        const target = steps.get(t.scrapeUrl);
        return {
          ...t,
          relabelSteps: target
            ? target.relabelSteps().map((s) => ({ index: s.index, action: s.action, before: rec(s.before), after: rec(s.after), dropped: s.dropped }))
            : [],
        };
      });
    return { activeTargets: active, droppedTargets: r.droppedTargets };
  }

  async lintTarget(request: RequestOf<'lintTarget'>): Promise<ResponseOf<'lintTarget'>> {
    // Only URLs of configured targets: the page cannot make Vigil fetch arbitrary addresses.
    const target = this.pools?.allActive().find((t) => t.url === request.scrapeUrl);
    if (!target) throw new ApiError({ kind: 'bad_request', message: `${request.scrapeUrl} is not a configured scrape target` });
    // The target's own client and request (TLS, proxy, auth, redirects), as its scrapes use.
    let client: ScrapeClient | undefined;
    try {
      client = targetClient(target);
      const res = await client.fetch(await targetRequest(target, this.o.userAgent));
      const r = lintPage(res.body, res.contentType);
      return { problems: r.problems.map((p) => ({ metric: p.metric, text: p.text })), error: r.error ?? null };
    } catch (err) {
      return { problems: [], error: (err as Error).message };
    } finally {
      client?.close();
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.syncTimer);
    this.config.close();
    this.discovery?.stop();
    await this.scrape.stop();
  }
}
