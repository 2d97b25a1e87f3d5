/**
 * Storage format 1 → 2 (main/tsdb/FORMAT.md, "Format versions"). `fixtures/format-v1.db` was
 * written by the build before format 2 (commit c202a89) with this program, then checkpointed
 * into one file:
 *
 *   const db = await TSDB.open({ dir, worker: false });
 *   for (let i = 0; i < 500; i++) {
 *     const a = db.appender();
 *     for (let s = 0; s < 20; s++) a.append([{ name: '__name__', value: 'm' }, { name: 's', value: String(s) }], start + i * 15000, value(s, i));
 *     if (i % 10 === 0) a.appendHistogram([{ name: '__name__', value: 'h' }], start + i * 15000, hist(i));
 *     await a.commit();
 *     if (i === 449) await db.flush();
 *   }
 *   await db.close();
 *
 * with `start`, `value` and `hist` as below: 102 sealed chunks (XOR, Decimal and histogram) and
 * the last 50 batches only in the log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TSDB } from '../../../main/tsdb/db.js';
import type { Matcher, NativeHistogram } from '../../../main/tsdb/interface.js';
import { tempDir } from '../helpers.js';
import { bundle } from './bundle.js';

const fixture = new URL('./fixtures/format-v1.db', import.meta.url).pathname;
const start = 1764115200000;
const value = (s: number, i: number): number => (s % 3 === 0 ? Math.round((s + 1) * 1000 * Math.sin(i / 7)) / 100 : s % 3 === 1 ? i * (s + 1) * 0.1 : Math.sin(s + i) * 1e6);
const hist = (i: number): NativeHistogram => ({
  schema: 0,
  zeroThreshold: 0.001,
  zeroCount: i,
  count: 3 * i + 1,
  sum: i * 1.5,
  positive: [
    { index: 0, count: i },
    { index: 1, count: i + 1 },
  ],
  negative: [],
  customValues: [],
  counterResetHint: 'unknown',
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function copyOfFixture(): { dir: string; file: string } {
  const t = tempDir('vigil-migrate-');
  cleanups.push(t.cleanup);
  const file = join(t.dir, 'vigil.db');
  copyFileSync(fixture, file);
  return { dir: t.dir, file };
}

function describeFile(file: string): { version: number; chunks: number; sealedSamples: number; indexes: string[]; tables: string[] } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      version: db.prepare("SELECT value FROM meta WHERE key = 'format_version'").pluck().get() as number,
      chunks: db.prepare('SELECT count(*) FROM chunks').pluck().get() as number,
      sealedSamples: db.prepare('SELECT sum(count) FROM chunks').pluck().get() as number,
      indexes: db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name").pluck().all() as string[],
      tables: db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[],
    };
  } finally {
    db.close();
  }
}

/** The fixture's samples (`original`: only series without a `copy` label, as the kill test adds copies). */
async function expectAllSamples(db: TSDB, original = false): Promise<void> {
  const q = await db.querier(-Infinity, Infinity);
  const only: Matcher[] = original ? [{ op: '=', name: 'copy', value: '' }] : [];
  const set = await q.select([{ op: '=', name: '__name__', value: 'm' }, ...only]);
  expect(set.warnings).toEqual([]);
  expect(set.series).toHaveLength(20);
  for (const series of set.series) {
    const s = Number(series.labels.find((l) => l.name === 's')!.value);
    const got = series.samples();
    expect(got.t).toHaveLength(500);
    for (let i = 0; i < 500; i++) {
      expect(got.t[i]).toBe(start + i * 15000);
      expect(Object.is(got.v[i], value(s, i))).toBe(true);
    }
  }
  const hs = await q.select([{ op: '=', name: '__name__', value: 'h' }, ...only]);
  expect(hs.series).toHaveLength(1);
  const h = hs.series[0]!.samples();
  expect(Array.from(h.t)).toEqual(Array.from({ length: 50 }, (_, k) => start + k * 10 * 15000));
  expect(h.h).toEqual(Array.from({ length: 50 }, (_, k) => hist(k * 10)));
}

