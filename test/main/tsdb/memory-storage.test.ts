import { describe, expect, it } from 'vitest';
import type { Matcher } from '../../../main/tsdb/interface.js';
import { labelsFromRecord, labelsToRecord } from '../../../main/tsdb/labels.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';

// Memory storage backs `vigil test rules` and fire drills: a selector must select there what it
// selects from the disk storage, so both evaluate matchers with main/tsdb/matchers.ts.
describe('memory storage', () => {
  const store = new MemoryStorage();
  for (const path of ['a.b', 'axb', '']) store.add(labelsFromRecord({ __name__: 'm', ...(path ? { path } : {}) }), 1000, 1);

  async function paths(matchers: Matcher[]): Promise<string[]> {
    const q = await store.querier(0, 2000);
    const set = await q.select(matchers);
    return set.series.map((s) => labelsToRecord(s.labels)['path'] ?? '(none)');
  }

  it.each<[string, Matcher, string[]]>([
    ['quoted literal \\Q…\\E', { op: '=~', name: 'path', value: '\\Qa.b\\E' }, ['a.b']],
    ['anchored regex', { op: '=~', name: 'path', value: 'a.' }, []],
    ['empty-matching regex selects series without the label', { op: '=~', name: 'path', value: '|a\\.b' }, ['(none)', 'a.b']],
    ['negative regex', { op: '!~', name: 'path', value: 'a.b' }, ['(none)']],
  ])('%s', async (_name, m, want) => {
    expect(await paths([{ op: '=', name: '__name__', value: 'm' }, m])).toEqual(want);
  });
});
