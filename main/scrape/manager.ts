/**
 * Runs one ScrapeLoop per target. `sync` takes the full target list after every SD or config
 * update: new targets start, removed ones stop (writing staleness markers), unchanged ones keep
 * running with their cache. `targets()` answers in the shape of Prometheus' /api/v1/targets.
 */
import { formatDuration } from '../../app/dialect/duration.js';
import { labelsToRecord } from '../tsdb/labels.js';
import { ScrapeLoop, type FailureReason, type ScrapeLoopOptions, type ScrapeReport, type TargetHealth } from './loop.js';
import { sampleTargetLabels } from './loop-labels.js';
import type { MetricMetadata } from './cache.js';
import type { DroppedTarget, ScrapeTarget } from './target-types.js';

/** One entry of `activeTargets` in Prometheus' /api/v1/targets. */
interface ActiveTargetInfo {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  /** RFC 3339; Go's zero time before the first scrape, as Prometheus answers. */
  lastScrape: string;
  /** seconds */
  lastScrapeDuration: number;
  health: TargetHealth;
  /** Prometheus duration strings, e.g. "15s", "1m30s". */
  scrapeInterval: string;
  scrapeTimeout: string;
}

export interface TargetsResponse {
  activeTargets: ActiveTargetInfo[];
  droppedTargets: { discoveredLabels: Record<string, string> }[];
}

/** Counters since start, for Vigil's own /metrics. */
export interface ScrapeSelfMetrics {
  scrapesTotal: number;
  failuresTotal: Partial<Record<FailureReason, number>>;
  samplesAppendedTotal: number;
  samplesRejectedTotal: number;
  /** Of samplesRejectedTotal: timestamps outside the head's window (Prometheus' "out of bounds"). */
  samplesOutOfBoundsTotal: number;
  staleMarkersTotal: number;
  activeTargets: number;
  cacheEntries: number;
}

const goZeroTime = '0001-01-01T00:00:00Z';

export type ScrapeManagerOptions = Omit<ScrapeLoopOptions, 'onScrape'>;

export class ScrapeManager {
  private readonly loops = new Map<string, ScrapeLoop>();
  private dropped: DroppedTarget[] = [];
  private stopped = false;
  private readonly counters = {
    scrapesTotal: 0,
    failuresTotal: {} as Partial<Record<FailureReason, number>>,
    samplesAppendedTotal: 0,
    samplesRejectedTotal: 0,
    samplesOutOfBoundsTotal: 0,
    staleMarkersTotal: 0,
  };

  constructor(private readonly opts: ScrapeManagerOptions) {}

  /** Replaces the target list. Resolves when removed targets are stopped and marked stale. */
  async sync(targets: readonly ScrapeTarget[], dropped: readonly DroppedTarget[] = []): Promise<void> {
    if (this.stopped) return;
    this.dropped = [...dropped];
    const wanted = new Map<string, ScrapeTarget>();
    for (const t of targets) {
      if (!wanted.has(t.key)) wanted.set(t.key, t); // duplicates: first wins, as Prometheus dedups
    }
    const removed: ScrapeLoop[] = [];
    for (const [key, loop] of this.loops) {
      if (!wanted.has(key)) {
        this.loops.delete(key);
        removed.push(loop);
      }
    }
    for (const [key, t] of wanted) {
      const loop = this.loops.get(key);
      if (loop !== undefined) {
        loop.update(t);
        continue;
      }
      const fresh = new ScrapeLoop(t, { ...this.opts, onScrape: (r) => this.count(r) });
      this.loops.set(key, fresh);
      fresh.start();
    }
    await Promise.all(removed.map((l) => l.stop()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.loops.values()];
    this.loops.clear();
    await Promise.all(all.map((l) => l.stop()));
  }

  targets(): TargetsResponse {
    const activeTargets = [...this.loops.values()].map((loop) => {
      const t = loop.currentTarget;
      const st = loop.state();
      return {
        discoveredLabels: labelsToRecord(t.discoveredLabels),
        labels: labelsToRecord(sampleTargetLabels(t.labels)),
        scrapePool: t.job,
        scrapeUrl: t.url,
        globalUrl: t.url,
        lastError: st.lastError,
        lastScrape: st.lastScrape === null ? goZeroTime : new Date(st.lastScrape).toISOString(),
        lastScrapeDuration: st.lastDuration,
        health: st.health,
        scrapeInterval: formatDuration(t.interval),
        scrapeTimeout: formatDuration(t.timeout),
      };
    });
    activeTargets.sort((a, b) => (a.scrapePool === b.scrapePool ? (a.scrapeUrl < b.scrapeUrl ? -1 : 1) : a.scrapePool < b.scrapePool ? -1 : 1));
    return { activeTargets, droppedTargets: this.dropped.map((d) => ({ discoveredLabels: labelsToRecord(d.discoveredLabels) })) };
  }

  /** Each target's last scrape start (ms, the loop's clock) and schedule, for the wake gate. */
  scrapeStates(): Array<{ lastScrapeMs: number | null; intervalMs: number; timeoutMs: number }> {
    const scale = Math.max(1, this.opts.intervalScale?.() ?? 1);
    return [...this.loops.values()].map((l) => ({ lastScrapeMs: l.state().lastScrape, intervalMs: l.currentTarget.interval * scale, timeoutMs: l.currentTarget.timeout }));
  }

  /** The loop of one target, e.g. for "scrape now" from the Targets page. */
  loop(key: string): ScrapeLoop | undefined {
    return this.loops.get(key);
  }

  /**
   * /api/v1/metadata: per metric name, the distinct metadata all targets report (Prometheus
   * lists each distinct {type, help, unit} once). `limit` caps the number of metric names.
   */
  metadata(metric?: string, limit = Infinity): Record<string, MetricMetadata[]> {
    const seen = new Map<string, Map<string, MetricMetadata>>();
    for (const loop of this.loops.values()) {
      for (const [name, m] of loop.metadata()) {
        if (metric !== undefined && metric !== '' && name !== metric) continue;
        let forName = seen.get(name);
        if (forName === undefined) {
          if (seen.size >= limit) continue;
          seen.set(name, (forName = new Map()));
        }
        forName.set(`${m.type}\u0000${m.help}\u0000${m.unit}`, m);
      }
    }
    const out: Record<string, MetricMetadata[]> = {};
    for (const [name, ms] of seen) out[name] = [...ms.values()];
    return out;
  }

  selfMetrics(): ScrapeSelfMetrics {
    let cacheEntries = 0;
    for (const l of this.loops.values()) cacheEntries += l.cacheSize;
    return {
      ...this.counters,
      failuresTotal: { ...this.counters.failuresTotal },
      activeTargets: this.loops.size,
      cacheEntries,
    };
  }

  private count(r: ScrapeReport): void {
    const c = this.counters;
    c.scrapesTotal++;
    if (r.failure !== null) c.failuresTotal[r.failure] = (c.failuresTotal[r.failure] ?? 0) + 1;
    if (r.up) c.samplesAppendedTotal += r.counts.added;
    c.samplesRejectedTotal += r.counts.rejected;
    c.samplesOutOfBoundsTotal += r.counts.outOfBounds;
    c.staleMarkersTotal += r.staleMarkers;
  }
}
