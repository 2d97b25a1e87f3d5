/**
 * The open (head) chunks, owned by the compression worker. Each series keeps its unsealed
 * samples raw in pages of a shared pool (worker_head_pages.ts): timestamps as uint32 offsets from
 * the chunk's first sample (a chunk never spans more than its 2 h window, far below 2^32 ms) and
 * values as float64, 12 bytes a sample.
 *
 * A chunk is cut when it holds `maxSamples` samples (120, as Prometheus: ~30 min at 15 s, where
 * XOR and decimal codecs have amortised their headers; more costs head memory and decode work
 * per query) or when a sample falls into the next 2 h window (aligned to the epoch). The window
 * bound lets a query find every chunk overlapping [mint, maxt] by `min_t > mint − 2 h`, and it
 * lets retention drop whole chunks at a clean time.
 */
import { chunkWindowMs } from './store_schema.js';
import { PagePool, pageSamples } from './worker_head_pages.js';

export const defaultMaxChunkSamples = 120;

/** A sealed run of samples waiting to be encoded and written. */
export interface SealedRun {
  readonly ref: number;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** Batch id of the oldest sample: the log must keep this batch until the chunk is written. */
  readonly firstBatch: number;
}

export class Head {
  private readonly pool = new PagePool();
  /** Page ids of series `ref` at [ref · slots, (ref + 1) · slots), in sample order. */
  private pages: Int32Array;
  private readonly slots: number;
  private len = new Uint32Array(1024);
  private base = new Float64Array(1024);
  private firstBatch = new Float64Array(1024);
  /** Newest sample per series, head or sealed (-Infinity when none). */
  lastT = new Float64Array(1024).fill(-Infinity);
  lastV = new Float64Array(1024);
  samples = 0;
  series = 0;
  /** Newest sample time over all series. */
  private newest = -Infinity;

  constructor(private readonly maxSamples = defaultMaxChunkSamples) {
    this.slots = Math.ceil(maxSamples / pageSamples);
    this.pages = new Int32Array(1024 * this.slots);
  }

  ensure(maxRef: number): void {
    if (maxRef < this.len.length) return;
    const n = Math.max(maxRef + 1, this.len.length * 2);
    const g = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const next = make(n);
      next.set(a);
      return next;
    };
    this.len = g(this.len, (k) => new Uint32Array(k));
    this.base = g(this.base, (k) => new Float64Array(k));
    this.firstBatch = g(this.firstBatch, (k) => new Float64Array(k));
    this.lastT = g(this.lastT, (k) => new Float64Array(k).fill(-Infinity));
    this.lastV = g(this.lastV, (k) => new Float64Array(k));
    const pages = new Int32Array(n * this.slots);
    pages.set(this.pages);
    this.pages = pages;
  }

  /**
   * Appends one sample; samples not newer than the series' newest are dropped (a replayed or
   * re-sent batch). Returns the run sealed to make room, if any.
   */
  append(ref: number, t: number, v: number, batch: number): SealedRun | null {
    if (!(t > this.lastT[ref]!)) return null;
    let sealed: SealedRun | null = null;
    let n = this.len[ref]!;
    if (n > 0 && (n >= this.maxSamples || Math.floor(t / chunkWindowMs) !== Math.floor(this.base[ref]! / chunkWindowMs))) {
      sealed = this.seal(ref);
      n = 0;
    }
    const slot = n % pageSamples;
    if (slot === 0) this.pages[ref * this.slots + n / pageSamples] = this.pool.alloc();
    const { dt, v: vals, at } = this.pool.locate(this.pages[ref * this.slots + Math.floor(n / pageSamples)]!);
    if (n === 0) {
      this.base[ref] = t;
      this.firstBatch[ref] = batch;
      this.series++;
    }
    dt[at + slot] = t - this.base[ref]!;
    vals[at + slot] = v;
    this.len[ref] = n + 1;
    this.lastT[ref] = t;
    this.lastV[ref] = v;
    if (t > this.newest) this.newest = t;
    this.samples++;
    return sealed;
  }

  /** Removes the series' open samples as a sealed run (null when empty). */
  seal(ref: number): SealedRun | null {
    const n = this.len[ref] ?? 0;
    if (n === 0) return null;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    this.copyOut(ref, n, -Infinity, Infinity, t, v, 0);
    for (let p = 0; p * pageSamples < n; p++) this.pool.release(this.pages[ref * this.slots + p]!);
    this.len[ref] = 0;
    this.samples -= n;
    this.series--;
    return { ref, t, v, firstBatch: this.firstBatch[ref]! };
  }

  /** Seals every open chunk whose 2 h window ended before `t`'s window (series gone quiet). */
  sealBefore(t: number, out: SealedRun[]): void {
    const w = Math.floor(t / chunkWindowMs);
    for (let ref = 1; ref < this.len.length; ref++) {
      if (this.len[ref]! > 0 && Math.floor(this.base[ref]! / chunkWindowMs) < w) out.push(this.seal(ref)!);
    }
  }

  sealAll(out: SealedRun[]): void {
    for (let ref = 1; ref < this.len.length; ref++) if (this.len[ref]! > 0) out.push(this.seal(ref)!);
  }

  /** Smallest batch id still needed by an open chunk, or Infinity. */
  oldestBatch(): number {
    let min = Infinity;
    for (let ref = 1; ref < this.len.length; ref++) if (this.len[ref]! > 0 && this.firstBatch[ref]! < min) min = this.firstBatch[ref]!;
    return min;
  }

  /** Open samples of `refs` within [mint, maxt]. */
  read(refs: Uint32Array, mint: number, maxt: number): { offsets: Uint32Array; t: Float64Array; v: Float64Array } {
    const offsets = new Uint32Array(refs.length + 1);
    let total = 0;
    for (let i = 0; i < refs.length; i++) total += refs[i]! < this.len.length ? this.len[refs[i]!]! : 0;
    const t = new Float64Array(total);
    const v = new Float64Array(total);
    let k = 0;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      offsets[i] = k;
      const n = ref < this.len.length ? this.len[ref]! : 0;
      if (n === 0) continue;
      k = this.copyOut(ref, n, mint, maxt, t, v, k);
    }
    offsets[refs.length] = k;
    return { offsets, t: t.slice(0, k), v: v.slice(0, k) };
  }

  /** Copies the series' open samples within [mint, maxt] to t/v from index k; returns the new k. */
  private copyOut(ref: number, n: number, mint: number, maxt: number, t: Float64Array, v: Float64Array, k: number): number {
    const base = this.base[ref]!;
    for (let p = 0; p * pageSamples < n; p++) {
      const { dt, v: vals, at } = this.pool.locate(this.pages[ref * this.slots + p]!);
      const m = Math.min(pageSamples, n - p * pageSamples);
      for (let j = 0; j < m; j++) {
        const ts = base + dt[at + j]!;
        if (ts < mint || ts > maxt) continue;
        t[k] = ts;
        // Copy the value's bits through the typed arrays (never via arithmetic).
        v[k] = vals[at + j]!;
        k++;
      }
    }
    return k;
  }

  /** Bytes held by head pages (allocated segments). */
  get pageBytes(): number {
    return this.pool.bytes;
  }

  /** Newest sample time over all series (for quiet-series sealing and time retention). */
  maxTime(): number {
    return this.newest;
  }
}
