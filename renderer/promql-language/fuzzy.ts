/**
 * Fuzzy matching for completion over very large vocabularies (200k metric names): one pass,
 * no allocation per candidate that does not match, and a bounded top-N so sorting never touches
 * the whole list. Scores favour prefix matches, then word-boundary matches (`_`, `:`), then
 * contiguous runs; shorter names win ties.
 */

/** Score of `query` against `candidate` (query already lower-cased), or -1 when it does not match. */
function fuzzyScore(query: string, candidate: string): number {
  if (query.length === 0) return 1;
  const lower = candidate.toLowerCase();
  if (lower.startsWith(query)) return 1000 - candidate.length * 0.01;
  const idx = lower.indexOf(query);
  if (idx >= 0) {
    const boundary = idx > 0 && (lower[idx - 1] === '_' || lower[idx - 1] === ':');
    return (boundary ? 800 : 600) - idx - candidate.length * 0.01;
  }
  // Subsequence match: every query char in order.
  let score = 0;
  let qi = 0;
  let run = 0;
  for (let ci = 0; ci < lower.length && qi < query.length; ci++) {
    if (lower.charCodeAt(ci) === query.charCodeAt(qi)) {
      qi++;
      run++;
      score += run * 2 + (ci === 0 || lower[ci - 1] === '_' || lower[ci - 1] === ':' ? 5 : 0);
    } else {
      run = 0;
    }
  }
  if (qi < query.length) return -1;
  return score - candidate.length * 0.01;
}

export interface Ranked<T> {
  item: T;
  score: number;
}

/** The best `limit` items by fuzzy score, best first. O(n log limit). */
export function topFuzzy<T>(items: readonly T[], query: string, limit: number, key: (t: T) => string): Ranked<T>[] {
  const q = query.toLowerCase();
  const heap: Ranked<T>[] = []; // min-heap on score
  const push = (r: Ranked<T>) => {
    heap.push(r);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]!.score <= heap[i]!.score) break;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      i = p;
    }
  };
  const replaceTop = (r: Ranked<T>) => {
    heap[0] = r;
    let i = 0;
    for (;;) {
      const l = i * 2 + 1;
      const rr = l + 1;
      let m = i;
      if (l < heap.length && heap[l]!.score < heap[m]!.score) m = l;
      if (rr < heap.length && heap[rr]!.score < heap[m]!.score) m = rr;
      if (m === i) break;
      [heap[m], heap[i]] = [heap[i]!, heap[m]!];
      i = m;
    }
  };
  for (const item of items) {
    const score = fuzzyScore(q, key(item));
    if (score < 0) continue;
    if (heap.length < limit) push({ item, score });
    else if (score > heap[0]!.score) replaceTop({ item, score });
  }
  return heap.sort((a, b) => b.score - a.score || key(a.item).localeCompare(key(b.item)));
}
