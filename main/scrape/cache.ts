/**
 * The scrape cache, after Prometheus' scrapeCache: raw series text → storage ref, so a repeat
 * scrape of an unchanged page does no label parsing and no relabeling. Also remembers which
 * series the last scrapes produced, so the ones that vanished get a staleness marker.
 *
 * Keys are the page's own bytes (cache-keys.ts), per-series state lives in typed arrays indexed
 * by slot, and a lookup first tries the slot that held the same line position in the previous
 * scrape: pages list their series in the same order scrape after scrape, so the usual lookup is
 * one byte comparison against memory read in order, with no hashing at all.
 */
import type { SeriesRef } from '../tsdb/interface.js';
import { hashBytes, KeySlots, viewOf } from './cache-keys.js';
import type { MetricTypeName } from './parse/parser.js';
import { grown } from '../util/typed-arrays.js';

/** What a page says about a metric family, for /api/v1/metadata. */
export interface MetricMetadata {
  type: MetricTypeName;
  help: string;
  unit: string;
}

const emptyView = viewOf(new Uint8Array(0));

/** Marks by series ref, shared by every cache: vanished() stamps present refs with a token. */
let refMarks = new Int32Array(1024);
let markToken = 0;

export class ScrapeCache {
  private readonly keys = new KeySlots();
  // Per slot.
  private refs = new Uint32Array(16);
  /** Scrape iteration that last saw the slot's raw series. */
  private lastIter = new Int32Array(16);
  /** 1: metric relabeling drops this raw series (remembered so it is not relabeled again). */
  private dropped = new Uint8Array(16);
  /** Family name → metadata and the scrape that last saw it. */
  private readonly meta = new Map<string, MetricMetadata & { lastIter: number }>();
  private iter = 0;
  /** Slots added in the running scrape: forgotten if it fails (their refs were rolled back). */
  private added: number[] = [];
  // Line position → slot, for this scrape and the last successful one (-1: not cached).
  private curOrder = new Int32Array(1024);
  private curOrderN = 0;
  private prevOrder = new Int32Array(0);
  private prevOrderN = 0;
  // Refs appended at scrape time in this / the previous scrape (staleness).
  private curRefs = new Uint32Array(1024);
  private curRefsN = 0;
  private prevRefs = new Uint32Array(0);
  private prevRefsN = 0;
  // The page being scraped and the last missed key (for add / addDropped).
  private page: Uint8Array | null = null;
  private view = emptyView;
  private missStart = 0;
  private missEnd = 0;
  private missHash = 0;

  /**
   * Looks up the raw series `buf[s, e)` of the page's next series line. Returns its slot, or
   * -1 on a miss (then call `add` or `addDropped` for it, or nothing).
   */
  lookup(buf: Uint8Array, s: number, e: number): number {
    if (buf !== this.page) {
      this.page = buf;
      this.view = viewOf(buf);
    }
    const pos = this.curOrderN++;
    this.curOrder = grown(this.curOrder, pos + 1);
    let slot = pos < this.prevOrderN ? this.prevOrder[pos]! : -1;
    if (slot < 0 || !this.keys.isLive(slot) || !this.keys.equals(slot, this.view, s, e)) {
      const h = hashBytes(this.view, s, e);
      slot = this.keys.find(this.view, s, e, h);
      if (slot < 0) {
        this.missStart = s;
        this.missEnd = e;
        this.missHash = h;
      }
    }
    this.curOrder[pos] = slot;
    if (slot >= 0) this.lastIter[slot] = this.iter;
    return slot;
  }

  isDropped(slot: number): boolean {
    return this.dropped[slot] === 1;
  }

  refOf(slot: number): SeriesRef {
    return this.refs[slot]!;
  }

  setRef(slot: number, ref: SeriesRef): void {
    this.refs[slot] = ref;
  }

  /** Caches the key of the last missed lookup with its storage ref. */
  add(ref: SeriesRef): number {
    return this.insert(ref, 0);
  }

  /** Remembers that metric relabeling drops the last missed key. */
  addDropped(): number {
    return this.insert(0, 1);
  }

