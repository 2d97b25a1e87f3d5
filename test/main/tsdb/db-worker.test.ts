import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TSDB } from '../../../main/tsdb/db.js';
import { StaleNaN, isStaleNaN } from '../../../main/tsdb/interface.js';
import { tempDir } from '../helpers.js';
import { bundle } from './bundle.js';

describe('compression worker thread', () => {
  const tmp = tempDir('vigil-worker-');
  let workerUrl: URL;
  beforeAll(async () => {
    await bundle(join(tmp.dir, 'bin'));
    workerUrl = pathToFileURL(join(tmp.dir, 'bin', 'worker.js'));
  }, 60_000);
  afterAll(() => tmp.cleanup());

  it('returns head and sealed samples through the thread, StaleNaN bits intact', async () => {
    const db = await TSDB.open({ dir: join(tmp.dir, 'a'), workerUrl, maxChunkSamples: 5 });
    try {
      const a = db.appender();
      const ref = a.append([{ name: '__name__', value: 'w' }], 0, 0);
      for (let i = 1; i < 12; i++) a.append(ref, i * 10, i === 7 || i === 11 ? StaleNaN : i);
      await a.commit();
      const q = await db.querier(0, 1000);
      const [s] = (await q.select([{ op: '=', name: '__name__', value: 'w' }])).series;
      const { t, v } = s!.samples();
      expect(Array.from(t)).toEqual(Array.from({ length: 12 }, (_, i) => i * 10));
      expect([isStaleNaN(v[7]!), isStaleNaN(v[11]!), v[6]]).toEqual([true, true, 6]);
      expect(db.stats().chunksWritten).toBe(2);
    } finally {
      await db.close();
    }
  });

  it('reports the worker thread\'s own memory (heap, buffers, open chunks), and shrinks on request', async () => {
    const db = await TSDB.open({ dir: join(tmp.dir, 'm'), workerUrl });
    try {
      const a = db.appender();
      for (let s = 0; s < 500; s++) a.append([{ name: '__name__', value: 'm' }, { name: 'i', value: String(s) }], 1000, s);
      await a.commit();
      const m = await db.memory(false);
      expect(m.ownThread).toBe(true);
      expect(m.heapBytes).toBeGreaterThan(0);
      expect(m.headBytes).toBeGreaterThan(0);
      expect(m.outsideHeapBytes).toBeGreaterThanOrEqual(m.headBytes); // open chunks are typed arrays of the worker
      const shrunk = await db.memory(true);
      expect(shrunk.headBytes).toBe(m.headBytes); // shrinking frees caches and garbage, never data
      const q = await db.querier(0, 2000);
      expect((await q.select([{ op: '=', name: '__name__', value: 'm' }])).series).toHaveLength(500);
    } finally {
      await db.close();
    }
  });

  it('loses and duplicates nothing when the worker dies with batches in flight', async () => {
    const db = await TSDB.open({ dir: join(tmp.dir, 'b'), workerUrl });
    try {
      const series = 200;
      const batches = 60;
      const commits: Promise<void>[] = [];
      const refs: number[] = [];
      for (let b = 0; b < batches; b++) {
        const a = db.appender();
        for (let i = 0; i < series; i++) refs[i] = a.append(refs[i] ?? [{ name: '__name__', value: 'k' }, { name: 'i', value: String(i) }], b * 1000, b * i);
        commits.push(a.commit());
        if (b === 20) await db.crashWorkerForTest(); // some batches applied, some queued, one maybe mid-write
      }
      await Promise.all(commits);
      expect(db.stats().workerRestarts).toBe(1);
      const q = await db.querier(0, Infinity);
      const set = await q.select([{ op: '=', name: '__name__', value: 'k' }]);
      expect(set.series).toHaveLength(series);
      const bad = set.series.filter((s) => {
        const { t, v } = s.samples();
        const i = Number(s.labels.find((l) => l.name === 'i')!.value);
        return t.length !== batches || t.some((x, b) => x !== b * 1000 || v[b] !== b * i);
      });
      expect(bad.map((s) => s.labels)).toEqual([]);
      expect(db.stats().samplesAppended).toBe(series * batches);
    } finally {
      await db.close();
    }
  });
});
