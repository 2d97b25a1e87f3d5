/**
 * The appender: a transaction buffered in typed arrays (never `number[]`, which would quiet the
 * StaleNaN payload). `append` checks each sample against the series' newest committed sample and
 * the transaction's own earlier samples (found through per-series marks in the index, not a Map:
 * that Map was the append path's main cost); `commit` re-checks everything in order against what
 * other appenders committed meanwhile — which also catches the rare case of two open
 * transactions overwriting each other's marks — updates the index state, and resolves once the
 * worker has made the batch durable.
 */
import {
  DuplicateSampleError,
  OutOfBoundsError,
  OutOfOrderError,
  StorageUnavailableError,
  TooManyLabelsError,
  InvalidHistogramError,
  type Appender,
  type NativeHistogram,
  type SeriesRef,
  type StorageError,
} from './interface.js';
import type { Labels } from './labels.js';
import { formatLabels } from './labels.js';
import { canonicalLabels, type SeriesIndex } from './index-series.js';
import { checkLabelLimits } from './limits.js';
import { HistogramMarker, isHistogramMarker, sameHistogram, validateHistogram } from './histogram-log.js';
import { grown } from '../util/typed-arrays.js';

/** What the appender needs from the database. */
export interface AppendTarget {
  readonly index: SeriesIndex;
  /** Oldest timestamp accepted now (retention), or -Infinity. */
  minValidTime(): number;
  /** Creates a series (the caller has validated the labels). */
  createSeries(labels: Labels): number;
  reject(err: StorageError): void;
  /**
   * Sends accepted samples (`h`: one histogram per HistogramMarker in `v`, in order); resolves when
   * durable. `bulkOpen`: an import's batch, grouped by series (worker-protocol.ts, AppendBatch.bulkOpen).
   */
  submit(refs: Uint32Array, t: Float64Array, v: Float64Array, h?: NativeHistogram[], bulkOpen?: Uint32Array): Promise<void>;
  /** Newest committed histogram of each series whose newest sample is one (duplicate checks; empty after a restart). */
  readonly lastHistograms: Map<number, NativeHistogram>;
  isClosed(): boolean;
}

const bits = new Float64Array(2);
const words = new Uint32Array(bits.buffer);
/** Same float64 bits (so a repeated StaleNaN is a no-op but NaN vs StaleNaN is a conflict). */
function sameBits(a: number, b: number): boolean {
  if (a === b) return a !== 0 || 1 / a === 1 / b;
  bits[0] = a;
  bits[1] = b;
  return words[0] === words[2] && words[1] === words[3];
}

/**
 * Released transaction buffers, reused by the next appender: one appender per scrape would
 * otherwise regrow its arrays from scratch every time (a visible share of append CPU and GC).
 */
interface Buffers {
  refs: Uint32Array;
  t: Float64Array;
  v: Float64Array;
}
const spare: Buffers[] = [];
const maxSpare = 16;
function takeBuffers(): Buffers {
  return spare.pop() ?? { refs: new Uint32Array(64), t: new Float64Array(64), v: new Float64Array(64) };
}
function giveBuffers(b: Buffers): void {
  if (spare.length < maxSpare) spare.push(b);
}

/**
 * Bulk commits: shared memory for the batch sent to the worker, reused once the worker has
 * acknowledged a batch (it keeps no view of an acknowledged batch), and scratch for grouping.
 * A new 1 MB buffer per import block made the main thread run a full GC every ~10 blocks
 * (V8 counts ArrayBuffers toward its limits), ~20 per W-offline import.
 */
const spareShared: SharedArrayBuffer[] = [];
let prevScratch: Int32Array = new Int32Array(0);
let nextScratch: Int32Array = new Int32Array(0);
let orderScratch: Uint32Array = new Uint32Array(0);

/** Shared memory for `n` samples: t at 0, v at 8·cap, refs at 16·cap (cap = byteLength / 20). */
function takeShared(n: number): SharedArrayBuffer {
  const i = spareShared.findIndex((b) => b.byteLength >= n * 20);
  if (i >= 0) return spareShared.splice(i, 1)[0]!;
  return new SharedArrayBuffer(Math.max(1 << 12, 2 ** Math.ceil(Math.log2(n))) * 20);
}

export class TsdbAppender implements Appender {
  private refs: Uint32Array;
  private t: Float64Array;
  private v: Float64Array;
  private n = 0;
  /** Histograms by buffer position (only positions whose value is HistogramMarker). */
  private hAt: Map<number, NativeHistogram> | null = null;
  private done = false;
  /** Identifies this transaction in the index's per-series marks (see SeriesIndex.txOwner). */
  private readonly txId: number;

