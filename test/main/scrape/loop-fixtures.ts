/** Test doubles for the scrape loop: an in-memory Appendable and a target builder. */
import {
  DuplicateSampleError,
  OutOfOrderError,
  isStaleNaN,
  type Appendable,
  type Appender,
  type SeriesRef,
} from '../../../main/tsdb/interface.js';
import { formatLabels, labelsFromRecord, labelsKey, type Labels } from '../../../main/tsdb/labels.js';
import type { ScrapeLimits, ScrapeTarget } from '../../../main/scrape/target-types.js';
import { directConnection } from '../../../main/http-client/proxy.js';

export interface StoredSample {
  t: number;
  v: number;
}

/** Commits are atomic; appends validate order like a real head (per committed data). */
export class MemoryAppendable implements Appendable {
  readonly series = new Map<SeriesRef, { labels: Labels; samples: StoredSample[] }>();
  private readonly byKey = new Map<string, SeriesRef>();
  commits = 0;
  rollbacks = 0;
  appends = 0;

  appender(): Appender {
    const pending: { ref: SeriesRef; t: number; v: number }[] = [];
    const pendingLast = new Map<SeriesRef, StoredSample>();
    const created: string[] = [];
    return {
      append: (series, t, v) => {
        this.appends++;
        let ref: SeriesRef;
        if (typeof series === 'number') {
          if (!this.series.has(series)) throw new Error(`unknown series ref ${series}`);
          ref = series;
        } else {
          const key = labelsKey(series);
          const known = this.byKey.get(key);
          if (known !== undefined) ref = known;
          else {
            ref = this.series.size + 1;
            this.byKey.set(key, ref);
            this.series.set(ref, { labels: series, samples: [] });
            created.push(key);
          }
        }
        const s = this.series.get(ref)!.samples;
        const last = pendingLast.get(ref) ?? s[s.length - 1];
        if (last !== undefined && t < last.t) throw new OutOfOrderError(`out of order sample for ${formatLabels(this.series.get(ref)!.labels)}`);
        if (last !== undefined && t === last.t && !Object.is(last.v, v) && !(Number.isNaN(v) && Number.isNaN(last.v))) {
          throw new DuplicateSampleError('duplicate sample for timestamp');
        }
        pending.push({ ref, t, v });
        pendingLast.set(ref, { t, v });
        return ref;
      },
      commit: async () => {
        this.commits++;
        for (const p of pending) this.series.get(p.ref)!.samples.push({ t: p.t, v: p.v });
        pending.length = 0;
        pendingLast.clear();
      },
      rollback: () => {
        this.rollbacks++;
        pending.length = 0;
        pendingLast.clear();
      },
    };
  }

  /** Samples of the one series whose labels equal `record`. */
  samples(record: Record<string, string>): StoredSample[] {
    const ref = this.byKey.get(labelsKey(labelsFromRecord(record)));
    return ref === undefined ? [] : this.series.get(ref)!.samples;
  }

  /** Last value of the series named `name` with the given extra labels. */
  last(record: Record<string, string>): number | undefined {
    const s = this.samples(record);
    return s[s.length - 1]?.v;
  }

  /** Label records of every series with at least one sample whose last sample is StaleNaN. */
  staleSeries(): string[] {
    const out: string[] = [];
    for (const { labels, samples } of this.series.values()) {
      const last = samples[samples.length - 1];
      if (last !== undefined && isStaleNaN(last.v)) out.push(formatLabels(labels));
    }
    return out.sort();
  }

  /** Series with at least one committed sample. */
  committedSeries(): string[] {
    return [...this.series.values()].filter((s) => s.samples.length > 0).map((s) => formatLabels(s.labels)).sort();
  }
}

export const noLimits: ScrapeLimits = {
  sampleLimit: 0,
  labelLimit: 0,
  labelNameLengthLimit: 0,
  labelValueLengthLimit: 0,
  bodySizeLimit: 0,
};

/** A complete target; a given `metricRelabel` turns relabeling on. */
export function makeTarget(over: Partial<ScrapeTarget> = {}): ScrapeTarget {
  const t: Omit<ScrapeTarget, 'key'> = {
    job: 'node',
    url: 'http://127.0.0.1:9/metrics',
    labels: labelsFromRecord({ job: 'node', instance: 'host:9100' }),
    discoveredLabels: labelsFromRecord({ __address__: 'host:9100', job: 'node' }),
    interval: 15_000,
    timeout: 10_000,
    honorLabels: false,
    honorTimestamps: true,
    limits: noLimits,
    auth: { kind: 'none' },
    tls: { caFile: '', certFile: '', keyFile: '', serverName: '', insecureSkipVerify: false, minVersion: '' },
    proxy: directConnection,
    enableCompression: true,
    followRedirects: true,
    scrapeProtocols: ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'],
    histograms: { nativeHistograms: false, alwaysScrapeClassic: false, bucketLimit: 0, minBucketFactor: 0 },
    enableHttp2: true,
    metricRelabel: (l) => l,
    metricRelabelIsNoop: over.metricRelabel === undefined,
    relabelSteps: () => [],
    ...over,
  };
  return { key: `${t.job}|${t.url}|${labelsKey(t.labels)}`, ...t };
}

/** A fetcher serving whatever `page.body` currently holds. */
export function pageFetcher(initial: string, contentType = 'text/plain; version=0.0.4') {
  const page = { body: initial, contentType, fetches: 0, fail: null as Error | null };
  const fetch = async () => {
    page.fetches++;
    if (page.fail !== null) throw page.fail;
    return { body: Buffer.from(page.body), contentType: page.contentType };
  };
  return { page, fetch };
}

/** A clock that moves one second per reading, so every scrape gets its own timestamp. */
export function steppingClock(start = 1_700_000_000_000): () => number {
  let t = start;
  return () => (t += 1000);
}
