/**
 * The open (head) chunks, owned by the compression worker. Each series keeps its newest unsealed
 * samples raw in one page of a shared pool (worker-head-pages.ts): timestamps as uint32 offsets
 * from the chunk's first sample (a chunk never spans more than its 2 h window, far below 2^32 ms)
 * and values as float64, 12 bytes a sample. A page that fills (16 samples) is encoded as a bare
 * Gorilla XOR body (no frame, no checksum: it never leaves memory; the decimal codec's planning
 * cost more CPU than its bytes saved here) into a shared byte arena — ~3 bytes a sample instead
 * of 12 — so a series holding a nearly full chunk costs ~500 bytes of head, not ~1.4 KB.
 *
 * A chunk is cut when it holds `maxSamples` samples (120, as Prometheus: ~30 min at 15 s, where
 * XOR and decimal codecs have amortised their headers; more costs head memory and decode work
 * per query) or when a sample falls into the next 2 h window (aligned to the epoch). The window
 * bound lets a query find every chunk overlapping [mint, maxt] by `min_t > mint − 2 h`, and it
 * lets retention drop whole chunks at a clean time.
 */
import { xorCodec } from './chunkenc/xor.js';
import type { HistogramSlot } from './chunkenc/chunk.js';
import { HistogramMarker, isHistogramMarker } from './histogram-log.js';
import { isStaleNaN, StaleNaN, type LookbackPoints, type NativeHistogram } from './interface.js';
import { thinInto, thinnedBound } from './lookback.js';
import { chunkWindowMs } from './store-schema.js';
import { PagePool, pageSamples } from './worker-head-pages.js';
import { grown } from '../util/typed-arrays.js';

/** Encoded pages of open chunks, back to back; compacted when half of it is garbage. */
class ByteArena {
  bytes = new Uint8Array(1 << 16);
  used = 0;
  garbage = 0;

  alloc(data: Uint8Array): number {
    if (this.used + data.length > this.bytes.length) {
      const next = new Uint8Array(Math.max(this.bytes.length * 2, this.used + data.length));
      next.set(this.bytes.subarray(0, this.used));
      this.bytes = next;
    }
    this.bytes.set(data, this.used);
    this.used += data.length;
    return this.used - data.length;
  }
}

// Scratch for freezing and reading one page.
const scratchT = new Float64Array(pageSamples);
const scratchV = new Float64Array(pageSamples);
// Scratch for one series' open samples before thinning (grows to the longest open chunk).
let readScratch = { t: new Float64Array(128), v: new Float64Array(128) };

const defaultMaxChunkSamples = 120;

/** A sealed run of samples waiting to be encoded and written. */
export interface SealedRun {
  readonly ref: number;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** Batch id of the oldest sample: the log must keep this batch until the chunk is written. */
  readonly firstBatch: number;
  /** Set for a histogram run: one histogram per `t` (null: a staleness marker); `v` is then empty. */
  readonly h?: HistogramSlot[];
}

/** An open histogram chunk: its samples kept as objects (histograms are few, their buckets many). */
interface OpenHistograms {
  readonly t: number[];
  readonly h: HistogramSlot[];
}

export class Head {
  private readonly pool = new PagePool();
  private readonly arena = new ByteArena();
  /** Raw page of series `ref` (its newest samples after the frozen ones), -1 when none. */
  private rawPage = new Int32Array(1024).fill(-1);
  /** Frozen (XOR-encoded) pages of series `ref` at [ref · frozenSlots, …): arena offset and length. */
  private readonly frozenSlots: number;
  private frozenOff: Uint32Array;
  private frozenLen: Uint16Array;
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
  /** Series whose open chunk holds histograms (they use no pages). */
  private readonly hist = new Map<number, OpenHistograms>();

  constructor(private readonly maxSamples = defaultMaxChunkSamples) {
    this.frozenSlots = Math.max(1, Math.ceil(maxSamples / pageSamples));
    this.frozenOff = new Uint32Array(1024 * this.frozenSlots);
    this.frozenLen = new Uint16Array(1024 * this.frozenSlots);
  }

