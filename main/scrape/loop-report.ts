/**
 * The synthetic series every scrape writes with the target labels, as Prometheus 2.42 does
 * without `--enable-feature=extra-scrape-metrics`.
 */
import { StaleNaN, type Appender, type SeriesRef } from '../tsdb/interface.js';
import { compareStrings, type Labels } from '../tsdb/labels.js';
import { isSampleRejection, type AppendCounts } from './loop-append.js';

const reportSeriesNames = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
] as const;

export interface ScrapeOutcome {
  up: boolean;
  durationSeconds: number;
  counts: AppendCounts;
}

const valuesOf = (o: ScrapeOutcome): readonly number[] => [
  o.up ? 1 : 0,
  o.durationSeconds,
  o.counts.total,
  o.counts.added,
  o.counts.seriesAdded,
];

export class ReportSeries {
  private readonly labels: Labels[];
  private readonly refs: (SeriesRef | undefined)[];

  constructor(targetLabels: Labels) {
    this.labels = reportSeriesNames.map((name) =>
      [{ name: '__name__', value: name }, ...targetLabels].sort((a, b) => compareStrings(a.name, b.name)),
    );
    this.refs = this.labels.map(() => undefined);
  }

  write(app: Appender, t: number, outcome: ScrapeOutcome): void {
    const values = valuesOf(outcome);
    for (let i = 0; i < values.length; i++) this.appendOne(app, i, t, values[i]!);
  }

  writeStale(app: Appender, t: number): void {
    for (let i = 0; i < this.labels.length; i++) this.appendOne(app, i, t, StaleNaN);
  }

  private appendOne(app: Appender, i: number, t: number, v: number): void {
    const ref = this.refs[i];
    try {
      this.refs[i] = app.append(ref ?? this.labels[i]!, t, v);
    } catch (err) {
      if (isSampleRejection(err)) return; // e.g. the clock stepped back: skip this one sample
      if (ref === undefined) throw err;
      // A retired ref: try once more by labels.
      this.refs[i] = app.append(this.labels[i]!, t, v);
    }
  }
}
