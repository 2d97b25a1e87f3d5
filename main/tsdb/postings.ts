/**
 * Postings: sorted lists of series refs. Refs are handed out in increasing order, so appending a
 * new ref keeps a list sorted without any search. Set operations work on sorted Uint32Arrays.
 */

/** A growable sorted ref list; `view()` is valid until the next `add`. */
export class PostingsList {
  private buf = new Uint32Array(4);
  private n = 0;

  add(ref: number): void {
    if (this.n === this.buf.length) {
      const next = new Uint32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = ref;
  }

  get length(): number {
    return this.n;
  }

  view(): Uint32Array {
    return this.buf.subarray(0, this.n);
  }
}

export const emptyPostings = new Uint32Array(0);

export function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out[k++] = x;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out.subarray(0, k);
}

/** Elements of `a` not in `b`. */
export function subtract(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (b.length === 0) return a;
  const out = new Uint32Array(a.length);
  let j = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j++;
    if (j < b.length && b[j] === x) continue;
    out[k++] = x;
  }
  return out.subarray(0, k);
}

/** Union of many sorted lists (each without duplicates): concatenate, sort, de-duplicate. */
export function unionAll(lists: readonly Uint32Array[]): Uint32Array {
  if (lists.length === 0) return emptyPostings;
  if (lists.length === 1) return lists[0]!;
  let total = 0;
  for (const l of lists) total += l.length;
  const all = new Uint32Array(total);
  let off = 0;
  for (const l of lists) {
    all.set(l, off);
    off += l.length;
  }
  all.sort();
  let k = 0;
  for (let i = 0; i < all.length; i++) if (k === 0 || all[i] !== all[k - 1]) all[k++] = all[i]!;
  return all.subarray(0, k);
}
