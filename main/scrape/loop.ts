/**
 * One target's scrape loop: a jittered start, then a scrape every interval (a slow scrape drops
 * the ticks it overran, it never overlaps the next). Each scrape is one Appender transaction:
 * page samples, staleness markers for vanished series, the synthetic `up`/`scrape_*` series.
 * A failed scrape (fetch, parse, limit) keeps nothing of its page, marks every series of the
 * last good scrape stale and reports `up 0`.
 */
import { performance } from 'node:perf_hooks';
import { StaleNaN, StorageError, type Appendable, type Appender, type ExemplarAppender } from '../tsdb/interface.js';
import { silentLogger, type Logger } from '../util/log.js';
import { ScrapeCache, type MetricMetadata } from './cache.js';
import { ScrapeClient, ScrapeHttpError, type ScrapeRequest, type ScrapeResponse } from './http.js';
import { isSampleRejection, PageAppend, ScrapeLimitError, zeroCounts, type AppendCounts, type AppendSettings } from './loop-append.js';
import { sampleTargetLabels } from './loop-labels.js';
import { ReportSeries } from './loop-report.js';
import { ExpositionParseError, createParser } from './parse/parser.js';
import { targetClient, targetRequest } from './target-client.js';
import type { ScrapeTarget } from './target-types.js';

export type TargetHealth = 'up' | 'down' | 'unknown';

/** What the Targets page shows for one target. */
export interface TargetState {
  health: TargetHealth;
  /** ms since the epoch of the last scrape's start; null before the first one. */
  lastScrape: number | null;
  /** seconds */
  lastDuration: number;
  lastError: string;
  lastSamples: number;
}

export type FailureReason =
  | 'timeout'
  | 'body_size'
  | 'http_status'
  | 'network'
  | 'decode'
  | 'aborted'
  | 'parse'
  | 'sample_limit'
  | 'label_limit'
  | 'missing_name'
  | 'config'
  | 'storage'
  /** Anything else, e.g. an injected fetcher's own error. */
  | 'error';

export interface ScrapeReport {
  up: boolean;
  error: string;
  failure: FailureReason | null;
  counts: AppendCounts;
  durationSeconds: number;
  staleMarkers: number;
}

export type Fetcher = (req: ScrapeRequest) => Promise<ScrapeResponse>;

export interface ScrapeLoopOptions {
  appendable: Appendable;
  /** Default: node:http(s) through a keep-alive ScrapeClient. */
  fetch?: Fetcher;
  /** e.g. `Vigil/0.1.0`. */
  userAgent?: string;
  logger?: Logger;
  /** Called after every scrape (self-metrics). */
  onScrape?: (report: ScrapeReport) => void;
  /**
   * Milliseconds of parse + append work between event-loop yields (default 5): one huge page
   * costs other targets at most this much latency per turn, however big it is.
   */
  sliceMs?: number;
  /** Mixed into the start offset so two Vigil instances do not scrape in lockstep. */
  jitterSeed?: number;
  /** How target phases spread over the interval (see scrapeOffset); default 'slots'. */
  spread?: ScrapeSpread;
  /** Clock for sample timestamps (ms); tests step it. Scheduling always uses the real clock. */
  now?: () => number;
  /** The interval is multiplied by this (energy mode); read at every tick. */
  intervalScale?: () => number;
  /** Exemplar storage (main/tsdb/exemplars.ts); exemplars are not kept without it. */
  exemplars?: ExemplarAppender;
}

