/**
 * Native histograms through the on-disk TSDB: appender → log → head → chunks, read back from the
 * head, from sealed chunks and after a restart (log replay), with staleness markers, mixed
 * float/histogram series, duplicate detection and bad input.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle } from './bundle.js';
import Database from 'better-sqlite3';
import { TSDB } from '../../../main/tsdb/db.js';
import { DuplicateSampleError, InvalidHistogramError, StaleNaN, isStaleNaN, type NativeHistogram, type SampleArrays } from '../../../main/tsdb/interface.js';
import type { Labels } from '../../../main/tsdb/labels.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// The worker thread runs the bundled worker (vitest's .ts sources cannot start a Worker).
const bin = tempDir('vigil-hist-bin-');
let workerUrl: URL;
beforeAll(async () => {
  await bundle(join(bin.dir, 'bin'));
  workerUrl = pathToFileURL(join(bin.dir, 'bin', 'worker.js'));
}, 60_000);
afterAll(() => bin.cleanup());

async function open(dir: string, worker = false): Promise<TSDB> {
  const db = await TSDB.open({ dir, maxChunkSamples: 10, retentionIntervalMs: 0, ...(worker ? { workerUrl } : { worker: false }) });
  cleanups.push(() => db.close());
  return db;
}

const lbl = (name: string): Labels => [{ name: '__name__', value: name }];

/** A counter-like histogram at step i: 3 buckets growing, integer counts (i % 7 === 6: float counts). */
function hist(i: number): NativeHistogram {
  const f = i % 7 === 6 ? 0.5 : 0;
  const b = [i + 1 + f, 2 * i + f, 3];
  const count = b.reduce((a, x) => a + x, 0) + i;
  return { schema: 2, zeroThreshold: 1e-128, zeroCount: i, count, sum: count * 1.25, positive: [{ index: -1, count: b[0]! }, { index: 0, count: b[1]! }, { index: 4, count: b[2]! }], negative: [], customValues: [], counterResetHint: i === 0 ? 'reset' : 'not_reset' };
}

async function read(db: TSDB, name: string): Promise<SampleArrays> {
  const q = await db.querier(-Infinity, Infinity);
  const set = await q.select([{ op: '=', name: '__name__', value: name }]);
  expect(set.warnings).toEqual([]);
  expect(set.series).toHaveLength(1);
  return set.series[0]!.samples();
}

/** What a series must read back as: histograms where given, floats (bits) elsewhere. */
function expectSamples(got: SampleArrays, want: { t: number; h?: NativeHistogram; v?: number }[]): void {
  expect(Array.from(got.t)).toEqual(want.map((w) => w.t));
  want.forEach((w, i) => {
    if (w.h !== undefined) expect(got.h?.[i]).toEqual(w.h);
    else {
      expect(got.h?.[i]).toBeUndefined();
      if (isStaleNaN(w.v!)) expect(isStaleNaN(got.v[i]!)).toBe(true);
      else expect(got.v[i]).toBe(w.v);
    }
  });
}

