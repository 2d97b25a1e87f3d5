/**
 * Sorts like `Array.prototype.sort` (stably, by `cmp`) but never for long without awaiting
 * `pause()`: runs of `run` items are sorted one at a time, then merged bottom-up, with `pause()`
 * between runs and every `run` merged items. For sorts of 100k items on the main thread (a wide
 * select's series by labels take ~100 ms in one piece), so the event loop keeps turning. Returns
 * the sorted array, which may be `items` itself or a new one.
 */
export async function sortYielding<T>(items: T[], cmp: (a: T, b: T) => number, pause: () => Promise<void>, run = 4096): Promise<T[]> {
  const n = items.length;
  if (n <= run) return items.sort(cmp);
  for (let lo = 0; lo < n; lo += run) {
    const part = items.slice(lo, lo + run).sort(cmp);
    for (let k = 0; k < part.length; k++) items[lo + k] = part[k]!;
    await pause();
  }
  let src = items;
  let dst = new Array<T>(n);
  for (let width = run; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // Ties take the left run first: the merge is stable, as Array.prototype.sort is.
        dst[k++] = cmp(src[j]!, src[i]!) < 0 ? src[j++]! : src[i++]!;
        if (k % run === 0) await pause();
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    [src, dst] = [dst, src];
    await pause();
  }
  return src;
}
