/**
 * The hot path of one scrape: parsed page → scrape cache → Appender. Runs in steps so a huge
 * page can yield to the event loop between them; a breached limit or a parse error throws and
 * the caller rolls the whole transaction back, as Prometheus does.
 */
import {
  DuplicateSampleError,
  InvalidHistogramError,
  OutOfBoundsError,
  OutOfOrderError,
  StaleNaN,
  StorageError,
  type Appender,
  type Exemplar,
  type ExemplarAppender,
  type NativeHistogram,
  type SeriesRef,
} from '../tsdb/interface.js';
import { getLabel, type Labels } from '../tsdb/labels.js';
import type { ScrapeCache } from './cache.js';
import { labelLimitError, mergeTargetLabels } from './loop-labels.js';
import type { ScrapeLimits } from './target-types.js';
import type { TextParser } from './parse/parser.js';

export type LimitKind = 'sample_limit' | 'label_limit' | 'missing_name';

/** A breached scrape limit: the scrape fails and nothing from it is kept. */
export class ScrapeLimitError extends Error {
  constructor(
    readonly kind: LimitKind,
    message: string,
  ) {
    super(message);
  }
}

export interface AppendSettings {
  readonly cache: ScrapeCache;
  /** Already stripped of `__` meta labels. */
  readonly targetLabels: Labels;
  readonly honorLabels: boolean;
  readonly honorTimestamps: boolean;
  readonly limits: ScrapeLimits;
  readonly metricRelabel?: ((l: Labels) => Labels | null) | undefined;
  /** Where exemplars go once the scrape is committed; none kept when absent. */
  readonly exemplars?: ExemplarAppender | undefined;
}

export interface AppendCounts {
  /** Samples on the page (scrape_samples_scraped). */
  total: number;
  /** Samples appended after metric relabeling (scrape_samples_post_metric_relabeling). */
  added: number;
  /** New series in this scrape (scrape_series_added). */
  seriesAdded: number;
  /** Samples storage refused (out of order, duplicate timestamp, out of bounds, an invalid native histogram): skipped. */
  rejected: number;
  /** Of `rejected`, native histograms the page or storage found invalid (the first reason is in `histogramProblem`). */
  invalidHistograms: number;
  /**
   * Of `rejected`, samples whose own timestamp lies outside what the head takes (older than
   * headWindowMs before the scrape or past the retention window, or more than futureMs ahead):
   * prometheus_target_scrapes_sample_out_of_bounds_total.
   */
  outOfBounds: number;
}

/** How far before the scrape a page's own timestamp may lie: Prometheus' head takes ~1 h (half a 2 h block). */
const headWindowMs = 60 * 60 * 1000;
/** How far ahead of the scrape a page's own timestamp may lie: generous clock skew, not a year. */
const futureMs = 10 * 60 * 1000;

export const zeroCounts = (): AppendCounts => ({ total: 0, added: 0, seriesAdded: 0, rejected: 0, outOfBounds: 0, invalidHistograms: 0 });

/** Storage errors that skip one sample, as in Prometheus; anything else fails the scrape. */
export function isSampleRejection(err: unknown): boolean {
  return err instanceof OutOfOrderError || err instanceof DuplicateSampleError || err instanceof OutOfBoundsError || err instanceof InvalidHistogramError;
}

export class PageAppend {
  readonly counts: AppendCounts = zeroCounts();
  /** Why the first refused native histogram of the page was refused (null: none was). */
  histogramProblem: string | null = null;
  private done = false;
  /** The histogram of the sample being appended (protobuf pages), else null. */
  private hist: NativeHistogram | null = null;
  /** Exemplars of appended samples, handed to the store by `commitExemplars` after the commit. */
  private readonly exemplarRefs: SeriesRef[] = [];
  private readonly exemplarList: Exemplar[] = [];

  constructor(
    private readonly s: AppendSettings,
    private readonly app: Appender,
    private readonly parser: TextParser,
    /** Scrape time in ms: the timestamp of samples without one (or all, without honor_timestamps). */
    private readonly defaultTime: number,
  ) {}