describe('storage format 1 → 2', () => {
  it('the fixture is a format-1 file', () => {
    const { file } = copyOfFixture();
    const before = describeFile(file);
    expect(before.version).toBe(1);
    expect(before.indexes).toEqual(['chunks_by_max_t', 'chunks_by_series']);
    expect(before.chunks).toBe(102);
  });

  it('migrates on open: every chunk row and log batch kept, samples read back bit for bit, indexes gone', async () => {
    const { dir, file } = copyOfFixture();
    const before = describeFile(file);
    const db = await TSDB.open({ dir, worker: false });
    try {
      const after = describeFile(file);
      expect(after.version).toBe(2);
      expect(after.indexes).toEqual([]);
      expect(after.tables).toContain('chunk_windows');
      expect(after.chunks).toBe(before.chunks);
      expect(after.sealedSamples).toBe(before.sealedSamples);
      await expectAllSamples(db);
      expect(db.oldestChunkTime()).toBe(start);
      // Appending continues after the replayed log.
      const a = db.appender();
      a.append([{ name: '__name__', value: 'm' }, { name: 's', value: '0' }], start + 500 * 15000, 42);
      await a.commit();
    } finally {
      await db.close();
    }
  });

  it('compacts the migrated windows into fewer chunks with the same samples', async () => {
    const { dir, file } = copyOfFixture();
    const db = await TSDB.open({ dir, worker: false });
    try {
      const r = await db.compact(true);
      expect(r.windows).toBeGreaterThan(0);
      expect(r.chunksAfter).toBeLessThan(r.chunksBefore);
      expect(describeFile(file).chunks).toBeLessThan(102);
      await expectAllSamples(db);
    } finally {
      await db.close();
    }
    // And again after a restart (the log was emptied by compact's flush).
    const again = await TSDB.open({ dir, worker: false });
    try {
      await expectAllSamples(again);
    } finally {
      await again.close();
    }
  });

  it('a migration that fails half-way leaves the format-1 file as it was, and it still opens', async () => {
    const { dir, file } = copyOfFixture();
    // Two chunks of one series starting at the same time: the clustered key refuses the second
    // copy after part of the table was copied, as a crash at that point would stop it.
    const raw = new Database(file);
    const last = raw.prepare('SELECT max(id) FROM chunks').pluck().get() as number;
    raw.prepare('INSERT INTO chunks(series_ref, min_t, max_t, encoding, count, data) SELECT series_ref, min_t, max_t, encoding, count, data FROM chunks WHERE id = ?').run(last);
    raw.close();
    const before = describeFile(file);
    await expect(TSDB.open({ dir, worker: false })).rejects.toThrow(/could not migrate storage format 1 to 2 .*the file is unchanged/);
    const after = describeFile(file);
    expect(after).toEqual(before);
    // Remove the duplicate, and the same file migrates.
    const fix = new Database(file);
    fix.prepare('DELETE FROM chunks WHERE id = (SELECT max(id) FROM chunks)').run();
    fix.close();
    const db = await TSDB.open({ dir, worker: false });
    try {
      await expectAllSamples(db);
    } finally {
      await db.close();
    }
  });

  it('a damaged format-1 file is quarantined and its readable rows salvaged into a format-2 file', async () => {
    const { dir, file } = copyOfFixture();
    const raw = new Database(file, { readonly: true });
    const page = raw.prepare("SELECT pageno FROM dbstat WHERE name = 'chunks' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1").pluck().get() as number;
    const onPage = raw.prepare('SELECT ncell FROM dbstat WHERE pageno = ?').pluck().get(page) as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
    closeSync(fd);
    const db = await TSDB.open({ dir, worker: false });
    try {
      const notice = db.stats().quarantine;
      expect(notice).not.toBeNull();
      expect(notice!.salvaged.series).toBe(21);
      expect(notice!.salvaged.chunks).toBe(102 - onPage);
      expect(describeFile(file).version).toBe(2);
      const q = await db.querier(-Infinity, Infinity);
      const set = await q.select([{ op: '=', name: '__name__', value: 'm' }]);
      expect(set.series.map((s) => s.labels.find((l) => l.name === 's')!.value).sort()).toEqual(Array.from({ length: 20 }, (_, s) => String(s)).sort());
    } finally {
      await db.close();
    }
  });

  it('a process killed at any moment of the migration leaves a file that opens with every row', async () => {
    const t = tempDir('vigil-migrate-kill-');
    cleanups.push(t.cleanup);
    await bundle(join(t.dir, 'bin'), { 'migrate-child': 'test/main/tsdb/fixtures/migrate-child.ts' });
    // A format-1 file large enough for the migration to take a while: the fixture's 21 series
    // and their chunks copied 150 times under new refs.
    const big = join(t.dir, 'big.db');
    copyFileSync(fixture, big);
    const raw = new Database(big);
    raw.transaction(() => {
      const rows = raw.prepare('SELECT ref, labels FROM series ORDER BY ref').all() as { ref: number; labels: string }[];
      const addSeries = raw.prepare('INSERT INTO series(ref, labels) VALUES (?, ?)');
      for (let k = 1; k <= 150; k++) {
        for (const r of rows) addSeries.run(r.ref + k * 21, JSON.stringify([...(JSON.parse(r.labels) as string[]), 'copy', String(k)]));
        raw.prepare('INSERT INTO chunks(series_ref, min_t, max_t, encoding, count, data) SELECT series_ref + ?, min_t, max_t, encoding, count, data FROM chunks WHERE series_ref <= 21').run(k * 21);
      }
    })();
    const want = { series: raw.prepare('SELECT count(*) FROM series').pluck().get() as number, ...describeFile(big) };
    raw.close();
    expect(want.chunks).toBe(102 * 151);
    const script = join(t.dir, 'bin', 'migrate-child.js');
    /** Runs the child on a copy of the big file; kills it after `killMs` (never when undefined). Resolves with ms until it printed `open`. */
    const run = (dir: string, killMs?: number): Promise<number> => {
      mkdirSync(dir);
      copyFileSync(big, join(dir, 'vigil.db'));
      return new Promise<number>((resolve, reject) => {
        const t0 = performance.now();
        let opened = Infinity;
        const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('open')) opened = Math.min(opened, performance.now() - t0);
        });
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const timer = killMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killMs);
        child.on('exit', (code, signal) => {
          if (timer) clearTimeout(timer);
          if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child failed (${code}): ${err}`));
          else resolve(opened);
        });
      });
    };
    // How long start-up plus migration takes on this machine now; kills are spread over it.
    const whole = await run(join(t.dir, 'timing'));
    expect(whole).toBeLessThan(Infinity);
    const versionsSeen = new Set<number>();
    for (let round = 0; round < 8; round++) {
      const dir = join(t.dir, `round-${round}`);
      await run(dir, (whole * (round + 1)) / 8);
      const left = new Database(join(dir, 'vigil.db'), { readonly: true });
      versionsSeen.add(left.prepare("SELECT value FROM meta WHERE key = 'format_version'").pluck().get() as number);
      left.close();
      const db = await TSDB.open({ dir, worker: false });
      try {
        expect(db.stats().quarantine).toBeNull();
        expect(db.quickCheck().ok).toBe(true);
        const after = describeFile(join(dir, 'vigil.db'));
        expect(after.version).toBe(2);
        expect(after.chunks).toBe(want.chunks);
        expect(after.sealedSamples).toBe(want.sealedSamples);
        expect(db.stats().series).toBe(want.series);
        await expectAllSamples(db, true);
        const copies = await (await db.querier(-Infinity, Infinity)).select([{ op: '=', name: 'copy', value: '150' }]);
        expect(copies.series).toHaveLength(21);
      } finally {
        await db.close();
      }
    }
    // The kills came at least sometimes before the migration committed (the file still format 1).
    expect(versionsSeen.has(1)).toBe(true);
  }, 120_000);
});
