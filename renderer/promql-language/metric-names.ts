/**
 * Completion of metric names without a round trip per key press. The engine's event loop is
 * shared with scraping, so with a fleet being scraped one `metadata` request per key waited
 * 130–370 ms behind scrape work. Instead, as Prometheus' own editor does, the page holds every
 * metric name (one `labelValues(__name__)` answer, ~6 MB for 200k names, fetched and checked in
 * the fetch worker) and ranks them locally with the engine's ranking (`app/promql/rank-names.ts`).
 * Types and HELP still come from the engine: asked in the background for the search typed once
 * typing pauses, they decorate the rows shown after. Until the list has arrived, and when it cannot
 * be had, the engine answers as before.
 */
import { rankNames } from '../../app/promql/rank-names.js';
import type { MetricMetadata, PromClient } from './prom-client.js';

/** Every metric name of a source, ranked for a search; null while no list has arrived. */
export interface NameIndex {
  /** Starts a load when there is no list or it is stale; never throws. */
  warm(): void;
  search(search: string, limit: number): string[] | null | Promise<string[] | null>;
}

/** Names sorted (the engine answers them sorted; sorting 200k again would cost), with lower-case forms. */
export function indexNames(names: string[]): { names: string[]; lower: string[] } {
  let sorted = true;
  let upper = false;
  for (let i = 0; i < names.length; i++) {
    if (i > 0 && names[i - 1]! > names[i]!) sorted = false;
    if (!upper && /[A-Z]/.test(names[i]!)) upper = true;
  }
  const list = sorted ? names : [...names].sort();
  return { names: list, lower: upper ? list.map((n) => n.toLowerCase()) : list };
}

/**
 * Every metric name, sorted, with lower-case forms, held on the page's main thread; reloaded in
 * the background when stale. Through `vigil serve` the list is held in a worker instead
 * (`worker-names.ts`); this one serves the desktop app and pages without workers.
 */
export class MetricNameIndex implements NameIndex {
  private list: { names: string[]; lower: string[]; at: number } | null = null;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly load: () => Promise<string[]>,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Starts a load when there is no list or it is older than `maxAgeMs`; never throws. */
  warm(): void {
    if (this.loading !== null) return;
    if (this.list !== null && this.now() - this.list.at < this.maxAgeMs) return;
    this.loading = this.load()
      .then((names) => {
        this.list = { ...indexNames(names), at: this.now() };
      })
      .catch(() => {
        // The engine answers searches itself until a load succeeds.
      })
      .finally(() => {
        this.loading = null;
      });
  }

  /** Names ranked for `search`, or null while no list has arrived. */
  search(search: string, limit: number): string[] | null {
    this.warm();
    return this.list === null ? null : rankNames(this.list.names, search, limit, this.list.lower).names;
  }
}

/** A PromClient whose metric search is answered from a `MetricNameIndex` once it has loaded. */
export class LocalMetricNamesClient implements PromClient {
  /** Type and HELP by name, from the engine's answers so far. */
  private readonly known = new Map<string, MetricMetadata>();
  private readonly asked = new Set<string>();
  private pending: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly inner: PromClient,
    private readonly index: NameIndex,
    /** Types and HELP are asked for once typing pauses this long (the latest search only). */
    private readonly decorateAfterMs = 150,
  ) {}

  labelNames(match?: string[]): Promise<string[]> {
    return this.inner.labelNames(match);
  }

  labelValues(name: string, opts?: { match?: string[]; search?: string; limit?: number }): Promise<string[]> {
    return this.inner.labelValues(name, opts);
  }

  async metricMetadata(opts?: { search?: string; limit?: number }): Promise<MetricMetadata[]> {
    const search = opts?.search ?? '';
    const limit = opts?.limit ?? 200;
    const names = await this.index.search(search, limit);
    if (names === null) return this.remember(await this.inner.metricMetadata(opts));
    const key = `${search}\n${limit}`;
    if (this.pending !== null) clearTimeout(this.pending);
    this.pending = null;
    if (!this.asked.has(key)) {
      this.pending = setTimeout(() => {
        this.pending = null;
        this.asked.add(key);
        if (this.asked.size > 2000) this.asked.clear();
        this.inner.metricMetadata(opts).then(
          (ms) => this.remember(ms),
          () => this.asked.delete(key),
        );
      }, this.decorateAfterMs);
    }
    return names.map((name) => this.known.get(name) ?? { name, type: '', help: '', unit: '' });
  }

  private remember(ms: MetricMetadata[]): MetricMetadata[] {
    for (const m of ms) if (m.type !== '' || m.help !== '') this.known.set(m.name, m);
    if (this.known.size > 50_000) this.known.clear();
    return ms;
  }
}