  /**
   * Bulk only: buffer position of the same series' previous sample in this transaction, or -1
   * (commit groups the samples by series with it). Module scratch: one bulk appender is open at
   * a time (an import); a second one gets its own array.
   */
  private prevSame: Int32Array | null = null;

  /** `bulk`: an import's transaction; commit groups its samples by series (see commit). */
  constructor(
    private readonly db: AppendTarget,
    private readonly bulk = false,
  ) {
    this.txId = db.index.nextTxId();
    const b = takeBuffers();
    this.refs = b.refs;
    this.t = b.t;
    this.v = b.v;
  }

  /** Buffer position of this transaction's newest sample of `ref`, or -1. */
  private lastInTx(ref: number): number {
    const index = this.db.index;
    return index.txOwner[ref] === this.txId ? index.txPos[ref]! : -1;
  }

  append(series: Labels | SeriesRef, t: number, v: number): SeriesRef {
    // A float that happens to carry the histogram marker's NaN payload is stored as a plain NaN.
    if (v !== v && isHistogramMarker(v)) v = NaN;
    return this.add(series, t, v, null);
  }

  appendHistogram(series: Labels | SeriesRef, t: number, h: NativeHistogram): SeriesRef {
    return this.add(series, t, HistogramMarker, h);
  }

  private add(series: Labels | SeriesRef, t: number, v: number, h: NativeHistogram | null): SeriesRef {
    if (this.done) throw new Error('appender already committed or rolled back; take a new one from appender()');
    const index = this.db.index;
    let ref: number;
    try {
      if (!Number.isSafeInteger(t)) throw new OutOfBoundsError(`timestamp ${t} is not an integer number of milliseconds`);
      if (t < this.db.minValidTime()) throw new OutOfBoundsError(`timestamp ${new Date(t).toISOString()} is older than the retention window`);
      if (h !== null) {
        try {
          validateHistogram(h);
        } catch (e) {
          const name = typeof series === 'number' ? `series ref ${series}` : formatLabels(series);
          throw new InvalidHistogramError(`invalid native histogram for ${name} at ${t}: ${(e as Error).message}`);
        }
      }
      ref = typeof series === 'number' ? this.checkRef(series) : this.refOf(series);
      const i = this.lastInTx(ref);
      const lastT = i < 0 ? index.lastT[ref]! : this.t[i]!;
      const lastV = i < 0 ? index.lastV[ref]! : this.v[i]!;
      if (t < lastT) throw new OutOfOrderError(`out of order sample for ${formatLabels(index.labels(ref))}: ${t} is older than ${lastT}`);
      if (t === lastT) {
        if (sameBits(v, lastV)) {
          // Two histograms: equal unless both are known and differ (after a restart the stored one is not at hand).
          const last = h === null ? undefined : i < 0 ? this.db.lastHistograms.get(ref) : this.hAt?.get(i);
          if (h === null || last === undefined || sameHistogram(h, last)) return ref;
        }
        throw new DuplicateSampleError(`duplicate sample for timestamp ${t} with a different value for ${formatLabels(index.labels(ref))}`);
      }
    } catch (e) {
      if (e instanceof Error && 'kind' in e) this.db.reject(e as StorageError);
      throw e;
    }
    if (this.n === this.refs.length) this.growBuffers();
    this.refs[this.n] = ref;
    this.t[this.n] = t;
    this.v[this.n] = v;
    if (h !== null) (this.hAt ??= new Map()).set(this.n, h);
    if (this.bulk) {
      if (this.prevSame === null || this.prevSame.length < this.refs.length) this.prevSame = this.takePrev();
      this.prevSame[this.n] = this.lastInTx(ref);
    }
    index.txOwner[ref] = this.txId;
    index.txPos[ref] = this.n;
    this.n++;
    return ref;
  }

  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.db.isClosed()) throw new StorageUnavailableError('storage is closed; the samples of this commit were not written');
    const index = this.db.index;
    // A bulk transaction (without histograms) is sent grouped by series, so the worker sees each
    // series' samples as one run; and it names the series that may go on in the next one.
    const grouped = this.bulk && this.hAt === null && this.n > 0;
    const order = grouped ? this.seriesOrder() : null;
    const bulkOpen = grouped ? this.maybeContinuing() : undefined;
    // Another appender may have committed newer samples since append(): re-check, in order.
    let k = 0;
    const hAt = this.hAt;
    const hs: NativeHistogram[] | undefined = hAt === null ? undefined : [];
    const lastH = this.db.lastHistograms;
    // A grouped batch is written in series order straight into memory shared with the worker
    // (postMessage then copies nothing); otherwise the buffers are compacted in place and copied.
    const n = this.n;
    const shared = order === null ? null : takeShared(n);
    const cap = shared === null ? 0 : shared.byteLength / 20;
    const outT = shared === null ? this.t : new Float64Array(shared, 0, n);
    const outV = shared === null ? this.v : new Float64Array(shared, cap * 8, n);
    const outRefs = shared === null ? this.refs : new Uint32Array(shared, cap * 16, n);
    for (let o = 0; o < n; o++) {
      const i = order === null ? o : order[o]!;
      const ref = this.refs[i]!;
      const t = this.t[i]!;
      const v = this.v[i]!;
      const lastT = index.lastT[ref]!;
      if (t > lastT) {
        const prevV = index.lastV[ref]!;
        index.lastT[ref] = t;
        index.lastV[ref] = v;
        const h = hAt?.get(i);
        if (h !== undefined) {
          hs!.push(h);
          lastH.set(ref, h);
        } else if (prevV !== prevV && lastH.size > 0) lastH.delete(ref); // the newest was a histogram (a NaN in v)
        outRefs[k] = ref;
        outT[k] = t;
        outV[k] = v;
        k++;
      } else if (t < lastT) this.db.reject(new OutOfOrderError('out of order at commit'));
      else if (!sameBits(v, index.lastV[ref]!)) this.db.reject(new DuplicateSampleError('duplicate at commit'));
    }
    const refs = shared === null ? this.refs.slice(0, k) : outRefs.subarray(0, k);
    const ts = shared === null ? this.t.slice(0, k) : outT.subarray(0, k);
    const vs = shared === null ? this.v.slice(0, k) : outV.subarray(0, k);
    this.release();
    await this.db.submit(refs, ts, vs, hs, bulkOpen);
    // Acknowledged: the worker is done with the batch's memory (a failed one is not reused).
    if (shared !== null && spareShared.length < 4) spareShared.push(shared);
  }

  /** The module's scratch for prevSame when free and large enough, else a new array. */
  private takePrev(): Int32Array {
    if (this.prevSame === null && prevScratch.length >= this.refs.length) {
      const p = prevScratch;
      prevScratch = new Int32Array(0); // taken until release()
      return p;
    }
    const p = new Int32Array(Math.max(this.refs.length, 1024));
    if (this.prevSame !== null) p.set(this.prevSame.subarray(0, this.n));
    return p;
  }

  /** Buffer positions grouped by series (in order of each series' first sample), each series in order. */
  private seriesOrder(): Uint32Array {
    const n = this.n;
    const prev = this.prevSame!;
    if (nextScratch.length < n) nextScratch = new Int32Array(prev.length);
    if (orderScratch.length < n) orderScratch = new Uint32Array(prev.length);
    const next = nextScratch.fill(-1, 0, n);
    for (let i = 0; i < n; i++) if (prev[i]! >= 0) next[prev[i]!] = i;
    const order = orderScratch;
    let k = 0;
    for (let i = 0; i < n; i++) if (prev[i]! < 0) for (let j = i; j >= 0; j = next[j]!) order[k++] = j;
    return order;
  }

  /**
   * Series that may go on in the next transaction: those with a sample since the previous sample
   * of the last one's series (the cycle a file interleaving series, as a histogram's buckets, was
   * in when the transaction ended); just the last series when it has no earlier sample here.
   */
  private maybeContinuing(): Uint32Array {
    const last = this.n - 1;
    const p = this.prevSame![last]!;
    const from = p < 0 ? last : p;
    const refs = new Set<number>();
    for (let i = from; i <= last; i++) refs.add(this.refs[i]!);
    return Uint32Array.from(refs);
  }

  rollback(): void {
    if (this.done) return;
    this.done = true;
    this.release();
  }

  private release(): void {
    if (this.prevSame !== null && this.prevSame.length > prevScratch.length) prevScratch = this.prevSame;
    this.prevSame = null;
    this.n = 0;
    this.hAt = null;
    giveBuffers({ refs: this.refs, t: this.t, v: this.v });
  }

  /** Twice the room, amortised (main/util/typed-arrays.ts). */
  private growBuffers(): void {
    const size = this.refs.length * 2;
    if (this.prevSame !== null) this.prevSame = grown(this.prevSame, size);
    this.refs = grown(this.refs, size);
    this.t = grown(this.t, size);
    this.v = grown(this.v, size);
  }

  private checkRef(ref: number): number {
    if (!this.db.index.isLive(ref)) {
      throw new OutOfBoundsError(`unknown series ref ${ref}: refs are only valid for the storage instance that returned them; append by labels`);
    }
    return ref;
  }

  private refOf(labels: Labels): number {
    const canon = canonicalLabels(labels);
    const found = this.db.index.lookup(canon);
    if (found !== 0) return found;
    if (canon.length === 0) throw new TooManyLabelsError('a series needs at least one label (usually __name__)');
    checkLabelLimits(canon);
    return this.db.createSeries(canon);
  }
}

