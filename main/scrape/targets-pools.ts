/**
 * Per-job target sets fed by service discovery. Each discoverer of a job is a "provider"; its
 * groups are merged by source (a source sent with no targets is removed), the job's targets are
 * rebuilt, and listeners get the job's new list. A job over its target_limit gets no active
 * targets and an error, as Prometheus' scrape pool refuses to scrape any of them.
 */
import type { ScrapeConfig } from '../config/schema.js';
import type { TargetGroup } from './sd/discoverer.js';
import type { DroppedTarget, ScrapeTarget } from './target-types.js';
import { buildTargets } from './targets.js';

export interface JobTargets {
  readonly job: string;
  readonly active: readonly ScrapeTarget[];
  readonly dropped: readonly DroppedTarget[];
  /** Targets that could not be built, and a target_limit breach; shown on the Targets page. */
  readonly errors: readonly string[];
}

export type TargetsListener = (job: JobTargets) => void;

export class TargetPools {
  private readonly configs = new Map<string, ScrapeConfig>();
  /** job → provider → source → group */
  private readonly groups = new Map<string, Map<string, Map<string, TargetGroup>>>();
  private readonly current = new Map<string, JobTargets>();
  private readonly listeners = new Set<TargetsListener>();

  constructor(configs: readonly ScrapeConfig[]) {
    this.setConfigs(configs);
  }

  /**
   * New scrape configs (after a reload). Jobs that vanished are emitted with no targets; jobs
   * that stay keep their discovered groups and are rebuilt with the new config.
   */
  setConfigs(configs: readonly ScrapeConfig[]): void {
    const names = new Set(configs.map((c) => c.job_name));
    for (const job of [...this.configs.keys()]) {
      if (names.has(job)) continue;
      this.configs.delete(job);
      this.groups.delete(job);
      this.current.delete(job);
      this.emit({ job, active: [], dropped: [], errors: [] });
    }
    for (const c of configs) {
      this.configs.set(c.job_name, c);
      if (!this.groups.has(c.job_name)) this.groups.set(c.job_name, new Map());
      this.rebuild(c.job_name);
    }
  }

  /** Forget a provider's groups (its discoverer stopped, e.g. the SD config changed). */
  clearProvider(job: string, provider: string): void {
    if (this.groups.get(job)?.delete(provider)) this.rebuild(job);
  }

  /** Merges one discoverer's update into the job and emits the job's new targets. */
  update(job: string, provider: string, groups: readonly TargetGroup[]): void {
    const byProvider = this.groups.get(job);
    if (byProvider === undefined) return; // a late update for a job a reload removed
    let bySource = byProvider.get(provider);
    if (bySource === undefined) byProvider.set(provider, (bySource = new Map()));
    for (const g of groups) {
      if (g.targets.length === 0) bySource.delete(g.source);
      else bySource.set(g.source, g);
    }
    this.rebuild(job);
  }

  targets(job: string): JobTargets | undefined {
    return this.current.get(job);
  }

  all(): JobTargets[] {
    return [...this.current.values()];
  }

  /** Every job's active targets, the list ScrapeManager.sync takes. */
  allActive(): ScrapeTarget[] {
    return this.all().flatMap((j) => j.active);
  }

  allDropped(): DroppedTarget[] {
    return this.all().flatMap((j) => j.dropped);
  }

  onChange(listener: TargetsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private rebuild(job: string): void {
    const cfg = this.configs.get(job);
    const byProvider = this.groups.get(job);
    if (cfg === undefined || byProvider === undefined) return;
    const all: TargetGroup[] = [];
    for (const [, bySource] of [...byProvider].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) all.push(...bySource.values());
    const built = buildTargets(cfg, all);
    let result: JobTargets = { job, ...built };
    if (cfg.target_limit > 0 && built.active.length > cfg.target_limit) {
      result = {
        job,
        active: [],
        dropped: built.dropped,
        errors: [
          ...built.errors,
          `job ${JSON.stringify(job)}: target_limit exceeded (number of targets: ${built.active.length}, limit: ${cfg.target_limit}); raise target_limit or drop targets with relabel_configs`,
        ],
      };
    }
    this.current.set(job, result);
    this.emit(result);
  }

  private emit(result: JobTargets): void {
    for (const l of this.listeners) l(result);
  }
}
