/**
 * Storage held in memory (a Queryable + Appendable): what `vigil test rules`, fire drills (as the
 * overlay beside real storage) and the PromQL conformance runner evaluate over, and engine tests.
 * Samples are kept per series in append order (the runner appends in time order); `select`
 * returns copies restricted to the querier's [mint, maxt] as Float64Arrays so stale-marker bits
 * survive. Native histogram samples are kept beside the floats (a series may mix both, as in
 * Prometheus); `select` returns them in `SampleArrays.h`. Matchers are evaluated as the disk
 * storage evaluates them (./matchers.ts).
 */
import type {
  NativeHistogram,
  Appendable,
  Appender,
  Matcher,
  Querier,
  Queryable,
  SampleArrays,
  SelectHints,
  SeriesRef,
  SeriesSet,
  StoredSeries,
} from './interface.js';
import { OutOfOrderError } from './interface.js';
import type { Labels } from './labels.js';
import { compareLabels, labelsKey, metricNameLabel, getLabel } from './labels.js';
import { matchesAll } from '../../app/dialect/matcher.js';
import { WriteWatermark } from './write-watermark.js';

interface MemSeries {
  readonly ref: SeriesRef;
  readonly labels: Labels;
  t: Float64Array;
  v: Float64Array;
  /** Histogram per sample slot, allocated when the series gets its first histogram. */
  h: (NativeHistogram | undefined)[] | null;
  n: number;
}

export class MemoryStorage implements Queryable, Appendable {
  private readonly byKey = new Map<string, MemSeries>();
  private readonly byRef: MemSeries[] = [];
  /** Series sorted by labels, rebuilt lazily after new series arrive. */
  private sorted: MemSeries[] | null = null;
  /** Sample times changed since a generation (write-watermark.ts). */
  readonly writes = new WriteWatermark();

  appender(): Appender {
    const pending: { s: SeriesRef; t: number; v: number; h?: NativeHistogram }[] = [];
    return {
      append: (s, t, v) => {
        const series = this.seriesFor(s);
        pending.push({ s: series.ref, t, v });
        return series.ref;
      },
      appendHistogram: (s, t, h) => {
        const series = this.seriesFor(s);
        pending.push({ s: series.ref, t, v: 0, h });
        return series.ref;
      },
      commit: () => {
        for (const p of pending) this.addSample(this.byRef[p.s - 1]!, p.t, p.v, p.h);
        pending.length = 0;
        return Promise.resolve();
      },
      rollback: () => {
        pending.length = 0;
      },
    };
  }

  /** Synchronous append for test setup; same ordering rules as a committed Appender. */
  add(labels: Labels, t: number, v: number): void {
    this.addSample(this.seriesFor(labels), t, v);
  }

  /** Synchronous histogram append for test setup. */
  addHistogram(labels: Labels, t: number, h: NativeHistogram): void {
    this.addSample(this.seriesFor(labels), t, 0, h);
  }

  clear(): void {
    this.byKey.clear();
    this.byRef.length = 0;
    this.sorted = null;
    this.writes.record(-Infinity);
  }

  querier(mint: number, maxt: number): Promise<Querier> {
    const select = (matchers: readonly Matcher[], hints?: SelectHints): Promise<SeriesSet> => {
      const out: StoredSeries[] = [];
      for (const s of this.sortedSeries()) {
        if (!matchesAll(matchers, (n) => getLabel(s.labels, n))) continue;
        if (hints?.limit !== undefined && out.length >= hints.limit) break;
        const lo = lowerBound(s.t, s.n, mint);
        const hi = upperBound(s.t, s.n, maxt);
        if (hi <= lo) continue;
        const arrays: SampleArrays = s.h === null ? { t: s.t.slice(lo, hi), v: s.v.slice(lo, hi) } : { t: s.t.slice(lo, hi), v: s.v.slice(lo, hi), h: s.h.slice(lo, hi) };
        out.push({ labels: s.labels, samples: () => arrays });
      }
      return Promise.resolve({ series: out, warnings: [] });
    };
    const names = (matchers?: readonly Matcher[]): Promise<string[]> => {
      const set = new Set<string>();
      for (const s of this.sortedSeries()) {
        if (matchers && !matchesAll(matchers, (n) => getLabel(s.labels, n))) continue;
        for (const l of s.labels) set.add(l.name);
      }
      return Promise.resolve([...set].sort());
    };
    const values = (name: string, matchers?: readonly Matcher[]): Promise<string[]> => {
      const set = new Set<string>();
      for (const s of this.sortedSeries()) {
        if (matchers && !matchesAll(matchers, (n) => getLabel(s.labels, n))) continue;
        const v = getLabel(s.labels, name);
        if (v !== '') set.add(v);
      }
      return Promise.resolve([...set].sort());
    };
    return Promise.resolve({ select, labelNames: names, labelValues: values, close: () => undefined });
  }

  private sortedSeries(): MemSeries[] {
    this.sorted ??= [...this.byRef].sort((a, b) => compareLabels(a.labels, b.labels));
    return this.sorted;
  }

  private seriesFor(s: Labels | SeriesRef): MemSeries {
    if (typeof s === 'number') {
      const found = this.byRef[s - 1];
      if (!found) throw new Error(`unknown series ref ${s}`);
      return found;
    }
    const key = labelsKey(s);
    let series = this.byKey.get(key);
    if (!series) {
      series = { ref: this.byRef.length + 1, labels: s, t: new Float64Array(16), v: new Float64Array(16), h: null, n: 0 };
      this.byKey.set(key, series);
      this.byRef.push(series);
      this.sorted = null;
    }
    return series;
  }

  private addSample(s: MemSeries, t: number, v: number, h?: NativeHistogram): void {
    this.writes.record(t);
    if (h !== undefined) s.h ??= new Array<NativeHistogram | undefined>(s.n).fill(undefined);
    if (s.n > 0) {
      const lastT = s.t[s.n - 1]!;
      if (t < lastT) throw new OutOfOrderError(`out of order sample for ${getLabel(s.labels, metricNameLabel)} at ${t}`);
      if (t === lastT) {
        // Later loads may overwrite a value at the same time (promqltest does); keep the newest.
        s.v[s.n - 1] = v;
        if (s.h !== null) s.h[s.n - 1] = h;
        return;
      }
    }
    if (s.n === s.t.length) {
      const t2 = new Float64Array(s.n * 2);
      t2.set(s.t);
      const v2 = new Float64Array(s.n * 2);
      v2.set(s.v);
      s.t = t2;
      s.v = v2;
    }
    s.t[s.n] = t;
    s.v[s.n] = v;
    if (s.h !== null) s.h[s.n] = h;
    s.n++;
  }
}

/** First index with t[i] >= x. */
function lowerBound(t: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with t[i] > x. */
function upperBound(t: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