/** FNV-1a, 32 bits: cheap and stable across runs, which is all an offset needs. */
function fnv1a(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * 'uniform' is Prometheus' schedule: each target at its own phase anywhere in the interval.
 * 'slots' (Vigil's default) rounds phases down to a grid of at most 8 slots an interval, none
 * closer than 1 s: targets sharing a slot are scraped together, so the process wakes up a few
 * times an interval instead of once per target. On a laptop every wake-up costs CPU and battery
 * (macOS coalesces timers for the same reason); measured on W-fleet (docs/benchmarks.md) (50 targets at 5 s) it cuts
 * CPU per sample by about a third. Timestamps remain each scrape's real start time.
 */
export type ScrapeSpread = 'slots' | 'uniform';

/** Width of one scrape slot for an interval (ms): the interval itself up to 1 s. */
export function scrapeSlotMs(intervalMs: number): number {
  return intervalMs <= 1000 ? intervalMs : Math.max(1000, Math.floor(intervalMs / 8));
}

/**
 * Delay before a target's first scrape, as Prometheus' Target.offset: the target hash picks a
 * fixed phase within the interval, so scrapes of many targets spread out and stay put. With
 * 'slots' the phase is rounded down to its slot.
 */
export function scrapeOffset(targetKey: string, intervalMs: number, nowMs: number, seed = 0, spread: ScrapeSpread = 'uniform'): number {
  const interval = Math.max(1, Math.round(intervalMs));
  const base = interval - (nowMs % interval);
  let phase = fnv1a(targetKey, seed) % interval;
  if (spread === 'slots') {
    const slot = Math.max(1, scrapeSlotMs(interval));
    phase -= phase % slot;
  }
  const next = base + phase;
  return next > interval ? next - interval : next;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Work per turn of the event loop while appending a page; see ScrapeLoopOptions.sliceMs. */
const defaultSliceMs = 5;
/** Page entries between clock reads: a few hundred µs even when every entry is a new series. */
const entriesPerCheck = 256;

/** Auth or TLS files that cannot be read: the scrape fails with a message naming the file. */
class TargetConfigError extends Error {}

function failureOf(err: unknown): FailureReason {
  if (err instanceof ScrapeHttpError) return err.reason;
  if (err instanceof ExpositionParseError) return 'parse';
  if (err instanceof ScrapeLimitError) return err.kind;
  if (err instanceof TargetConfigError) return 'config';
  if (err instanceof StorageError) return 'storage';
  return 'error';
}

export class ScrapeLoop {
  private readonly cache = new ScrapeCache();
  private settings: AppendSettings;
  private report: ReportSeries;
  private readonly injectedFetch: Fetcher | undefined;
  private client: ScrapeClient | null = null;
  private tlsError: string | null = null;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private inflight: Promise<ScrapeReport> | null = null;
  private abort: AbortController | null = null;
  private scrapes = 0;
  private readonly st: TargetState = { health: 'unknown', lastScrape: null, lastDuration: 0, lastError: '', lastSamples: 0 };

  constructor(
    private target: ScrapeTarget,
    private readonly opts: ScrapeLoopOptions,
  ) {
    this.settings = this.settingsOf(target);
    this.report = new ReportSeries(this.settings.targetLabels);
    this.log = (opts.logger ?? silentLogger).child(`scrape ${target.job} ${target.url}`);
    this.injectedFetch = opts.fetch;
    if (opts.fetch === undefined) this.openClient();
  }

  private openClient(): void {
    this.client?.close();
    this.tlsError = null;
    try {
      this.client = targetClient(this.target);
    } catch (err) {
      this.tlsError = (err as Error).message;
      this.client = new ScrapeClient();
    }
  }

  get key(): string {
    return this.target.key;
  }

  get currentTarget(): ScrapeTarget {
    return this.target;
  }

  state(): Readonly<TargetState> {
    return this.st;
  }

  /** `# TYPE`/`# HELP`/`# UNIT` of this target's recent pages. */
  metadata(): Map<string, MetricMetadata> {
    return this.cache.metadata();
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  /**
   * Takes a new version of the same target (same job, URL and labels). A changed metric
   * relabeling or honor_labels invalidates the cache, since it holds relabeled labels.
   */
  update(target: ScrapeTarget): void {
    const old = this.target;
    this.target = target;
    this.settings = this.settingsOf(target);
    if (old.metricRelabel !== target.metricRelabel || old.honorLabels !== target.honorLabels) this.cache.clear();
    if (this.injectedFetch === undefined && JSON.stringify(old.tls) !== JSON.stringify(target.tls)) this.openClient();
  }

  start(now = Date.now()): void {
    if (this.running) return;
    this.running = true;
    const delay = scrapeOffset(this.key, this.target.interval, now, this.opts.jitterSeed, this.opts.spread ?? 'slots');
    this.schedule(now + delay);
  }

  /** Stops scraping and marks every series of this target stale (they are gone now). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    await this.inflight?.catch(() => undefined);
    this.client?.close();
    if (this.scrapes === 0) return;
    const app = this.opts.appendable.appender();
    try {
      // Never on the last scrape's timestamp: storage would take the marker for a duplicate.
      const t = Math.max(this.clock(), (this.st.lastScrape ?? 0) + 1);
      this.cache.abort();
      this.appendStale(app, t);
      this.report.writeStale(app, t);
      await app.commit();
    } catch (err) {
      app.rollback();
      this.log.warn('writing end-of-target staleness markers failed', { err: String(err) });
    }
  }

  private schedule(due: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.running) return;
      this.scrapeOnce()
        .catch((err: unknown) => this.log.error('scrape crashed', { err: String(err) }))
        .finally(() => {
          if (!this.running) return;
          // Ticks the scrape overran are dropped, as with Go's time.Ticker.
          const interval = Math.max(1, this.target.interval * Math.max(1, this.opts.intervalScale?.() ?? 1));
          let next = due + interval;
          const now = Date.now();
          if (next <= now) next += Math.ceil((now - next + 1) / interval) * interval;
          this.schedule(next);
        });
    }, Math.max(0, due - Date.now()));
  }

  /** One scrape, now. Public for tests and for "scrape now" on the Targets page. */
  scrapeOnce(): Promise<ScrapeReport> {
    const p = this.run();
    this.inflight = p;
    return p.finally(() => {
      if (this.inflight === p) this.inflight = null;
    });
  }

  private async run(): Promise<ScrapeReport> {
    const target = this.target;
    const start = this.clock();
    const t0 = performance.now();
    // One deadline over fetch, inflate, parse and append: a page too big to handle in time
    // fails like a slow target does, instead of holding the loop past its timeout.
    const deadline = t0 + target.timeout;
    const ac = new AbortController();
    this.abort = ac;
    let app: Appender = this.opts.appendable.appender();
    let page: PageAppend | null = null;
    let error = '';
    let failure: FailureReason | null = null;
    let staleMarkers = 0;
    try {
      if (this.tlsError !== null) throw new TargetConfigError(this.tlsError);
      const req = await targetRequest(target, this.opts.userAgent ?? 'Vigil', ac.signal).catch((err: Error) => {
        throw new TargetConfigError(err.message);
      });
      const res = await (this.injectedFetch ?? ((r: ScrapeRequest) => this.client!.fetch(r)))(req);
      page = new PageAppend(this.settings, app, createParser(res.body, res.contentType, this.target.histograms), start);
      await this.appendWithin(page, deadline, ac.signal);
      staleMarkers = page.markVanished();
      this.cache.iterDone(true);
    } catch (err) {
      app.rollback();
      this.cache.abort();
      failure = failureOf(err);
      error = err instanceof Error ? err.message : String(err);
      if (failure === 'aborted') {
        // Stopped mid-scrape: stop() marks the last good scrape's series stale.
        return { up: false, error, failure, counts: page?.counts ?? zeroCounts(), durationSeconds: 0, staleMarkers: 0 };
      }
      app = this.opts.appendable.appender();
      staleMarkers = this.appendStale(app, start);
      this.cache.iterDone(false);
    }
    const counts = page?.counts ?? zeroCounts();
    const durationSeconds = (performance.now() - t0) / 1000;
    const up = failure === null;
    try {
      this.report.write(app, start, { up, durationSeconds, counts });
      await app.commit();
      if (up) page?.commitExemplars();
    } catch (err) {
      app.rollback();
      // The cache may now hold refs of series storage never committed: start over.
      this.cache.clear();
      failure ??= 'storage';
      error ||= `storage: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.scrapes++;
    Object.assign(this.st, {
      health: up && failure === null ? 'up' : 'down',
      lastScrape: start,
      lastDuration: durationSeconds,
      lastError: error,
      lastSamples: up ? counts.added : 0,
    });
    if (failure !== null) this.log.debug('scrape failed', { error });
    // As Prometheus' "Error on ingesting native histograms": the scrape went on without them.
    if (page?.histogramProblem) this.log.warn('native histograms refused; their series were skipped', { refused: counts.invalidHistograms, first: page.histogramProblem });
    const report: ScrapeReport = { up: failure === null, error, failure, counts, durationSeconds, staleMarkers };
    this.opts.onScrape?.(report);
    return report;
  }

  /**
   * Parses and appends the page in slices of at most `sliceMs`, yielding between them so other
   * targets, queries and the UI keep their turns; past the deadline the scrape fails as a timeout.
   */
  private async appendWithin(page: PageAppend, deadline: number, signal: AbortSignal): Promise<void> {
    const sliceMs = this.opts.sliceMs ?? defaultSliceMs;
    let sliceEnd = performance.now() + sliceMs;
    while (!page.step(entriesPerCheck)) {
      const now = performance.now();
      if (now >= deadline) throw new ScrapeHttpError('timeout', 'context deadline exceeded');
      if (now < sliceEnd) continue;
      await yieldToEventLoop();
      if (signal.aborted) throw new ScrapeHttpError('aborted', 'context canceled');
      sliceEnd = performance.now() + sliceMs;
    }
  }

  private clock(): number {
    return this.opts.now !== undefined ? this.opts.now() : Date.now();
  }

  /** StaleNaN for every series the last good scrape had that the current one has not. */
  private appendStale(app: Appender, t: number): number {
    let n = 0;
    for (const ref of this.cache.vanished()) {
      try {
        app.append(ref, t, StaleNaN);
        n++;
      } catch (err) {
        // Refused (out of order, or a series storage deleted meanwhile): no marker is needed.
        if (!isSampleRejection(err)) this.log.debug('staleness marker refused', { err: String(err) });
      }
    }
    return n;
  }

  private settingsOf(target: ScrapeTarget): AppendSettings {
    return {
      cache: this.cache,
      targetLabels: sampleTargetLabels(target.labels),
      honorLabels: target.honorLabels,
      honorTimestamps: target.honorTimestamps,
      limits: target.limits,
      metricRelabel: target.metricRelabelIsNoop ? undefined : target.metricRelabel,
      exemplars: this.opts.exemplars,
    };
  }
}