  ensure(maxRef: number): void {
    if (maxRef < this.len.length) return;
    const n = Math.max(maxRef + 1, this.len.length * 2);
    this.len = grown(this.len, n);
    this.base = grown(this.base, n);
    this.firstBatch = grown(this.firstBatch, n);
    this.lastT = grown(this.lastT, n, -Infinity);
    this.lastV = grown(this.lastV, n);
    this.rawPage = grown(this.rawPage, n, -1);
    this.frozenOff = grown(this.frozenOff, n * this.frozenSlots);
    this.frozenLen = grown(this.frozenLen, n * this.frozenSlots);
  }

  /**
   * Appends one sample; samples not newer than the series' newest are dropped (a replayed or
   * re-sent batch). Returns the run sealed to make room, if any.
   */
  append(ref: number, t: number, v: number, batch: number, h: NativeHistogram | null = null): SealedRun | null {
    if (!(t > this.lastT[ref]!)) return null;
    let sealed: SealedRun | null = null;
    let n = this.len[ref]!;
    const open = this.hist.size > 0 ? this.hist.get(ref) : undefined;
    // A staleness marker joins the histograms when the series' newest sample is one.
    const histogram = h !== null || (v !== v && isStaleNaN(v) && (open !== undefined || isHistogramMarker(this.lastV[ref]!)));
    if (n > 0 && (n >= this.maxSamples || histogram !== (open !== undefined) || Math.floor(t / chunkWindowMs) !== Math.floor(this.base[ref]! / chunkWindowMs))) {
      sealed = this.seal(ref);
      n = 0;
    }
    if (histogram) {
      if (n === 0) {
        this.base[ref] = t;
        this.firstBatch[ref] = batch;
        this.series++;
        this.hist.set(ref, { t: [], h: [] });
      }
      const o = this.hist.get(ref)!;
      o.t.push(t);
      o.h.push(h);
      this.len[ref] = n + 1;
      this.lastT[ref] = t;
      this.lastV[ref] = h !== null ? HistogramMarker : v;
      if (t > this.newest) this.newest = t;
      this.samples++;
      return sealed;
    }
    const slot = n % pageSamples;
    if (slot === 0) this.rawPage[ref] = this.pool.alloc();
    const { dt, v: vals, at } = this.pool.locate(this.rawPage[ref]!);
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
    if (slot === pageSamples - 1) this.freeze(ref, (n + 1) / pageSamples - 1);
    return sealed;
  }

  /**
   * Bulk append (an import): samples [from, to) of one float series, times increasing. Each chunk
   * the run completes — cut where append() would cut it: at `maxSamples` or a 2 h window — is
   * pushed to `out` whole, without passing through the head's pages; the series' open samples
   * join the first one. The last chunk stays open in the head unless `sealLast`. Returns the
   * index of the first sample left in the head (`to` when none): the caller logs [that, to).
   * Samples not newer than the series' newest are dropped, as append() drops them.
   */
  appendRun(ref: number, t: Float64Array, v: Float64Array, from: number, to: number, batch: number, sealLast: boolean, out: SealedRun[]): number {
    while (from < to && !(t[from]! > this.lastT[ref]!)) from++;
    if (from === to) return to;
    let plain = !isHistogramMarker(this.lastV[ref]!) && !(this.hist.size > 0 && this.hist.has(ref));
    for (let i = from; i < to && plain; i++) plain = (i === from || t[i]! > t[i - 1]!) && !isHistogramMarker(v[i]!);
    if (!plain) {
      // Histograms, or times out of order (never from the importer): one sample at a time.
      for (let i = from; i < to; i++) {
        const run = this.append(ref, t[i]!, v[i]!, batch);
        if (run) out.push(run);
      }
      return from;
    }
    const max = this.maxSamples;
    const n = this.len[ref]!;
    if (n > 0) {
      // Fill the open chunk up to its cut through the head; a run that does not reach it stays there.
      const w = Math.floor(this.base[ref]! / chunkWindowMs);
      let cut = from;
      while (cut < to && n + (cut - from) < max && Math.floor(t[cut]! / chunkWindowMs) === w) cut++;
      if (cut === to && !sealLast) {
        for (let i = from; i < to; i++) this.append(ref, t[i]!, v[i]!, batch);
        return from;
      }
      for (let i = from; i < cut; i++) this.append(ref, t[i]!, v[i]!, batch);
      out.push(this.seal(ref)!);
      if (cut === to) return to;
      from = cut;
    }
    let s = from;
    let w = Math.floor(t[s]! / chunkWindowMs);
    for (let i = from + 1; i < to; i++) {
      const wi = Math.floor(t[i]! / chunkWindowMs);
      if (i - s < max && wi === w) continue;
      out.push({ ref, t: t.subarray(s, i), v: v.subarray(s, i), firstBatch: batch });
      s = i;
      w = wi;
    }
    if (s < to && sealLast) {
      out.push({ ref, t: t.subarray(s, to), v: v.subarray(s, to), firstBatch: batch });
      s = to;
    }
    const last = t[to - 1]!;
    if (s === to) {
      // Everything sealed: the newest sample is remembered as append() would.
      this.lastT[ref] = last;
      this.lastV[ref] = v[to - 1]!;
      if (last > this.newest) this.newest = last;
      return to;
    }
    // The chunk still open: through the head (from an empty series, so nothing is cut here).
    if (s > from) {
      this.lastT[ref] = t[s - 1]!;
      this.lastV[ref] = v[s - 1]!;
    }
    for (let i = s; i < to; i++) this.append(ref, t[i]!, v[i]!, batch);
    return s;
  }

