import { describe, it, expect, afterEach } from 'vitest';
import { copyFileSync, existsSync, openSync, readdirSync, statSync, truncateSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TSDB } from '../../../main/tsdb/db.js';
import { OutOfBoundsError } from '../../../main/tsdb/interface.js';
import type { Logger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function dirFor(): string {
  const t = tempDir('vigil-recovery-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function recordingLogger(lines: string[]): Logger {
  const l: Logger = {
    debug: () => {},
    info: () => {},
    warn: (m) => lines.push('warn ' + m),
    error: (m) => lines.push('error ' + m),
    child: () => l,
  };
  return l;
}

/** `batches` commits of `series` series, sample b of series i at t = b·1000 with value i + b. */
async function fill(db: TSDB, series: number, batches: number, from = 0): Promise<void> {
  for (let b = from; b < from + batches; b++) {
    const a = db.appender();
    for (let i = 0; i < series; i++) a.append([{ name: '__name__', value: 'm' }, { name: 'i', value: String(i) }], b * 1000, i + b);
    await a.commit();
  }
}

async function timestamps(db: TSDB, mint = -Infinity, maxt = Infinity): Promise<number[][]> {
  const q = await db.querier(mint, maxt);
  const set = await q.select([{ op: '=', name: '__name__', value: 'm' }]);
  return set.series.map((s) => Array.from(s.samples().t));
}

describe('recovery', () => {
  it('quarantines a file with a damaged page, logs once, and keeps what it can read', async () => {
    const dir = dirFor();
    let db = await TSDB.open({ dir, worker: false, maxChunkSamples: 10 });
    await fill(db, 300, 60);
    await db.flush();
    await db.close();
    const file = join(dir, 'vigil.db');
    // Scribble over a leaf page of the chunks table (a free page would go unnoticed).
    const raw = new Database(file, { readonly: true });
    const page = raw.prepare("SELECT pageno FROM dbstat WHERE name = 'chunks' AND pagetype = 'leaf' LIMIT 1 OFFSET 1").pluck().get() as number;
    const onPage = raw.prepare('SELECT ncell FROM dbstat WHERE pageno = ?').pluck().get(page) as number;
    const leaves = raw.prepare("SELECT count(*) FROM dbstat WHERE name = 'chunks' AND pagetype = 'leaf'").pluck().get() as number;
    const total = raw.prepare('SELECT count(*) FROM chunks').pluck().get() as number;
    // Rows kept in interior pages (a WITHOUT ROWID b-tree's dividers are rows).
    const dividers = raw.prepare("SELECT sum(ncell) FROM dbstat WHERE name = 'chunks' AND pagetype = 'internal'").pluck().get() as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    expect(leaves).toBeGreaterThan(2); // rows after the damaged page exist
    expect(page).toBeGreaterThan(1);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
    closeSync(fd);
    const lines: string[] = [];
    db = await TSDB.open({ dir, worker: false, logger: recordingLogger(lines) });
    try {
      const notice = db.stats().quarantine;
      expect(notice).not.toBeNull();
      expect(lines.filter((l) => l.startsWith('error'))).toHaveLength(1);
      expect(lines[0]).toContain(notice!.quarantineDir);
      expect(existsSync(join(notice!.quarantineDir, 'vigil.db'))).toBe(true);
      expect(readdirSync(join(dir, 'quarantine'))).toHaveLength(1);
      expect(db.quickCheck().ok).toBe(true);
      // Series and the readable chunks were salvaged.
      expect(notice!.salvaged.series).toBe(300);
      // Only the rows on the damaged page are lost, and at most the divider rows beside it: the
      // scan of each series resumes past it.
      expect(notice!.salvaged.chunks).toBeLessThanOrEqual(total - onPage);
      expect(notice!.salvaged.chunks).toBeGreaterThanOrEqual(total - onPage - dividers);
      expect(dividers).toBeLessThan(onPage / 10);
      expect((await timestamps(db)).length).toBeGreaterThan(0);
      // Ingestion works on the fresh file.
      await fill(db, 300, 1, 100);
      const ts = await timestamps(db, 100_000, 100_000);
      expect(ts).toHaveLength(300);
    } finally {
      await db.close();
    }
  });

  it('opens after a torn -wal file and shows whole batches only', async () => {
    const dir = dirFor();
    const crashed = dirFor();
    const db = await TSDB.open({ dir, worker: false });
    try {
      await fill(db, 100, 30);
      // Copy the files as a kill -9 would leave them, then tear the -wal.
      copyFileSync(join(dir, 'vigil.db'), join(crashed, 'vigil.db'));
      copyFileSync(join(dir, 'vigil.db-wal'), join(crashed, 'vigil.db-wal'));
    } finally {
      await db.close();
    }
    const wal = join(crashed, 'vigil.db-wal');
    truncateSync(wal, Math.floor(statSync(wal).size * 0.6));
    const db2 = await TSDB.open({ dir: crashed, worker: false });
    try {
      expect(db2.quickCheck().ok).toBe(true);
      const ts = await timestamps(db2);
      const lens = new Set(ts.map((t) => t.length));
      // Every series holds the same prefix of batches (possibly none when the tear hit early frames).
      expect(lens.size).toBeLessThanOrEqual(1);
      for (const t of ts) expect(t).toEqual(Array.from({ length: t.length }, (_, b) => b * 1000));
    } finally {
      await db2.close();
    }
  });

  it('skips a bit-flipped chunk with a warning and moves it to quarantined_chunks', async () => {
    const dir = dirFor();
    let db = await TSDB.open({ dir, worker: false, maxChunkSamples: 10 });
    await fill(db, 3, 30);
    await db.flush();
    await db.close();
    const raw = new Database(join(dir, 'vigil.db'));
    const row = raw.prepare('SELECT min_t, data FROM chunks WHERE series_ref = 1 ORDER BY min_t LIMIT 1 OFFSET 1').get() as { min_t: number; data: Buffer };
    row.data[Math.floor(row.data.length / 2)]! ^= 0x10;
    raw.prepare('UPDATE chunks SET data = ? WHERE series_ref = 1 AND min_t = ?').run(row.data, row.min_t);
    raw.close();
    const lines: string[] = [];
    db = await TSDB.open({ dir, worker: false, logger: recordingLogger(lines) });
    try {
      const q = await db.querier(-Infinity, Infinity);
      const set = await q.select([{ op: '=', name: 'i', value: '0' }]);
      const t = Array.from(set.series[0]!.samples().t);
      expect(t).toEqual([...Array.from({ length: 10 }, (_, b) => b * 1000), ...Array.from({ length: 10 }, (_, b) => (b + 20) * 1000)]);
      expect(set.warnings).toHaveLength(1);
      expect(set.warnings[0]).toMatch(/damaged chunk of series m\{i="0"\}/);
      await db.flush(); // the quarantine request is processed before this one
      expect(db.stats().quarantinedChunks).toBe(1);
    } finally {
      await db.close();
    }
    const check = new Database(join(dir, 'vigil.db'), { readonly: true });
    expect(check.prepare('SELECT count(*) FROM quarantined_chunks WHERE series_ref = 1 AND min_t = ?').pluck().get(row.min_t)).toBe(1);
    expect(check.prepare('SELECT count(*) FROM chunks WHERE series_ref = 1 AND min_t = ?').pluck().get(row.min_t)).toBe(0);
    check.close();
  });
});

describe('retention and backup', () => {
  it('drops chunks behind the time retention', async () => {
    const dir = dirFor();
    const hour = 3_600_000;
    const db = await TSDB.open({ dir, worker: false, retentionMs: 3 * hour, maxChunkSamples: 60 });
    try {
      for (let h = 0; h < 10; h++) {
        const a = db.appender();
        for (let m = 0; m < 60; m++) a.append([{ name: '__name__', value: 'm' }], h * hour + m * 60_000, m);
        await a.commit();
      }
      await db.flush();
      const r = await db.applyRetention();
      expect(r.deletedChunks).toBeGreaterThan(0);
      // A sample already behind retention is refused.
      const late = db.appender();
      expect(() => late.append([{ name: '__name__', value: 'other' }], 5 * hour, 1)).toThrow(OutOfBoundsError);
      late.rollback();
      const [t] = await timestamps(db);
      // Newest sample is at 9h59m; chunks ending before 6h59m are gone, whole chunks only.
      expect(t![0]).toBeGreaterThanOrEqual(6 * hour);
      expect(t![0]).toBeLessThanOrEqual(7 * hour);
      expect(t![t!.length - 1]).toBe(9 * hour + 59 * 60_000);
    } finally {
      await db.close();
    }
  });

  it('keeps the database under the size budget by dropping the oldest chunks', async () => {
    const dir = dirFor();
    // The empty schema takes 9 pages of 16 KiB: the budget leaves room for some chunks.
    const budget = 250_000;
    const db = await TSDB.open({ dir, worker: false, retentionBytes: budget, maxChunkSamples: 20 });
    try {
      await fill(db, 200, 300);
      await db.flush();
      const r = await db.applyRetention();
      expect(r.bytesBefore).toBeGreaterThan(budget);
      expect(r.bytesAfter).toBeLessThanOrEqual(budget);
      const ts = await timestamps(db);
      const newest = Math.max(...ts.map((t) => t[t.length - 1] ?? -1));
      expect(newest).toBe(299_000);
      expect(Math.min(...ts.map((t) => t[0] ?? Infinity))).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });

  it('backs up online and restores to a database holding exactly the backed-up samples', async () => {
    const dir = dirFor();
    const backup = join(dirFor(), 'backup.db');
    const db = await TSDB.open({ dir, worker: false, maxChunkSamples: 7 });
    try {
      await fill(db, 20, 10);
      await db.backup(backup);
      await fill(db, 20, 5, 10);
    } finally {
      await db.close();
    }
    const restored = join(dirFor(), 'restored');
    await TSDB.restore(backup, restored);
    await expect(TSDB.restore(backup, restored)).rejects.toThrow(/already exists/);
    const db2 = await TSDB.open({ dir: restored, worker: false });
    try {
      const ts = await timestamps(db2);
      expect(ts).toHaveLength(20);
      for (const t of ts) expect(t).toEqual(Array.from({ length: 10 }, (_, b) => b * 1000));
      await fill(db2, 20, 1, 10); // and it accepts new samples after the restored ones
    } finally {
      await db2.close();
    }
  });
});
