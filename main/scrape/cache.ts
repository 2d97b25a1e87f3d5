/**
 * The scrape cache, after Prometheus' scrapeCache: raw series text → storage ref and the final
 * labels (after target labels and metric relabeling), so a repeat scrape of an unchanged page
 * does no label parsing and no relabeling. Also tracks which series the previous scrape
 * produced, so the ones that vanished get a staleness marker.
 */
import type { SeriesRef } from '../tsdb/interface.js';
import type { Labels } from '../tsdb/labels.js';
import type { MetricTypeName } from './parse/parser.js';

/** What a page says about a metric family, for /api/v1/metadata. */
export interface MetricMetadata {
  type: MetricTypeName;
  help: string;
  unit: string;
}

export interface CacheEntry {
  ref: SeriesRef;
  readonly labels: Labels;
  /** Scrape iteration that last saw this raw series. */
  lastIter: number;
  /** Scrape iteration that last appended it at scrape time (for staleness); -1: none. */
  trackedIter: number;
}

export class ScrapeCache {
  private readonly series = new Map<string, CacheEntry>();
  /** Raw series that metric relabeling drops: remembered so they are not relabeled again. */
  private readonly dropped = new Map<string, number>();
  /** Family name → metadata and the scrape that last saw it. */
  private readonly meta = new Map<string, MetricMetadata & { lastIter: number }>();
  private iter = 0;
  /** Raw series added in the running scrape: forgotten if it fails (its refs were rolled back). */
  private added: string[] = [];
  // Staleness: entries appended without an explicit timestamp in this / the last scrape. Arrays
  // plus an iteration stamp on the entry: no hashing per sample.
  private cur: CacheEntry[] = [];
  private prev: CacheEntry[] = [];

  get(id: string): CacheEntry | undefined {
    const e = this.series.get(id);
    if (e !== undefined) e.lastIter = this.iter;
    return e;
  }

  add(id: string, ref: SeriesRef, labels: Labels): CacheEntry {
    const e: CacheEntry = { ref, labels, lastIter: this.iter, trackedIter: -1 };
    this.series.set(id, e);
    this.added.push(id);
    return e;
  }

  isDropped(id: string): boolean {
    if (!this.dropped.has(id)) return false;
    this.dropped.set(id, this.iter);
    return true;
  }

  addDropped(id: string): void {
    this.dropped.set(id, this.iter);
  }

  /** Records one `# TYPE` / `# HELP` / `# UNIT` line of the current page. */
  setMetadata(name: string, field: 'type' | 'help' | 'unit', value: string): void {
    let m = this.meta.get(name);
    if (m === undefined) this.meta.set(name, (m = { type: 'unknown', help: '', unit: '', lastIter: this.iter }));
    m.lastIter = this.iter;
    if (field === 'type') m.type = value as MetricTypeName;
    else m[field] = value;
  }

  /** Metadata of the families the last scrapes reported. */
  metadata(): Map<string, MetricMetadata> {
    const out = new Map<string, MetricMetadata>();
    for (const [name, { type, help, unit }] of this.meta) out.set(name, { type, help, unit });
    return out;
  }

  /** Records that the entry's series got a sample at scrape time in this scrape. */
  trackStaleness(e: CacheEntry): void {
    if (e.trackedIter === this.iter) return;
    e.trackedIter = this.iter;
    this.cur.push(e);
  }

  /** Series the previous scrape produced and this one did not: they get StaleNaN. */
  vanished(): [SeriesRef, Labels][] {
    const gone = this.prev.filter((e) => e.trackedIter !== this.iter);
    if (gone.length === 0) return gone.map((e) => [e.ref, e.labels]);
    // Two raw series may share one stored series (relabeling made them equal): it is only gone
    // if neither produced a sample.
    const present = new Set<SeriesRef>();
    for (const e of this.cur) present.add(e.ref);
    const out = new Map<SeriesRef, Labels>();
    for (const e of gone) if (!present.has(e.ref)) out.set(e.ref, e.labels);
    return [...out];
  }

  /**
   * Undoes a failed scrape's traces: its new entries (their refs came from a rolled-back
   * transaction) and its staleness tracking, so that every series of the last good scrape
   * shows up in `vanished()`.
   */
  abort(): void {
    for (const id of this.added) this.series.delete(id);
    this.added = [];
    for (const e of this.cur) e.trackedIter = -1;
    this.cur = [];
  }

  /**
   * Ends a scrape. After a successful one, forgets raw series not seen in this or the previous
   * scrape and rolls the staleness window; after a failed one, the scrape counts as empty (every
   * series of the last good scrape is marked stale by the caller first).
   */
  iterDone(success: boolean): void {
    if (success) {
      for (const [id, e] of this.series) if (e.lastIter < this.iter - 1) this.series.delete(id);
      for (const [id, it] of this.dropped) if (it < this.iter - 1) this.dropped.delete(id);
      for (const [name, m] of this.meta) if (m.lastIter < this.iter - 1) this.meta.delete(name);
    }
    this.prev = this.cur;
    this.cur = [];
    this.added = [];
    this.iter++;
  }

  /** Drops everything, e.g. when metric relabeling changed. Staleness tracking survives. */
  clear(): void {
    this.series.clear();
    this.dropped.clear();
  }

  get size(): number {
    return this.series.size + this.dropped.size;
  }
}
