import { afterEach, describe, expect, it } from 'vitest';
import { TSDB } from '../../../main/tsdb/db.js';
import { StorageUnavailableError } from '../../../main/tsdb/interface.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `n` new series of `name` (long label values, so they need fresh pages) at time t. */
async function commitSeries(db: TSDB, name: string, n: number, t: number): Promise<void> {
  const app = db.appender();
  for (let i = 0; i < n; i++) app.append(labelsFromRecord({ __name__: name, i: String(i), pad: 'x'.repeat(200) }), t, i);
  await app.commit();
}

async function count(db: TSDB, name: string): Promise<{ series: number; samples: number }> {
  const q = await db.querier(-Infinity, Infinity);
  const set = await q.select([{ op: '=', name: '__name__', value: name }]);
  return { series: set.series.length, samples: set.series.reduce((n, s) => n + s.samples().t.length, 0) };
}

describe('TSDB on a full disk', () => {
  it('pauses ingestion with a clear error, keeps answering queries, and resumes by itself when space returns', async () => {
    const { dir, cleanup } = tempDir('vigil-diskfull-');
    cleanups.push(cleanup);
    let db = await TSDB.open({ dir, worker: false, pausedRetryMs: 0 });
    await commitSeries(db, 'before', 50, 1_000);
    // SQLite's page cap: writes now fail with SQLITE_FULL, exactly as on a full disk.
    await db.limitPagesForTest(1);
    const err = await commitSeries(db, 'during', 2_000, 2_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect(String(err)).toMatch(/database or disk is full/);
    expect(db.stats().paused?.message).toMatch(/database or disk is full/);
    expect(db.stats().writeFailures).toBe(1);
    // Queries keep working, and nothing of the refused commit is visible.
    expect(await count(db, 'before')).toEqual({ series: 50, samples: 50 });
    expect(await count(db, 'during')).toEqual({ series: 0, samples: 0 });

    // Space is back: the next commit goes through, and it also stores the series whose first
    // commit failed (their samples at t=2000 were refused; these at t=3000 are kept).
    await db.limitPagesForTest(0);
    await commitSeries(db, 'during', 2_000, 3_000);
    expect(db.stats().paused).toBeNull();
    expect(await count(db, 'during')).toEqual({ series: 2_000, samples: 2_000 });
    await db.close();

    // Every acknowledged sample and every series label survives a restart.
    db = await TSDB.open({ dir, worker: false });
    cleanups.push(() => db.close());
    expect(await count(db, 'before')).toEqual({ series: 50, samples: 50 });
    expect(await count(db, 'during')).toEqual({ series: 2_000, samples: 2_000 });
  });

  it('refuses commits quickly while paused, then probes again after the retry period', async () => {
    const { dir, cleanup } = tempDir('vigil-diskfull-');
    cleanups.push(cleanup);
    const db = await TSDB.open({ dir, worker: false, pausedRetryMs: 60_000 });
    cleanups.push(() => db.close());
    await db.limitPagesForTest(1);
    await expect(commitSeries(db, 'a', 2_000, 1_000)).rejects.toThrow(/disk is full/);
    await db.limitPagesForTest(0);
    // Within the retry period the worker is not even asked: the refusal names the pause.
    await expect(commitSeries(db, 'a', 1, 2_000)).rejects.toThrow(/ingestion paused since .*retrying every 60 s/);
    expect(db.stats().writeFailures).toBe(1);
  });
});
