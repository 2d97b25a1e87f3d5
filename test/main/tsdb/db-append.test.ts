import { describe, it, expect, afterEach } from 'vitest';
import { TSDB } from '../../../main/tsdb/db.js';
import { DuplicateSampleError, OutOfOrderError, OutOfBoundsError, StaleNaN, TooManyLabelsError } from '../../../main/tsdb/interface.js';
import { labelsFromRecord, type Labels } from '../../../main/tsdb/labels.js';
import { tempDir } from '../helpers.js';

const L = (r: Record<string, string>): Labels => labelsFromRecord(r);
const bitsOf = (x: number): bigint => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  return dv.getBigUint64(0);
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function openDb(opts: { maxChunkSamples?: number } = {}): Promise<{ db: TSDB; dir: string }> {
  const { dir, cleanup } = tempDir('vigil-tsdb-');
  cleanups.push(cleanup);
  const db = await TSDB.open({ dir, worker: false, ...opts });
  cleanups.push(() => db.close());
  return { db, dir };
}

async function readAll(db: TSDB, name: string, mint = -Infinity, maxt = Infinity) {
  const q = await db.querier(mint, maxt);
  const set = await q.select([{ op: '=', name: '__name__', value: name }]);
  return set.series.map((s) => ({ labels: s.labels, ...s.samples() }));
}

describe('TSDB appender', () => {
  it('commits samples that a querier then returns in order, merged across chunks and head', async () => {
    const { db } = await openDb({ maxChunkSamples: 7 });
    const app = db.appender();
    const ref = app.append(L({ __name__: 'up', job: 'a' }), 1000, 1);
    for (let i = 1; i < 30; i++) app.append(ref, 1000 + i * 1000, i + 1);
    await app.commit();
    const got = await readAll(db, 'up');
    expect(got).toHaveLength(1);
    expect(Array.from(got[0]!.t)).toEqual(Array.from({ length: 30 }, (_, i) => 1000 + i * 1000));
    expect(Array.from(got[0]!.v)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(db.stats().chunksWritten).toBeGreaterThanOrEqual(4);
    const window = await readAll(db, 'up', 5000, 9000);
    expect(Array.from(window[0]!.t)).toEqual([5000, 6000, 7000, 8000, 9000]);
  });

  it('rejects out-of-order and duplicate samples with typed errors; an identical repeat is a no-op', async () => {
    const { db } = await openDb();
    const a = db.appender();
    const ref = a.append(L({ __name__: 'x' }), 2000, 5);
    await a.commit();
    const b = db.appender();
    expect(() => b.append(ref, 1000, 1)).toThrow(OutOfOrderError);
    expect(() => b.append(ref, 2000, 6)).toThrow(DuplicateSampleError);
    expect(b.append(ref, 2000, 5)).toBe(ref);
    expect(() => b.append(ref, 2500.5, 1)).toThrow(OutOfBoundsError);
    expect(() => b.append(987654, 3000, 1)).toThrow(OutOfBoundsError);
    b.append(ref, 3000, 7);
    expect(() => b.append(ref, 2999, 1)).toThrow(OutOfOrderError);
    await b.commit();
    const got = await readAll(db, 'x');
    expect(Array.from(got[0]!.t)).toEqual([2000, 3000]);
    const rej = db.stats().rejectedSamples;
    expect(rej['out_of_order']).toBe(2);
    expect(rej['duplicate_timestamp']).toBe(1);
    expect(rej['out_of_bounds']).toBe(2);
  });

  it('enforces label limits and rejects an empty label set', async () => {
    const { db } = await openDb();
    const a = db.appender();
    const many: Record<string, string> = {};
    for (let i = 0; i < 65; i++) many[`l${i}`] = 'v';
    expect(() => a.append(L(many), 1, 1)).toThrow(TooManyLabelsError);
    expect(() => a.append(L({ __name__: 'y', big: 'x'.repeat(65537) }), 1, 1)).toThrow(TooManyLabelsError);
    expect(() => a.append([], 1, 1)).toThrow(TooManyLabelsError);
    expect(db.stats().rejectedSamples['too_many_labels']).toBe(3);
  });

  it('rollback discards buffered samples', async () => {
    const { db } = await openDb();
    const a = db.appender();
    a.append(L({ __name__: 'r' }), 1, 1);
    a.rollback();
    expect(await readAll(db, 'r')).toEqual([]);
    const b = db.appender();
    b.append(L({ __name__: 'r' }), 1, 2);
    await b.commit();
    expect(Array.from((await readAll(db, 'r'))[0]!.v)).toEqual([2]);
  });

  it('keeps StaleNaN and other NaN payload bits through log, chunk, SQLite, reopen and decode', async () => {
    const { dir, cleanup } = tempDir('vigil-tsdb-');
    cleanups.push(cleanup);
    const quietNaN = new Float64Array(new BigUint64Array([0x7ff8000000000001n]).buffer)[0]!;
    // Element stores, not an array literal: a JS array of doubles would quiet the payloads.
    const values = new Float64Array(10);
    [1, 0, -0, Infinity, -Infinity, 0, NaN, 0, 0.1, 0].forEach((x, i) => (values[i] = x));
    values[1] = values[7] = values[9] = StaleNaN;
    values[5] = quietNaN;
    expect(bitsOf(values[9]!)).toBe(0x7ff0000000000002n);
    let db = await TSDB.open({ dir, worker: false, maxChunkSamples: 4 });
    const a = db.appender();
    const ref = a.append(L({ __name__: 's' }), 0, values[0]!);
    for (let i = 1; i < values.length; i++) a.append(ref, i * 1000, values[i]!);
    await a.commit();
    const check = async (): Promise<void> => {
      const got = await readAll(db, 's');
      expect(Array.from(got[0]!.v, bitsOf)).toEqual(Array.from(values, bitsOf));
    };
    await check(); // chunks (sealed at 4) + head
    await db.close();
    db = await TSDB.open({ dir, worker: false, maxChunkSamples: 4 });
    await check(); // after log replay
    await db.flush();
    await check(); // everything sealed
    // The newest sample after reopen is StaleNaN: repeating it is a no-op, NaN is a conflict.
    const b = db.appender();
    b.append(ref, 9000, StaleNaN);
    expect(() => b.append(ref, 9000, NaN)).toThrow(DuplicateSampleError);
    await b.commit();
    await db.close();
  });

  it('restores series, refs and state after reopen', async () => {
    const { dir, cleanup } = tempDir('vigil-tsdb-');
    cleanups.push(cleanup);
    let db = await TSDB.open({ dir, worker: false });
    const a = db.appender();
    const r1 = a.append(L({ __name__: 'm', i: '1' }), 10, 1);
    const r2 = a.append(L({ __name__: 'm', i: '2' }), 10, 2);
    await a.commit();
    await db.flush();
    await db.close();
    db = await TSDB.open({ dir, worker: false });
    const b = db.appender();
    expect(b.append(L({ __name__: 'm', i: '2' }), 20, 3)).toBe(r2);
    expect(() => b.append(r1, 10, 9)).toThrow(DuplicateSampleError);
    await b.commit();
    const got = await readAll(db, 'm');
    expect(got.map((s) => Array.from(s.t))).toEqual([[10], [10, 20]]);
    await db.close();
  });
});
