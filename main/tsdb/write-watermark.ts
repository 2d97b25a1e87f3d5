/**
 * Which sample times changed since a point in time: every commit (and every deletion) bumps a
 * generation and records the oldest sample time it wrote. A reader that computed something from
 * storage at generation G asks `minWrittenSince(G)`: results for times before that minimum are
 * still what storage holds (the query frontend's range cache, main/query-frontend/, uses this).
 * Kept in memory only, as a ring of the last `capacity` generations; a generation older than the
 * ring answers −Infinity ("anything may have changed"), so an answer is never too optimistic.
 */
import type { WriteWatermarkReader } from './interface.js';

export class WriteWatermark implements WriteWatermarkReader {
  private gen = 0;
  private readonly minT: Float64Array;

  constructor(private readonly capacity = 8192) {
    this.minT = new Float64Array(capacity);
  }

  generation(): number {
    return this.gen;
  }

  /** A commit or deletion touching samples at `minT` and later (−Infinity: anything). */
  record(minT: number): void {
    this.gen++;
    this.minT[this.gen % this.capacity] = minT;
  }

  minWrittenSince(gen: number): number {
    if (gen >= this.gen) return Infinity;
    if (this.gen - gen > this.capacity - 1 || gen < 0) return -Infinity;
    let min = Infinity;
    for (let g = gen + 1; g <= this.gen; g++) {
      const t = this.minT[g % this.capacity]!;
      if (t < min) min = t;
    }
    return min;
  }
}
