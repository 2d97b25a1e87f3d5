/**
 * Ranking of names (metric names, label values) for a completion search, shared by the engine's
 * `metadata` channel and the editor's local index of metric names, so both order a list alike.
 */

function isSubsequence(needle: string, h: string): boolean {
  let i = 0;
  for (let j = 0; j < h.length && i < needle.length; j++) if (h.charCodeAt(j) === needle.charCodeAt(i)) i++;
  return i === needle.length;
}

/**
 * Ranks names for a search the way completion wants them: prefix matches first, then matches
 * at a word boundary (`_`, `:`), then anywhere, then as a subsequence; at most `limit`.
 * `names` is expected sorted (as label values come); `lower` holds their lower-case forms.
 */
export function rankNames(
  names: readonly string[],
  search: string,
  limit: number,
  lower: readonly string[] = names.map((n) => n.toLowerCase()),
): { names: string[]; truncated: boolean } {
  const needle = search.toLowerCase();
  if (needle === '') return { names: names.slice(0, limit), truncated: names.length > limit };
  // Names come sorted, so exact-case prefix matches are one contiguous run: when that run alone
  // fills the answer, binary search finds it without scanning the other 200k names.
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (names[mid]! < search) lo = mid + 1;
    else hi = mid;
  }
  if (lo + limit < names.length && names[lo + limit]!.startsWith(search) && names[lo]!.startsWith(search)) {
    return { names: names.slice(lo, lo + limit), truncated: true };
  }
  const buckets: string[][] = [[], [], [], []];
  let found = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const h = lower[i]!;
    let b = -1;
    if (h.startsWith(needle)) b = 0;
    else {
      const at = h.indexOf(needle);
      if (at > 0) b = h[at - 1] === '_' || h[at - 1] === ':' ? 1 : 2;
      else if (isSubsequence(needle, h)) b = 3;
    }
    if (b < 0) continue;
    found++;
    // Enough prefix matches to fill the answer: nothing later can rank higher.
    if (b === 0 && buckets[0]!.length >= limit) return { names: buckets[0]!.slice(0, limit), truncated: true };
    // Once the best bucket alone fills the limit, worse buckets cannot contribute.
    if (buckets[b]!.length < limit) buckets[b]!.push(name);
  }
  const out: string[] = [];
  for (const bucket of buckets) for (const n of bucket) if (out.length < limit) out.push(n);
  return { names: out, truncated: found > out.length };
}

