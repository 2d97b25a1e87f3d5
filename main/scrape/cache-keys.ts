/**
 * The scrape cache's key store: raw series text (bytes of a page) → a dense slot number, with
 * no string per series. Keys are copied once into one byte arena; an open-addressing table of
 * slot numbers is probed by a 32-bit hash of the bytes, and a hit is confirmed by comparing the
 * bytes, so two different series never share a slot however their hashes collide.
 *
 * Why not `Map<string, …>`: building a string per sample line, hashing it and comparing it with
 * a key stored elsewhere in the heap cost ~0.3 µs a sample, a quarter of the scrape hot path,
 * and the key strings and Map entries ~150 bytes of memory per series.
 */

import { grown } from '../util/typed-arrays.js';

const empty = 0;
const tombstone = -1;

/** murmur3's 32-bit mix over 4-byte words (little-endian), then the tail bytes. */
export function hashBytes(v: DataView, s: number, e: number): number {
  let h = 0x9747b28c ^ (e - s);
  let i = s;
  for (; i + 4 <= e; i += 4) {
    let k = v.getUint32(i, true);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let sh = 0; i < e; i++, sh += 8) k |= v.getUint8(i) << sh;
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

export class KeySlots {
  private arena = new Uint8Array(4096);
  private arenaView = viewOf(this.arena);
  private used = 0;
  /** Arena bytes of removed keys, reclaimed by compaction. */
  private garbage = 0;
  private start = new Uint32Array(16);
  private len = new Int32Array(16).fill(-1);
  private hash = new Uint32Array(16);
  /** Slot numbers + 1; 0 empty, -1 removed. Power-of-two size. */
  private table = new Int32Array(64);
  private tombstones = 0;
  private free: number[] = [];
  /** Highest slot number ever handed out + 1. */
  private top = 0;
  /** Live keys. */
  size = 0;

  /** Slot capacity: per-slot arrays kept beside this table must be at least this long. */
  get capacity(): number {
    return this.len.length;
  }

  /** High-water mark of slot numbers (iterate `0 … top-1` and skip dead slots). */
  get slotTop(): number {
    return this.top;
  }

  isLive(slot: number): boolean {
    return slot >= 0 && slot < this.top && this.len[slot]! >= 0;
  }

  /** True when the slot holds exactly the bytes `view[s, e)`. */
  equals(slot: number, view: DataView, s: number, e: number): boolean {
    const n = e - s;
    if (this.len[slot] !== n) return false;
    const a = this.arenaView;
    let i = this.start[slot]!;
    let j = s;
    for (const end = s + (n & ~3); j < end; i += 4, j += 4) if (a.getUint32(i, true) !== view.getUint32(j, true)) return false;
    for (; j < e; i++, j++) if (a.getUint8(i) !== view.getUint8(j)) return false;
    return true;
  }

  /** The slot holding `view[s, e)` (hash `h`), or -1. */
  find(view: DataView, s: number, e: number, h: number): number {
    const mask = this.table.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const x = this.table[i]!;
      if (x === empty) return -1;
      if (x !== tombstone && this.hash[x - 1] === h && this.equals(x - 1, view, s, e)) return x - 1;
    }
  }

  /** Stores a key that `find` did not find; returns its new slot. */
  insert(view: DataView, s: number, e: number, h: number): number {
    const n = e - s;
    if ((this.size + 1 + this.tombstones) * 2 > this.table.length) this.rehash(this.size + 1);
    if (this.used + n > this.arena.length) this.makeRoom(n);
    const slot = this.free.length > 0 ? this.free.pop()! : this.top++;
    this.start = grown(this.start, slot + 1);
    this.len = grown(this.len, slot + 1, -1);
    this.hash = grown(this.hash, slot + 1);
    for (let i = 0; i < n; i++) this.arena[this.used + i] = view.getUint8(s + i);
    this.start[slot] = this.used;
    this.len[slot] = n;
    this.hash[slot] = h;
    this.used += n;
    const mask = this.table.length - 1;
    let i = h & mask;
    while (this.table[i]! > 0) i = (i + 1) & mask;
    if (this.table[i] === tombstone) this.tombstones--;
    this.table[i] = slot + 1;
    this.size++;
    return slot;
  }

  remove(slot: number): void {
    if (!this.isLive(slot)) return;
    const mask = this.table.length - 1;
    for (let i = this.hash[slot]! & mask; ; i = (i + 1) & mask) {
      const x = this.table[i]!;
      if (x === empty) break;
      if (x === slot + 1) {
        this.table[i] = tombstone;
        this.tombstones++;
        break;
      }
    }
    this.garbage += this.len[slot]!;
    this.len[slot] = -1;
    this.free.push(slot);
    this.size--;
  }

  clear(): void {
    this.arena = new Uint8Array(4096);
    this.arenaView = viewOf(this.arena);
    this.used = this.garbage = 0;
    this.start = new Uint32Array(16);
    this.len = new Int32Array(16).fill(-1);
    this.hash = new Uint32Array(16);
    this.table = new Int32Array(64);
    this.tombstones = 0;
    this.free = [];
    this.top = 0;
    this.size = 0;
  }

  /** Bytes held (arena, slot arrays, table), for the memory figures. */
  get bytes(): number {
    return this.arena.byteLength + this.len.length * 12 + this.table.byteLength;
  }

  private makeRoom(n: number): void {
    const live = this.used - this.garbage;
    const size = Math.max(4096, 2 ** Math.ceil(Math.log2((live + n) * 1.5)));
    const next = new Uint8Array(size);
    let at = 0;
    for (let slot = 0; slot < this.top; slot++) {
      const l = this.len[slot]!;
      if (l < 0) continue;
      next.set(this.arena.subarray(this.start[slot]!, this.start[slot]! + l), at);
      this.start[slot] = at;
      at += l;
    }
    this.arena = next;
    this.arenaView = viewOf(next);
    this.used = at;
    this.garbage = 0;
  }

  private rehash(live: number): void {
    const size = Math.max(64, 2 ** Math.ceil(Math.log2(live * 4)));
    const table = new Int32Array(size);
    const mask = size - 1;
    for (let slot = 0; slot < this.top; slot++) {
      if (this.len[slot]! < 0) continue;
      let i = this.hash[slot]! & mask;
      while (table[i] !== empty) i = (i + 1) & mask;
      table[i] = slot + 1;
    }
    this.table = table;
    this.tombstones = 0;
  }
}
