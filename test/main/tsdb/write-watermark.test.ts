// The write watermark (main/tsdb/write-watermark.ts) the range cache relies on: every commit of
// the SQLite storage is counted with its oldest sample time, and a generation too old to know
// answers "anything may have changed".
import { afterEach, describe, expect, it } from 'vitest';
import { TSDB } from '../../../main/tsdb/db.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { WriteWatermark } from '../../../main/tsdb/write-watermark.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('write watermark', () => {
  it('gives the oldest time written after a generation; Infinity when none, −Infinity when forgotten', () => {
    const w = new WriteWatermark(4);
    const g0 = w.generation();
    expect(w.minWrittenSince(g0)).toBe(Infinity);
    w.record(500);
    w.record(300);
    const g2 = w.generation();
    w.record(900);
    expect(w.minWrittenSince(g0)).toBe(300);
    expect(w.minWrittenSince(g2)).toBe(900);
    w.record(1000);
    w.record(1100);
    // g0 is 5 generations back, more than the ring of 4 remembers.
    expect(w.minWrittenSince(g0)).toBe(-Infinity);
    expect(w.minWrittenSince(g2)).toBe(900);
  });

  it('counts every commit of the SQLite storage with its oldest sample, once applied', async () => {
    const { dir, cleanup } = tempDir('vigil-watermark-');
    cleanups.push(cleanup);
    const db = await TSDB.open({ dir, worker: false });
    cleanups.push(() => db.close());
    const g0 = db.writes.generation();
    const app = db.appender();
    app.append(labelsFromRecord({ __name__: 'a' }), 10_000, 1);
    app.append(labelsFromRecord({ __name__: 'b' }), 4_000, 1);
    expect(db.writes.minWrittenSince(g0)).toBe(Infinity); // not committed yet
    await app.commit();
    expect(db.writes.minWrittenSince(g0)).toBe(4_000);
    const g1 = db.writes.generation();
    // A new series arriving with an old timestamp (a late sample for what was computed before).
    const late = db.appender();
    late.append(labelsFromRecord({ __name__: 'c' }), 1_000, 1);
    await late.commit();
    expect(db.writes.minWrittenSince(g1)).toBe(1_000);
    expect(db.writes.minWrittenSince(db.writes.generation())).toBe(Infinity);
  });
});
