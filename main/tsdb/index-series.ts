/**
 * The series index kept on the main thread: label sets ↔ dense refs, per-series state and
 * inverted postings. Nothing here allocates an object per series: a label set is a run of
 * (name id, value id) pairs in one shared Uint32Array pool, per-series state lives in typed
 * arrays indexed by ref, and the labels → ref map is keyed by a 32-bit hash of the id pairs.
 */
import { compareStrings, type Label, type Labels } from './labels.js';
import { StringTable } from './index-strings.js';
import { PostingsList } from './postings.js';

function grow<T extends Float64Array | Uint32Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const next = make(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

export class SeriesIndex {
  readonly strings = new StringTable();
  /** Label pairs of every series, back to back. */
  private pool = new Uint32Array(1024);
  private poolLen = 0;
  /** start[ref] … start[ref + 1] is the series' slice of `pool`. Ref 0 is unused. */
  private start = new Uint32Array(1024);
  /** Newest committed sample per series (t = -Infinity when none). */
  lastT = new Float64Array(1024);
  lastV = new Float64Array(1024);
  /** Open transaction that last buffered a sample of the series, and that sample's position. */
  txOwner = new Uint32Array(1024);
  txPos = new Uint32Array(1024);
  private txCounter = 0;
  private next = 1;
  /** hash → ref; a colliding second series goes to `collisions`. */
  private readonly byHash = new Map<number, number>();
  private readonly collisions = new Map<number, number[]>();
  /** name id → value id → refs, and name id → refs of every series carrying the name. */
  readonly postings = new Map<number, Map<number, PostingsList>>();
  readonly namePostings = new Map<number, PostingsList>();

  /** Number of series; refs are 1 … count. */
  get count(): number {
    return this.next - 1;
  }

  has(ref: number): boolean {
    return Number.isInteger(ref) && ref >= 1 && ref < this.next;
  }

  /** The ref of `labels` if the series exists, else 0. `labels` must be sorted with no empty values. */
  lookup(labels: Labels): number {
    const ids = this.idsOf(labels, false);
    if (ids === null) return 0;
    return this.find(ids, hashIds(ids));
  }

  /** The ref of `labels`, creating the series when new (`created` tells which). */
  getOrCreate(labels: Labels, forcedRef?: number): { ref: number; created: boolean } {
    const ids = this.idsOf(labels, true)!;
    const h = hashIds(ids);
    const found = this.find(ids, h);
    if (found !== 0) return { ref: found, created: false };
    const ref = forcedRef ?? this.next;
    if (ref !== this.next) throw new Error(`series index: ref ${ref} out of sequence (next is ${this.next}); the series table is damaged`);
    this.next++;
    this.start = grow(this.start, ref + 2, (n) => new Uint32Array(n));
    this.lastT = grow(this.lastT, ref + 1, (n) => new Float64Array(n).fill(-Infinity));
    this.lastV = grow(this.lastV, ref + 1, (n) => new Float64Array(n));
    this.txOwner = grow(this.txOwner, ref + 1, (n) => new Uint32Array(n));
    this.txPos = grow(this.txPos, ref + 1, (n) => new Uint32Array(n));
    this.lastT[ref] = -Infinity;
    this.pool = grow(this.pool, this.poolLen + ids.length, (n) => new Uint32Array(n));
    this.start[ref] = this.poolLen;
    this.pool.set(ids, this.poolLen);
    this.poolLen += ids.length;
    this.start[ref + 1] = this.poolLen;
    if (!this.byHash.has(h)) this.byHash.set(h, ref);
    else {
      const list = this.collisions.get(h);
      if (list) list.push(ref);
      else this.collisions.set(h, [ref]);
    }
    for (let i = 0; i < ids.length; i += 2) {
      const name = ids[i]!;
      const value = ids[i + 1]!;
      let byValue = this.postings.get(name);
      if (!byValue) this.postings.set(name, (byValue = new Map()));
      let list = byValue.get(value);
      if (!list) byValue.set(value, (list = new PostingsList()));
      list.add(ref);
      let all = this.namePostings.get(name);
      if (!all) this.namePostings.set(name, (all = new PostingsList()));
      all.add(ref);
    }
    return { ref, created: true };
  }

  /** True for a live series; false for a hole (a ref lost when a damaged file was salvaged). */
  isLive(ref: number): boolean {
    return this.has(ref) && this.start[ref + 1]! > this.start[ref]!;
  }

  /** A fresh transaction id (never 0, which marks "no transaction"). */
  nextTxId(): number {
    this.txCounter = (this.txCounter % 0xfffffffe) + 1;
    return this.txCounter;
  }

  /** Label pair ids of a series (a view into the pool; do not keep). */
  pairs(ref: number): Uint32Array {
    return this.pool.subarray(this.start[ref]!, this.start[ref + 1]!);
  }

  labels(ref: number): Labels {
    // Straight from the pool, no view: a wide select calls this once per series.
    const { pool, strings } = this;
    const end = this.start[ref + 1]!;
    const out: Label[] = [];
    for (let i = this.start[ref]!; i < end; i += 2) out.push({ name: strings.get(pool[i]!), value: strings.get(pool[i + 1]!) });
    return out;
  }

  /**
   * compareLabels(labels(a), labels(b)) without building either: ids are interned, so equal ids
   * are equal strings and only differing ones are looked up.
   */
  compareSeries(a: number, b: number): number {
    const { pool, strings } = this;
    const aEnd = this.start[a + 1]!;
    const bEnd = this.start[b + 1]!;
    let i = this.start[a]!;
    let j = this.start[b]!;
    for (; i < aEnd && j < bEnd; i++, j++) {
      const x = pool[i]!;
      const y = pool[j]!;
      if (x !== y) return compareStrings(strings.get(x), strings.get(y));
    }
    return (aEnd - this.start[a]!) - (bEnd - this.start[b]!);
  }

  /** Value id of label `nameId` on series `ref`, or -1 when absent. */
  valueId(ref: number, nameId: number): number {
    const p = this.pairs(ref);
    for (let i = 0; i < p.length; i += 2) if (p[i] === nameId) return p[i + 1]!;
    return -1;
  }

  /** All refs, ascending. */
  allRefs(): Uint32Array {
    const out = new Uint32Array(this.count);
    for (let i = 0; i < out.length; i++) out[i] = i + 1;
    return out;
  }

  /** Rough bytes held by the typed arrays (for stats; Map overhead is not counted). */
  arrayBytes(): number {
    return this.pool.byteLength + this.start.byteLength + this.lastT.byteLength + this.lastV.byteLength + this.txOwner.byteLength + this.txPos.byteLength;
  }

  private idsOf(labels: Labels, create: boolean): Uint32Array | null {
    const ids = new Uint32Array(labels.length * 2);
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i]!;
      const n = create ? this.strings.intern(l.name) : this.strings.lookup(l.name);
      const v = create ? this.strings.intern(l.value) : this.strings.lookup(l.value);
      if (n < 0 || v < 0) return null;
      ids[2 * i] = n;
      ids[2 * i + 1] = v;
    }
    return ids;
  }

  private find(ids: Uint32Array, h: number): number {
    const first = this.byHash.get(h);
    if (first === undefined) return 0;
    if (this.sameIds(first, ids)) return first;
    for (const ref of this.collisions.get(h) ?? []) if (this.sameIds(ref, ids)) return ref;
    return 0;
  }

  private sameIds(ref: number, ids: Uint32Array): boolean {
    const s = this.start[ref]!;
    if (this.start[ref + 1]! - s !== ids.length) return false;
    for (let i = 0; i < ids.length; i++) if (this.pool[s + i] !== ids[i]) return false;
    return true;
  }
}

/** FNV-1a over the 32-bit ids. */
function hashIds(ids: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ids.length; i++) {
    h = Math.imul(h ^ ids[i]!, 0x01000193);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/**
 * Labels as the appender must store them: sorted by name, no empty values, no duplicate names
 * (last wins, as normalizeLabels). Returns the input unchanged in the common, already-valid case.
 */
export function canonicalLabels(labels: Labels): Labels {
  let ok = true;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l.value === '' || (i > 0 && labels[i - 1]!.name >= l.name)) {
      ok = false;
      break;
    }
  }
  if (ok) return labels;
  const map = new Map<string, string>();
  for (const l of labels) map.set(l.name, l.value);
  return [...map.entries()]
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
}
