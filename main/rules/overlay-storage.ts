/**
 * A read-through view of the real storage plus a private in-memory overlay of synthetic series,
 * for fire drills and what-if evaluation. Reads see both; every append goes to the overlay only,
 * so a drill can write its ALERTS / ALERTS_FOR_STATE series and synthetic inputs without ever
 * touching real data. The real storage is only ever asked for a querier.
 */
import { MemoryStorage } from '../tsdb/memory-storage.js';
import type {
  NativeHistogram,
  Appendable,
  Appender,
  Matcher,
  Querier,
  Queryable,
  SampleArrays,
  SelectHints,
  SeriesSet,
  StoredSeries,
} from '../tsdb/interface.js';
import { compareLabels, labelsKey, type Labels } from '../tsdb/labels.js';

export interface OverlayOptions {
  /**
   * When true, a series present in the overlay hides the real series with the same labels
   * entirely (a drill that wants its curve alone). Default false: samples merge by timestamp
   * and the overlay wins at equal timestamps.
   */
  shadowReal?: boolean;
}

export class OverlayStorage implements Queryable, Appendable {
  /** The synthetic side; exposed so callers can seed it synchronously with `add`. */
  readonly overlay = new MemoryStorage();

  constructor(
    private readonly real: Queryable,
    private readonly options: OverlayOptions = {},
  ) {}

  /** Appends land in the overlay; the real storage never sees an appender call. */
  appender(): Appender {
    return this.overlay.appender();
  }

  add(labels: Labels, t: number, v: number): void {
    this.overlay.add(labels, t, v);
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    const [real, over] = await Promise.all([this.real.querier(mint, maxt), this.overlay.querier(mint, maxt)]);
    const shadow = this.options.shadowReal === true;
    const select = async (matchers: readonly Matcher[], hints?: SelectHints): Promise<SeriesSet> => {
      // The limit applies to the merged set, so neither side may truncate on its own.
      const inner: SelectHints | undefined = hints === undefined ? undefined : { ...hints, limit: undefined };
      const [a, b] = await Promise.all([real.select(matchers, inner), over.select(matchers, inner)]);
      const series = mergeSeriesLists(a.series, b.series, shadow);
      const limited = hints?.limit !== undefined ? series.slice(0, hints.limit) : series;
      return { series: limited, warnings: [...a.warnings, ...b.warnings] };
    };
    const labelNames = async (matchers?: readonly Matcher[]): Promise<string[]> => {
      const [a, b] = await Promise.all([real.labelNames(matchers), over.labelNames(matchers)]);
      return sortedUnion(a, b);
    };
    const labelValues = async (name: string, matchers?: readonly Matcher[]): Promise<string[]> => {
      const [a, b] = await Promise.all([real.labelValues(name, matchers), over.labelValues(name, matchers)]);
      return sortedUnion(a, b);
    };
    return {
      select,
      labelNames,
      labelValues,
      close: () => {
        real.close();
        over.close();
      },
    };
  }
}

function sortedUnion(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/** Merges two label-sorted series lists into one label-sorted list. */
function mergeSeriesLists(real: readonly StoredSeries[], over: readonly StoredSeries[], shadow: boolean): StoredSeries[] {
  const byKey = new Map<string, StoredSeries>();
  for (const s of real) byKey.set(labelsKey(s.labels), s);
  for (const o of over) {
    const key = labelsKey(o.labels);
    const r = byKey.get(key);
    byKey.set(key, r === undefined || shadow ? o : mergedSeries(r, o));
  }
  // Labels read once per series: a storage may build them on every access (the TSDB does).
  return [...byKey.values()]
    .map((x) => ({ x, labels: x.labels }))
    .sort((a, b) => compareLabels(a.labels, b.labels))
    .map((e) => e.x);
}

function mergedSeries(real: StoredSeries, over: StoredSeries): StoredSeries {
  let cached: SampleArrays | null = null;
  return {
    labels: over.labels,
    samples: () => (cached ??= mergeSamples(real.samples(), over.samples())),
  };
}

/**
 * Merges two ascending sample columns; at equal timestamps the overlay's value wins. Values are
 * copied Float64Array to Float64Array so stale-marker NaN bits survive; histograms ride along.
 */
function mergeSamples(real: SampleArrays, over: SampleArrays): SampleArrays {
  const n = real.t.length + over.t.length;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  // Native histograms ride along when either side has any.
  const h = real.h !== undefined || over.h !== undefined ? new Array<NativeHistogram | undefined>(n) : undefined;
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < real.t.length || j < over.t.length) {
    const rt = i < real.t.length ? real.t[i]! : Infinity;
    const ot = j < over.t.length ? over.t[j]! : Infinity;
    if (ot <= rt) {
      t[k] = ot;
      v[k] = over.v[j]!;
      if (h) h[k] = over.h?.[j];
      j++;
      if (ot === rt) i++;
    } else {
      t[k] = rt;
      v[k] = real.v[i]!;
      if (h) h[k] = real.h?.[i];
      i++;
    }
    k++;
  }
  const cols = { t: t.subarray(0, k), v: v.subarray(0, k) };
  return h ? { ...cols, h: h.slice(0, k) } : cols;
}
