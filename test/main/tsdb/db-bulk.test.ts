/**
 * Bulk batches (an import's: each series' samples together and in order) against the same
 * samples appended through the ordinary appender: storage must answer exactly the same samples
 * (time and value bits) from the head and after a restart, and every chunk it wrote must keep the
 * chunk rules (≤ maxChunkSamples, one 2 h window, no overlap within a series).
 */
import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TSDB } from '../../../main/tsdb/db.js';
import type { Appender } from '../../../main/tsdb/interface.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function dirFor(): string {
  const t = tempDir('vigil-bulk-');
  cleanups.push(t.cleanup);
  return t.dir;
}

const hour = 3_600_000;
const labelsOf = (i: number) => [
  { name: '__name__', value: 'm' },
  { name: 'i', value: String(i) },
];

interface Sample {
  series: number;
  t: number;
  v: number;
}

/** Deterministic pseudo-random numbers (a test must give the same stream every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Commits of an import-like stream: series-major runs of random length (so runs cross commits and
 * 2 h windows), a few series in turn (a histogram's buckets), then random interleaved samples;
 * values NaN, short decimals and large floats. Times step 15 s with gaps, crossing windows often.
 */
function stream(seed: number): Sample[][] {
  const r = rng(seed);
  const commits: Sample[][] = [];
  let cur: Sample[] = [];
  const flushAt = () => {
    if (cur.length > 0 && r() < 0.02) {
      commits.push(cur);
      cur = [];
    }
  };
  const next = new Map<number, number>();
  const tOf = (s: number): number => {
    const t = (next.get(s) ?? 7_200_000 * 100 - 40 * 15_000 + s * 1000) + 15_000 * (r() < 0.05 ? 40 : 1);
    next.set(s, t);
    return t;
  };
  const value = (): number => (r() < 0.01 ? NaN : r() < 0.5 ? Math.round(r() * 1000) / 10 : r() * 1e12);
  for (let s = 1; s <= 30; s++) {
    const n = Math.floor(r() * 700);
    for (let k = 0; k < n; k++) {
      cur.push({ series: s, t: tOf(s), v: value() });
      flushAt();
    }
  }
  // A histogram's buckets: the same few series in turn at each time.
  for (let k = 0; k < 400; k++) {
    for (let s = 41; s <= 46; s++) {
      cur.push({ series: s, t: tOf(s), v: value() });
      flushAt();
    }
  }
  for (let k = 0; k < 2000; k++) {
    const s = 1 + Math.floor(r() * 40);
    cur.push({ series: s, t: tOf(s), v: value() });
    flushAt();
  }
  if (cur.length > 0) commits.push(cur);
  return commits;
}

async function load(db: TSDB, commits: Sample[][], bulk: boolean): Promise<void> {
  for (const c of commits) {
    const a: Appender = bulk ? db.bulkAppender() : db.appender();
    for (const s of c) a.append(labelsOf(s.series), s.t, s.v);
    await a.commit();
  }
}

async function everything(db: TSDB): Promise<Record<string, { t: number[]; bits: string }>> {
  const q = await db.querier(-Infinity, Infinity);
  const set = await q.select([{ op: '=', name: '__name__', value: 'm' }]);
  const out: Record<string, { t: number[]; bits: string }> = {};
  for (const s of set.series) {
    const { t, v } = s.samples();
    out[s.labels.map((l) => `${l.name}=${l.value}`).join(',')] = { t: Array.from(t), bits: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') };
  }
  return out;
}

function checkChunks(dir: string, maxSamples: number): number {
  const raw = new Database(join(dir, 'vigil.db'), { readonly: true });
  try {
    const rows = raw.prepare('SELECT series_ref AS ref, min_t AS minT, max_t AS maxT, count FROM chunks ORDER BY series_ref, min_t').all() as { ref: number; minT: number; maxT: number; count: number }[];
    let prev: { ref: number; maxT: number } | null = null;
    for (const c of rows) {
      expect(c.count).toBeLessThanOrEqual(maxSamples);
      expect(Math.floor(c.minT / (2 * hour))).toBe(Math.floor(c.maxT / (2 * hour)));
      if (prev !== null && prev.ref === c.ref) expect(c.minT).toBeGreaterThan(prev.maxT);
      prev = c;
    }
    return rows.length;
  } finally {
    raw.close();
  }
}

describe('bulk appends', () => {
  it.each([1, 2, 3])('store exactly what the ordinary appender stores (seed %i)', async (seed) => {
      const commits = stream(seed);
      const plainDir = dirFor();
      const bulkDir = dirFor();
      const plain = await TSDB.open({ dir: plainDir, worker: false });
      const bulk = await TSDB.open({ dir: bulkDir, worker: false });
      // A series that already has open samples before the bulk batches continue it.
      for (const db of [plain, bulk]) {
        const a = db.appender();
        a.append(labelsOf(3), 7_200_000 * 100 - 40 * 15_000 + 3000 - 60_000, 42);
        await a.commit();
      }
      await load(plain, commits, false);
      await load(bulk, commits, true);
      const want = await everything(plain);
      expect(Object.keys(want).length).toBeGreaterThan(40);
      expect(await everything(bulk)).toEqual(want);
      // A crash (the core dropped without close, then recovered from the file): the log and the
      // chunks written with each batch give everything back.
      await bulk.crashWorkerForTest();
      expect(await everything(bulk)).toEqual(want);
      await bulk.close();
      await plain.close();
      const again = await TSDB.open({ dir: bulkDir, worker: false });
      cleanups.push(() => again.close());
      expect(await everything(again)).toEqual(want);
      await again.flush();
      expect(await everything(again)).toEqual(want);
      // A chunk holds <= 120 samples when written; format 2's compaction (main/tsdb/compact.ts) may
      // since have merged a finished window's chunks of a series into rows of up to 960.
      expect(checkChunks(bulkDir, 960)).toBeGreaterThan(10);
  });

  it('writes the chunks of long runs with the batch and logs only the open rest', async () => {
    const dir = dirFor();
    const db = await TSDB.open({ dir, worker: false });
    cleanups.push(() => db.close());
    const a = db.bulkAppender();
    const t0 = 7_200_000 * 100;
    for (let s = 1; s <= 3; s++) for (let k = 0; k < 300; k++) a.append(labelsOf(s), t0 + k * 15_000, k);
    await a.commit();
    const raw = new Database(join(dir, 'vigil.db'), { readonly: true });
    try {
      // Series 1 and 2 are sealed whole (3 chunks each); series 3 ends the batch: 2 chunks, 60 open samples logged.
      expect(raw.prepare('SELECT count(*) FROM chunks').pluck().get()).toBe(8);
      expect(raw.prepare('SELECT sum(n) FROM wal_batches').pluck().get()).toBe(60);
    } finally {
      raw.close();
    }
  });
});