  /** Encodes the series' full raw page as its frozen page `i` and gives the raw page back. */
  private freeze(ref: number, i: number): void {
    const page = this.rawPage[ref]!;
    const { dt, v, at } = this.pool.locate(page);
    const base = this.base[ref]!;
    for (let j = 0; j < pageSamples; j++) {
      scratchT[j] = base + dt[at + j]!;
      scratchV[j] = v[at + j]!;
    }
    const body = xorCodec.encode(scratchT, scratchV, 0, pageSamples)!;
    const k = ref * this.frozenSlots + i;
    this.frozenOff[k] = this.arena.alloc(body);
    this.frozenLen[k] = body.length;
    this.pool.release(page);
    this.rawPage[ref] = -1;
  }

  /** Gives back the series' pages (after sealing). */
  private drop(ref: number, n: number): void {
    const frozen = Math.floor(n / pageSamples);
    for (let i = 0; i < frozen; i++) this.arena.garbage += this.frozenLen[ref * this.frozenSlots + i]!;
    if (this.rawPage[ref]! >= 0) this.pool.release(this.rawPage[ref]!);
    this.rawPage[ref] = -1;
    if (this.arena.garbage > 1 << 20 && this.arena.garbage * 2 > this.arena.used) this.compact();
  }

  /** Moves the live encoded pages to a fresh arena, in series order. */
  private compact(): void {
    const live = this.arena.used - this.arena.garbage;
    const next = new Uint8Array(Math.max(1 << 16, Math.ceil(live * 1.5)));
    let used = 0;
    for (let ref = 1; ref < this.len.length; ref++) {
      if (this.hist.size > 0 && this.hist.has(ref)) continue;
      const frozen = Math.floor(this.len[ref]! / pageSamples);
      for (let i = 0; i < frozen; i++) {
        const k = ref * this.frozenSlots + i;
        const off = this.frozenOff[k]!;
        const l = this.frozenLen[k]!;
        next.set(this.arena.bytes.subarray(off, off + l), used);
        this.frozenOff[k] = used;
        used += l;
      }
    }
    this.arena.bytes = next;
    this.arena.used = used;
    this.arena.garbage = 0;
  }