  /** Handles up to `budget` page entries; true when the page is finished. */
  step(budget: number): boolean {
    if (this.done) return true;
    const { cache, limits, honorTimestamps } = this.s;
    const p = this.parser;
    const counts = this.counts;
    const sampleLimit = limits.sampleLimit;
    for (let n = 0; n < budget; n++) {
      const kind = p.next();
      if (kind === 'eof') {
        this.done = true;
        return true;
      }
      if (kind !== 'series') {
        if (kind === 'type') cache.setMetadata(p.metricType().name, 'type', p.metricType().type);
        else if (kind === 'help') cache.setMetadata(p.help().name, 'help', p.help().text);
        else if (kind === 'unit') cache.setMetadata(p.unit().name, 'unit', p.unit().unit);
        continue;
      }
      counts.total++;
      const ts = honorTimestamps ? p.timestamp() : null;
      if (ts !== null && (ts < this.defaultTime - headWindowMs || ts > this.defaultTime + futureMs)) {
        // Prometheus' ErrOutOfBounds: the sample is skipped, the scrape goes on.
        counts.rejected++;
        counts.outOfBounds++;
        continue;
      }
      const t = ts ?? this.defaultTime;
      const v = p.value();
      if (p.histogram !== undefined) {
        const problem = p.histogramError!();
        if (problem !== null) {
          // One bad histogram: its series is skipped, the rest of the page is kept.
          counts.rejected++;
          counts.invalidHistograms++;
          this.histogramProblem ??= problem;
          continue;
        }
        this.hist = p.histogram();
      }
      let slot = cache.lookup(p.body, p.seriesIdStart(), p.seriesIdEnd());
      let ref: SeriesRef | undefined;
      if (slot >= 0) {
        if (cache.isDropped(slot)) continue;
        const known = cache.refOf(slot);
        ref = this.appendRef(known, t, v);
        if (ref !== undefined && ref !== known) cache.setRef(slot, ref);
      } else {
        const final = this.finalLabels(p.labels());
        if (final === null) {
          cache.addDropped();
          continue;
        }
        ref = this.appendLabels(final, t, v);
        if (ref === undefined) continue;
        slot = cache.add(ref);
        counts.seriesAdded++;
      }
      if (ref === undefined) continue;
      counts.added++;
      if (this.s.exemplars !== undefined && p.exemplar !== undefined) {
        const ex = p.exemplar();
        if (ex !== null) {
          this.exemplarRefs.push(ref);
          this.exemplarList.push({ labels: ex.labels, value: ex.value, ts: ex.ts ?? t });
        }
      }
      if (sampleLimit > 0 && counts.added > sampleLimit) throw new ScrapeLimitError('sample_limit', 'sample limit exceeded');
      // A sample with its own timestamp bypasses staleness, as in Prometheus.
      if (ts === null) cache.trackStaleness(ref);
    }
    return false;
  }

  /** Hands the page's exemplars to the store; call after the scrape's commit succeeded. */
  commitExemplars(): void {
    const store = this.s.exemplars;
    if (store === undefined) return;
    for (let i = 0; i < this.exemplarRefs.length; i++) store.addExemplar(this.exemplarRefs[i]!, this.exemplarList[i]!);
  }

  /** Appends StaleNaN for the series the previous scrape had and this one did not. */
  markVanished(): number {
    let n = 0;
    for (const ref of this.s.cache.vanished()) {
      try {
        this.app.append(ref, this.defaultTime, StaleNaN);
        n++;
      } catch (err) {
        // Refused (e.g. a series storage has deleted meanwhile): no marker is needed.
        if (!isSampleRejection(err)) throw err;
      }
    }
    return n;
  }

  private finalLabels(exposed: Labels): Labels | null {
    const s = this.s;
    let l = mergeTargetLabels(exposed, s.targetLabels, s.honorLabels);
    if (s.metricRelabel !== undefined) {
      const r = s.metricRelabel(l);
      if (r === null || r.length === 0) return null;
      l = r;
    }
    if (getLabel(l, '__name__') === '') throw new ScrapeLimitError('missing_name', 'missing metric name (__name__ label)');
    const limitErr = labelLimitError(l, s.limits);
    if (limitErr !== null) throw new ScrapeLimitError('label_limit', limitErr);
    return l;
  }

  private countRejection(err: unknown): void {
    this.counts.rejected++;
    if (err instanceof OutOfBoundsError) this.counts.outOfBounds++;
    if (err instanceof InvalidHistogramError) {
      this.counts.invalidHistograms++;
      this.histogramProblem ??= err.message;
    }
  }

  /** Appends the current sample: the page's histogram when it has one, else the float. */
  private put(series: Labels | SeriesRef, t: number, v: number): SeriesRef {
    const h = this.hist;
    if (h === null) return this.app.append(series, t, v);
    if (this.app.appendHistogram === undefined) throw new StorageError('this storage cannot hold native histograms; set scrape_native_histograms: false');
    return this.app.appendHistogram(series, t, h);
  }

  private appendLabels(labels: Labels, t: number, v: number): SeriesRef | undefined {
    try {
      return this.put(labels, t, v);
    } catch (err) {
      if (isSampleRejection(err)) {
        this.countRejection(err);
        return undefined;
      }
      throw err;
    }
  }

  private appendRef(ref: SeriesRef, t: number, v: number): SeriesRef | undefined {
    try {
      return this.put(ref, t, v);
    } catch (err) {
      if (isSampleRejection(err)) {
        this.countRejection(err);
        return undefined;
      }
      // A ref storage no longer takes: once more by the line's labels.
      if (!(err instanceof StorageError)) {
        const final = this.finalLabels(this.parser.labels());
        return final === null ? undefined : this.appendLabels(final, t, v);
      }
      throw err;
    }
  }
}
