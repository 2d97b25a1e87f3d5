/**
 * Matcher evaluation over the series index with Prometheus semantics (matchers compiled by
 * app/dialect/matcher.ts: regexes fully anchored, `.` matches newlines); a matcher that matches
 * the empty string also selects series WITHOUT the label (`{a=""}`, `{a!~".+"}`), and `{a!=""}`
 * means "has the label". `__name__` is a label like any other.
 */
import type { Matcher } from './interface.js';
import type { SeriesIndex } from './index-series.js';
import { emptyPostings, intersect, subtract, unionAll } from './postings.js';
import { compileMatcher } from '../../app/dialect/matcher.js';

/** Refs (ascending) of every series whose labels satisfy all matchers. */
export function selectRefs(index: SeriesIndex, matchers: readonly Matcher[]): Uint32Array {
  const includes: Uint32Array[] = [];
  const excludes: Uint32Array[] = [];
  for (const m of matchers) {
    const pred = compileMatcher(m).matches;
    const nameId = index.strings.lookup(m.name);
    const byValue = nameId < 0 ? undefined : index.postings.get(nameId);
    if (pred('')) {
      // Matches series without the label, so exclude those whose value fails.
      if (!byValue) continue;
      const fail: Uint32Array[] = [];
      for (const [valueId, list] of byValue) if (!pred(index.strings.get(valueId))) fail.push(list.view());
      if (fail.length > 0) excludes.push(unionAll(fail));
    } else {
      if (!byValue) return emptyPostings;
      if (m.op === '=') {
        const valueId = index.strings.lookup(m.value);
        const list = valueId < 0 ? undefined : byValue.get(valueId);
        if (!list) return emptyPostings;
        includes.push(list.view());
      } else if (m.op === '!=' && m.value === '') {
        includes.push(index.namePostings.get(nameId)!.view());
      } else {
        const hit: Uint32Array[] = [];
        for (const [valueId, list] of byValue) if (pred(index.strings.get(valueId))) hit.push(list.view());
        if (hit.length === 0) return emptyPostings;
        includes.push(unionAll(hit));
      }
    }
  }
  // Smallest first keeps every intersection step cheap.
  includes.sort((a, b) => a.length - b.length);
  let out = includes.length === 0 ? index.allRefs() : includes[0]!;
  for (let i = 1; i < includes.length && out.length > 0; i++) out = intersect(out, includes[i]!);
  for (const ex of excludes) out = subtract(out, ex);
  return out;
}