  /** Removes the series' open samples as a sealed run (null when empty). */
  seal(ref: number): SealedRun | null {
    const n = this.len[ref] ?? 0;
    if (n === 0) return null;
    const open = this.hist.size > 0 ? this.hist.get(ref) : undefined;
    if (open !== undefined) {
      this.hist.delete(ref);
      this.len[ref] = 0;
      this.samples -= n;
      this.series--;
      return { ref, t: Float64Array.from(open.t), v: new Float64Array(0), h: open.h, firstBatch: this.firstBatch[ref]! };
    }
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    this.copyOut(ref, n, -Infinity, Infinity, t, v, 0);
    this.drop(ref, n);
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

  /**
   * Open samples of `refs` within [mint, maxt]; `h` parallel to `t` when any is a histogram.
   * With `points`, float series keep only the samples an instant selector at those times picks
   * (lookback.ts), each decoded through one scratch pair; histogram series are copied whole.
   */
  read(refs: Uint32Array, mint: number, maxt: number, points?: LookbackPoints): { offsets: Uint32Array; t: Float64Array; v: Float64Array; h?: (NativeHistogram | undefined)[] } {
    const offsets = new Uint32Array(refs.length + 1);
    let total = 0;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      const n = ref < this.len.length ? this.len[ref]! : 0;
      total += this.hist.size > 0 && this.hist.has(ref) ? Math.max(n, this.hist.get(ref)!.t.length) : thinnedBound(n, points);
    }
    const t = new Float64Array(total);
    const v = new Float64Array(total);
    let h: (NativeHistogram | undefined)[] | undefined;
    let k = 0;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      offsets[i] = k;
      const n = ref < this.len.length ? this.len[ref]! : 0;
      if (n === 0) continue;
      const open = this.hist.size > 0 ? this.hist.get(ref) : undefined;
      if (open === undefined) {
        if (points === undefined) {
          k = this.copyOut(ref, n, mint, maxt, t, v, k);
          continue;
        }
        if (readScratch.t.length < n) readScratch = { t: new Float64Array(n), v: new Float64Array(n) };
        const m = this.copyOut(ref, n, mint, maxt, readScratch.t, readScratch.v, 0);
        k = thinInto(readScratch.t, readScratch.v, 0, m, points, t, v, k);
        continue;
      }
      h ??= [];
      for (let j = 0; j < open.t.length; j++) {
        const ts = open.t[j]!;
        if (ts < mint || ts > maxt) continue;
        const x = open.h[j]!;
        t[k] = ts;
        v[k] = x === null ? StaleNaN : 0;
        h[k] = x ?? undefined;
        k++;
      }
    }
    offsets[refs.length] = k;
    if (h !== undefined) h.length = k;
    const tt = k === total ? t : t.slice(0, k);
    const vv = k === total ? v : v.slice(0, k);
    return h === undefined ? { offsets, t: tt, v: vv } : { offsets, t: tt, v: vv, h };
  }

  /** Copies the series' open samples within [mint, maxt] to t/v from index k; returns the new k. */
  private copyOut(ref: number, n: number, mint: number, maxt: number, t: Float64Array, v: Float64Array, k: number): number {
    const frozen = Math.floor(n / pageSamples);
    for (let i = 0; i < frozen; i++) {
      const f = ref * this.frozenSlots + i;
      const off = this.frozenOff[f]!;
      const got = xorCodec.decode(this.arena.bytes.subarray(off, off + this.frozenLen[f]!), pageSamples, scratchT, scratchV);
      // The arena is memory this worker wrote a moment ago: a failure here is a bug, not damage.
      if (got.bad !== null || got.n !== pageSamples) throw new Error(`head page ${i} of series ${ref} does not decode: ${got.bad}`);
      for (let j = 0; j < pageSamples; j++) {
        const ts = scratchT[j]!;
        if (ts < mint || ts > maxt) continue;
        t[k] = ts;
        v[k] = scratchV[j]!;
        k++;
      }
    }
    const m = n - frozen * pageSamples;
    if (m === 0) return k;
    const base = this.base[ref]!;
    const { dt, v: vals, at } = this.pool.locate(this.rawPage[ref]!);
    for (let j = 0; j < m; j++) {
      const ts = base + dt[at + j]!;
      if (ts < mint || ts > maxt) continue;
      t[k] = ts;
      // Copy the value's bits through the typed arrays (never via arithmetic).
      v[k] = vals[at + j]!;
      k++;
    }
    return k;
  }

  /** Bytes held by head pages (raw page segments and the encoded-page arena). */
  get pageBytes(): number {
    return this.pool.bytes + this.arena.bytes.byteLength;
  }

  /** Newest sample time over all series (for quiet-series sealing and time retention). */
  maxTime(): number {
    return this.newest;
  }
}
