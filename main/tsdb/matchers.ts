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

/**
 * A matcher's series, not yet merged into one list: the values that match (`=~`, `!~`, `!=`)
 * own `lists`, `size` refs in all. Merging costs a sort of all of them (a 50-way
 * `instance=~"a|b|…"` from a dashboard's "All" covers every series); when another matcher
 * already narrowed the answer to far fewer series, testing those series' own value is cheaper.
 */
interface ValueSet {
  readonly nameId: number;
  readonly valueIds: ReadonlySet<number>;
  readonly lists: readonly Uint32Array[];
  readonly size: number;
}

/** Testing a series' value costs a few steps per label; merging a list a sort: filter below this ratio. */
const filterRatio = 4;

/** Refs (ascending) of every series whose labels satisfy all matchers. */
export function selectRefs(index: SeriesIndex, matchers: readonly Matcher[]): Uint32Array {
  const includes: Array<Uint32Array | ValueSet> = [];
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
        const lists: Uint32Array[] = [];
        const valueIds = new Set<number>();
        let size = 0;
        for (const [valueId, list] of byValue) {
          if (!pred(index.strings.get(valueId))) continue;
          lists.push(list.view());
          valueIds.add(valueId);
          size += list.length;
        }
        if (lists.length === 0) return emptyPostings;
        includes.push(lists.length === 1 ? lists[0]! : { nameId, valueIds, lists, size });
      }
    }
  }
  // Smallest first keeps every intersection step cheap.
  const sizeOf = (x: Uint32Array | ValueSet): number => (x instanceof Uint32Array ? x.length : x.size);
  includes.sort((a, b) => sizeOf(a) - sizeOf(b));
  const merged = (x: Uint32Array | ValueSet): Uint32Array => (x instanceof Uint32Array ? x : unionAll(x.lists));
  let out = includes.length === 0 ? index.allRefs() : merged(includes[0]!);
  for (let i = 1; i < includes.length && out.length > 0; i++) {
    const inc = includes[i]!;
    if (inc instanceof Uint32Array || inc.size < out.length * filterRatio) out = intersect(out, merged(inc));
    else out = out.filter((ref) => inc.valueIds.has(index.valueId(ref, inc.nameId)));
  }
  for (const ex of excludes) out = subtract(out, ex);
  return out;
}
