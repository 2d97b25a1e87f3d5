/**
 * Encoded label sections of the series a queue sends, kept in one growing byte pool indexed by
 * series ref (two typed arrays), not as an object per series: with 100k series the per-object
 * overhead of a Map of Uint8Arrays was most of the sender's memory.
 */
export class LabelPool {
  private pool = new Uint8Array(1 << 16);
  private used = 0;
  /** Per ref: offset into the pool + 1 (0: not cached yet), and length (-1: dropped by relabeling). */
  private offset = new Float64Array(1024);
  private length = new Int32Array(1024);

  /** The cached section of `ref`: bytes, null when the series is dropped, undefined when unknown. */
  get(ref: number): Uint8Array | null | undefined {
    if (ref >= this.offset.length || this.offset[ref] === 0) return undefined;
    const len = this.length[ref]!;
    if (len < 0) return null;
    const at = this.offset[ref]! - 1;
    return this.pool.subarray(at, at + len);
  }

  /** 0: not cached yet, 1: dropped by relabeling, 2: cached bytes (no allocation, for hot loops). */
  state(ref: number): 0 | 1 | 2 {
    if (ref >= this.offset.length || this.offset[ref] === 0) return 0;
    return this.length[ref]! < 0 ? 1 : 2;
  }

  set(ref: number, bytes: Uint8Array | null): void {
    if (ref >= this.offset.length) {
      const size = Math.max(ref + 1, this.offset.length * 2);
      const o = new Float64Array(size);
      o.set(this.offset);
      const l = new Int32Array(size);
      l.set(this.length);
      this.offset = o;
      this.length = l;
    }
    if (bytes === null) {
      this.offset[ref] = 1;
      this.length[ref] = -1;
      return;
    }
    if (this.used + bytes.length > this.pool.length) {
      const grown = new Uint8Array(Math.max(this.pool.length * 2, this.used + bytes.length));
      grown.set(this.pool.subarray(0, this.used));
      this.pool = grown;
    }
    this.pool.set(bytes, this.used);
    this.offset[ref] = this.used + 1;
    this.length[ref] = bytes.length;
    this.used += bytes.length;
  }
}