  private insert(ref: number, dropped: number): number {
    const slot = this.keys.insert(this.view, this.missStart, this.missEnd, this.missHash);
    const n = this.keys.capacity;
    this.refs = grown(this.refs, n);
    this.lastIter = grown(this.lastIter, n);
    this.dropped = grown(this.dropped, n);
    this.refs[slot] = ref;
    this.dropped[slot] = dropped;
    this.lastIter[slot] = this.iter;
    this.curOrder[this.curOrderN - 1] = slot;
    this.added.push(slot);
    return slot;
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

  /** Records that series `ref` got a sample at scrape time in this scrape. */
  trackStaleness(ref: SeriesRef): void {
    this.curRefs = grown(this.curRefs, this.curRefsN + 1);
    this.curRefs[this.curRefsN++] = ref;
  }

  /**
   * Series the previous scrape produced and this one did not: they get StaleNaN. Two raw
   * series may share one stored series (relabeling made them equal): it is only gone if neither
   * produced a sample.
   */
  vanished(): SeriesRef[] {
    let max = 0;
    for (let i = 0; i < this.prevRefsN; i++) if (this.prevRefs[i]! > max) max = this.prevRefs[i]!;
    for (let i = 0; i < this.curRefsN; i++) if (this.curRefs[i]! > max) max = this.curRefs[i]!;
    refMarks = grown(refMarks, max + 1);
    if (++markToken === 0x7fffffff) {
      refMarks.fill(0);
      markToken = 1;
    }
    const token = markToken;
    for (let i = 0; i < this.curRefsN; i++) refMarks[this.curRefs[i]!] = token;
    const out: SeriesRef[] = [];
    for (let i = 0; i < this.prevRefsN; i++) {
      const r = this.prevRefs[i]!;
      if (refMarks[r] === token) continue;
      refMarks[r] = token;
      out.push(r);
    }
    return out;
  }

  /**
   * Undoes a failed scrape's traces: its new slots (their refs came from a rolled-back
   * transaction) and its staleness tracking, so that every series of the last good scrape
   * shows up in `vanished()`.
   */
  abort(): void {
    for (const slot of this.added) this.keys.remove(slot);
    this.added = [];
    this.curRefsN = 0;
    this.releasePage();
  }

  /**
   * Lets go of the scraped page: keys were copied into the arena, and holding the page until the
   * next scrape kept its whole buffer alive — a slice of a 1 MiB inflate or read chunk, so 1 MiB
   * per target between scrapes (50 MiB of W-fleet's resident memory, seen in a heap snapshot).
   */
  private releasePage(): void {
    this.page = null;
    this.view = emptyView;
  }

  /**
   * Ends a scrape. After a successful one, forgets raw series not seen in this or the previous
   * scrape, keeps this scrape's line order for the next lookups and rolls the staleness window;
   * after a failed one, the scrape counts as empty (every series of the last good scrape is
   * marked stale by the caller first).
   */
  iterDone(success: boolean): void {
    if (success) {
      const top = this.keys.slotTop;
      const keep = this.iter - 1;
      for (let slot = 0; slot < top; slot++) if (this.lastIter[slot]! < keep && this.keys.isLive(slot)) this.keys.remove(slot);
      for (const [name, m] of this.meta) if (m.lastIter < keep) this.meta.delete(name);
      const order = this.prevOrder;
      this.prevOrder = this.curOrder;
      this.prevOrderN = this.curOrderN;
      this.curOrder = order.length >= this.curOrderN ? order : new Int32Array(this.curOrderN);
    }
    this.curOrderN = 0;
    const refs = this.prevRefs;
    this.prevRefs = this.curRefs;
    this.prevRefsN = this.curRefsN;
    this.curRefs = refs.length > 0 ? refs : new Uint32Array(1024);
    this.curRefsN = 0;
    this.added = [];
    this.iter++;
    this.releasePage();
  }

  /** Drops every cached key, e.g. when metric relabeling changed. Staleness tracking survives. */
  clear(): void {
    this.keys.clear();
    this.refs = new Uint32Array(16);
    this.lastIter = new Int32Array(16);
    this.dropped = new Uint8Array(16);
    this.added = [];
    this.prevOrderN = 0;
    this.curOrder.fill(-1, 0, this.curOrderN);
  }

  get size(): number {
    return this.keys.size;
  }
}
