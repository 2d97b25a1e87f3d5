import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TSDB } from '../../../main/tsdb/db.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const window = 7_200_000;
/** Values of every shape the codecs treat differently: short decimals, large floats, a staleness-like NaN payload. */
const value = (s: number, i: number): number => (s === 0 ? i / 4 : s === 1 ? Math.sin(i) * 1e9 : i % 50 === 7 ? NaN : i);

async function fill(db: TSDB, minutes: number): Promise<void> {
  for (let i = 0; i < minutes; i++) {
    const a = db.appender();
    for (let s = 0; s < 3; s++) a.append([{ name: '__name__', value: 'm' }, { name: 's', value: String(s) }], i * 60_000, value(s, i));
    await a.commit();
  }
}

function chunksPerWindow(dir: string): Map<number, number> {
  const raw = new Database(join(dir, 'vigil.db'), { readonly: true });
  try {
    const rows = raw.prepare('SELECT min_t FROM chunks').pluck().all() as number[];
    const out = new Map<number, number>();
    for (const t of rows) out.set(Math.floor(t / window), (out.get(Math.floor(t / window)) ?? 0) + 1);
    return out;
  } finally {
    raw.close();
  }
}

async function expectSamples(db: TSDB, minutes: number): Promise<void> {
  const q = await db.querier(-Infinity, Infinity);
  const set = await q.select([{ op: '=', name: '__name__', value: 'm' }]);
  expect(set.warnings).toEqual([]);
  expect(set.series).toHaveLength(3);
  for (const series of set.series) {
    const s = Number(series.labels.find((l) => l.name === 's')!.value);
    const got = series.samples();
    expect(Array.from(got.t)).toEqual(Array.from({ length: minutes }, (_, i) => i * 60_000));
    for (let i = 0; i < minutes; i++) expect(Object.is(got.v[i], value(s, i))).toBe(true);
  }
}

describe('window compaction', () => {
  it('merges the chunks of complete windows at checkpoints, leaving the samples as they were', async () => {
    const { dir, cleanup } = tempDir('vigil-compact-');
    cleanups.push(cleanup);
    const db = await TSDB.open({ dir, worker: false, maxChunkSamples: 10 });
    try {
      await fill(db, 3 * 120 + 30); // three full windows of 120 one-minute samples, and a bit
      const per = chunksPerWindow(dir);
      // 12 chunks of 10 samples per series were sealed into windows 0 and 1; merged into one each.
      expect(per.get(0)).toBe(3);
      expect(per.get(1)).toBe(3);
      await expectSamples(db, 390);
    } finally {
      await db.close();
    }
  });

  it('leaves windows alone with background compaction off, and compact() merges every window', async () => {
    const { dir, cleanup } = tempDir('vigil-compact-');
    cleanups.push(cleanup);
    const db = await TSDB.open({ dir, worker: false, maxChunkSamples: 10, backgroundCompaction: false });
    try {
      await fill(db, 250);
      expect(chunksPerWindow(dir).get(0)).toBe(36);
      const r = await db.compact(true);
      expect(r.windows).toBe(3);
      // Windows 0 and 1: 12 chunks per series each, merged into one; window 2 holds one chunk of
      // 10 samples per series (sealed by compact's flush): nothing to merge, not counted.
      expect(r.chunksBefore).toBe(3 * 24);
      expect(r.chunksAfter).toBe(3 * 2);
      expect(r.bytesAfter).toBeLessThanOrEqual(r.bytesBefore); // one page per table either way at this size
      const per = chunksPerWindow(dir);
      expect([per.get(0), per.get(1), per.get(2)]).toEqual([3, 3, 3]);
      await expectSamples(db, 250);
    } finally {
      await db.close();
    }
  });
});
