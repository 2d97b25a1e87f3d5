import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { ChunkRows } from '../../../main/tsdb/chunk-rows.js';

/** Three chunks for each of series 1…40 (one before the read window, two inside it). */
function store(): Database.Database {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE chunks(series_ref INTEGER NOT NULL, min_t INTEGER NOT NULL, max_t INTEGER NOT NULL,
    encoding INTEGER NOT NULL, count INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(series_ref, min_t)) WITHOUT ROWID`);
  const put = db.prepare('INSERT INTO chunks VALUES (?, ?, ?, 2, 1, ?)');
  for (let ref = 1; ref <= 40; ref++) for (const t of [0, 10_000, 20_000]) put.run(ref, t, t + 5_000, Buffer.from([ref, t / 10_000]));
  return db;
}

const keys = (rows: ReturnType<ChunkRows['read']>): string[] => rows.map((r) => `${r[1]}@${r[0]}:${Array.from(r[4]).join(',')}`);

/** What the rows must be: those of `refs` in [10 000, 30 000], by ref then time. */
function expected(refs: number[]): string[] {
  return [...refs].sort((a, b) => a - b).flatMap((ref) => [10_000, 20_000].map((t) => `${ref}@${t}:${ref},${t / 10_000}`));
}

describe('ChunkRows', () => {
  const db = store();
  const rows = new ChunkRows(db);

  it('reads exactly the rows of the refs asked for, dense or sparse, in any order', () => {
    const cases = [
      Array.from({ length: 40 }, (_, i) => i + 1), // every ref: one range scan
      [7, 5, 6, 4, 9, 8], // consecutive, unordered
      [10, 11, 13, 14, 15], // dense with a hole: a range scan, the hole's rows dropped
      [2, 3, 5, 6, 8, 9, 11, 12], // span 11 over 8 refs: still dense
      [1, 20, 40], // sparse: a lookup per ref
      [33],
    ];
    for (const refs of cases) expect(keys(rows.read(Uint32Array.from(refs), 10_000, 30_000))).toEqual(expected(refs));
    expect(rows.read([], 0, 30_000)).toEqual([]);
  });

  it('shares its statements between readers of one connection', () => {
    const again = new ChunkRows(db);
    expect(keys(again.read([3, 4], 10_000, 30_000))).toEqual(expected([3, 4]));
  });
});