describe('native histograms in the TSDB', () => {
  for (const worker of [false, true]) {
    it(`store, seal, replay and read back (${worker ? 'worker thread' : 'in process'})`, async () => {
      const { dir, cleanup } = tempDir('vigil-hist-');
      cleanups.push(cleanup);
      let db = await open(dir, worker);
      const want: { t: number; h?: NativeHistogram; v?: number }[] = [];
      // 25 histograms (3 chunks at 10 a chunk), a staleness marker, 5 more, then floats.
      for (let i = 0; i < 31; i++) {
        const a = db.appender();
        const t = 1_000 + i * 15_000;
        if (i === 25) {
          a.append(lbl('h'), t, StaleNaN);
          want.push({ t, v: StaleNaN });
        } else {
          a.appendHistogram!(lbl('h'), t, hist(i));
          want.push({ t, h: hist(i) });
        }
        a.append(lbl('f'), t, i);
        await a.commit();
      }
      for (let i = 31; i < 34; i++) {
        const a = db.appender();
        a.append(lbl('h'), 1_000 + i * 15_000, i);
        want.push({ t: 1_000 + i * 15_000, v: i });
        await a.commit();
      }
      expectSamples(await read(db, 'h'), want); // head and the chunks sealed at 10 samples
      expect(Array.from((await read(db, 'f')).v)).toEqual(Array.from({ length: 31 }, (_, i) => i));
      await db.close();
      db = await open(dir, worker); // the log is replayed into the head
      expectSamples(await read(db, 'h'), want);
      await db.flush(); // everything sealed into chunks
      expectSamples(await read(db, 'h'), want);
      await db.close();
      db = await open(dir, worker);
      expectSamples(await read(db, 'h'), want);
      // After the restart the newest sample is known: older ones are out of order.
      const a = db.appender();
      expect(() => a.appendHistogram!(lbl('h'), 1_000, hist(1))).toThrow(/out of order/);
      a.rollback();
    });
  }

  it('accepts the same histogram twice at one time and refuses a different one', async () => {
    const { dir, cleanup } = tempDir('vigil-hist-');
    cleanups.push(cleanup);
    const db = await open(dir);
    let a = db.appender();
    a.appendHistogram!(lbl('h'), 1000, hist(1));
    a.appendHistogram!(lbl('h'), 1000, hist(1));
    expect(() => a.appendHistogram!(lbl('h'), 1000, hist(2))).toThrow(DuplicateSampleError);
    expect(() => a.append(lbl('h'), 1000, 5)).toThrow(DuplicateSampleError);
    await a.commit();
    a = db.appender();
    a.appendHistogram!(lbl('h'), 1000, hist(1));
    expect(() => a.appendHistogram!(lbl('h'), 1000, hist(3))).toThrow(DuplicateSampleError);
    await a.commit();
    expectSamples(await read(db, 'h'), [{ t: 1000, h: hist(1) }]);
  });

  it('refuses a bad histogram with a clear error and keeps the rest of the commit', async () => {
    const { dir, cleanup } = tempDir('vigil-hist-');
    cleanups.push(cleanup);
    const db = await open(dir);
    const a = db.appender();
    const bad: NativeHistogram[] = [
      { ...hist(1), schema: 9 },
      { ...hist(1), positive: [{ index: 3, count: 1 }, { index: 1, count: 1 }] },
      { ...hist(1), zeroCount: -1 },
      { ...hist(1), positive: Array.from({ length: 40_000 }, (_, i) => ({ index: i, count: 1 })) },
    ];
    for (const h of bad) expect(() => a.appendHistogram!(lbl('bad'), 1000, h)).toThrow(InvalidHistogramError);
    expect(() => a.appendHistogram!(lbl('bad'), 1000, bad[0]!)).toThrow(/schema 9 is outside/);
    a.appendHistogram!(lbl('good'), 1000, hist(1));
    await a.commit();
    expectSamples(await read(db, 'good'), [{ t: 1000, h: hist(1) }]);
    expect(db.stats().rejectedSamples['invalid_histogram']).toBe(5);
  });

  it('leaves histogram samples out of the log that remote write reads', async () => {
    const { dir, cleanup } = tempDir('vigil-hist-');
    cleanups.push(cleanup);
    const db = await open(dir);
    await db.holdLog(1);
    const a = db.appender();
    a.append(lbl('f'), 1000, 1);
    a.appendHistogram!(lbl('h'), 1000, hist(1));
    a.append(lbl('f2'), 1000, 2);
    await a.commit();
    const [b] = db.readLog(0, 100);
    expect(Array.from(b!.v)).toEqual([1, 2]);
  });

  it('backs up and restores histograms in the log and in chunks', async () => {
    const { dir, cleanup } = tempDir('vigil-hist-');
    cleanups.push(cleanup);
    const db = await open(join(dir, 'a'));
    const want: { t: number; h: NativeHistogram }[] = [];
    for (let i = 0; i < 15; i++) {
      const a = db.appender();
      a.appendHistogram!(lbl('h'), 1000 + i * 1000, hist(i));
      want.push({ t: 1000 + i * 1000, h: hist(i) });
      await a.commit();
    }
    // 10 samples sealed into a chunk, 5 still only in the log and head.
    await db.backup(join(dir, 'backup.db'));
    await TSDB.restore(join(dir, 'backup.db'), join(dir, 'b'));
    const restored = await open(join(dir, 'b'));
    expectSamples(await read(restored, 'h'), want);
  });

  it('skips and quarantines a damaged histogram chunk with a warning, keeping the rest', async () => {
    const { dir, cleanup } = tempDir('vigil-hist-');
    cleanups.push(cleanup);
    let db = await open(dir);
    for (let i = 0; i < 20; i++) {
      const a = db.appender();
      a.appendHistogram!(lbl('h'), 1000 + i * 1000, hist(i));
      await a.commit();
    }
    await db.flush();
    await db.close();
    const raw = new Database(join(dir, 'vigil.db'));
    const first = raw.prepare('SELECT series_ref, min_t, data FROM chunks ORDER BY min_t LIMIT 1').get() as { series_ref: number; min_t: number; data: Buffer };
    const bad = Buffer.from(first.data);
    bad[bad.length >> 1]! ^= 0x10;
    raw.prepare('UPDATE chunks SET data = ? WHERE series_ref = ? AND min_t = ?').run(bad, first.series_ref, first.min_t);
    raw.close();
    db = await open(dir);
    const q = await db.querier(-Infinity, Infinity);
    const set = await q.select([{ op: '=', name: '__name__', value: 'h' }]);
    const s = set.series[0]!.samples();
    expect(set.warnings.join('\n')).toMatch(/skipped a damaged chunk of series h.*checksum/);
    // The first chunk (10 samples) is gone, the second is intact.
    expect(Array.from(s.t)).toEqual(Array.from({ length: 10 }, (_, i) => 11_000 + i * 1000));
    expect(s.h?.[0]).toEqual(hist(10));
  });
});
