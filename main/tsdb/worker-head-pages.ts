/**
 * Fixed-size pages of head samples in large shared segments, so the head allocates no object
 * per series and never leaves a trail of outgrown per-series arrays behind (that trail cost
 * ~25 B a sample in resident memory). A page holds 16 samples: uint32 time offsets and float64
 * values, 192 bytes; a full page is encoded into the head's arena (worker-head.ts), so a series
 * holds at most one raw page. Segments of 4,096 pages (768 KiB) are added as needed and never
 * copied.
 */
export const pageSamples = 16;
const pagesPerSegment = 4096;

export class PagePool {
  private readonly dt: Uint32Array[] = [];
  private readonly v: Float64Array[] = [];
  private free = new Int32Array(1024);
  private freeCount = 0;
  private total = 0;

  /** A page id, from the free list or a new segment. */
  alloc(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    if (this.total === this.dt.length * pagesPerSegment) {
      this.dt.push(new Uint32Array(pagesPerSegment * pageSamples));
      this.v.push(new Float64Array(pagesPerSegment * pageSamples));
    }
    return this.total++;
  }

  release(page: number): void {
    if (this.freeCount === this.free.length) {
      const next = new Int32Array(this.free.length * 2);
      next.set(this.free);
      this.free = next;
    }
    this.free[this.freeCount++] = page;
  }

  /** The segment arrays and the offset of `page` inside them. */
  locate(page: number): { dt: Uint32Array; v: Float64Array; at: number } {
    const seg = Math.floor(page / pagesPerSegment);
    return { dt: this.dt[seg]!, v: this.v[seg]!, at: (page % pagesPerSegment) * pageSamples };
  }

  get bytes(): number {
    return this.dt.length * pagesPerSegment * pageSamples * 12;
  }
}
