/**
 * Start-up check of the database file. A file that fails `PRAGMA quick_check` (or cannot be
 * opened) is moved with its -wal/-shm to `quarantine/<timestamp>/`, one clear message is logged,
 * and a fresh file is created holding every row that could still be read from the damaged one.
 * A truncated -wal needs nothing from us: SQLite ignores frames whose checksums fail, which loses
 * at most the commits in the torn tail.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../util/log.js';
import { openWritable } from './store_schema.js';

export interface QuarantineNotice {
  readonly problem: string;
  readonly quarantineDir: string;
  readonly salvaged: { series: number; chunks: number; batches: number };
  /** The one message the user sees (log and Status banner). */
  readonly message: string;
}

function quickCheck(file: string): string | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { fileMustExist: true });
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const msgs = rows.map((r) => r.quick_check);
    return msgs.length === 1 && msgs[0] === 'ok' ? null : msgs.slice(0, 5).join('; ');
  } catch (e) {
    return (e as Error).message;
  } finally {
    try {
      db?.close();
    } catch {
      // a damaged file may fail to close cleanly; it is about to be moved anyway
    }
  }
}

/** Returns null when the file is healthy (or absent), else what was done about it. */
export function checkOrQuarantine(dir: string, file: string, log: Logger, now = new Date()): QuarantineNotice | null {
  if (!existsSync(file)) return null;
  const problem = quickCheck(file);
  if (problem === null) return null;
  const quarantineDir = join(dir, 'quarantine', now.toISOString().replace(/[:.]/g, '-'));
  mkdirSync(quarantineDir, { recursive: true });
  const base = file.split(/[\\/]/).pop()!;
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, join(quarantineDir, base + suffix));
  const salvaged = salvage(join(quarantineDir, base), file);
  const message =
    `storage file ${file} is damaged (${problem}); moved it to ${quarantineDir} and started a fresh database with what could be read ` +
    `(${salvaged.series} series, ${salvaged.chunks} chunks, ${salvaged.batches} log batches). Keep that folder to inspect it, or restore a backup.`;
  log.error(message);
  return { problem, quarantineDir, salvaged, message };
}

/** Copies readable rows table by table; a table stops at its first unreadable row. */
function salvage(from: string, to: string): QuarantineNotice['salvaged'] {
  const out = openWritable(to);
  const counts = { series: 0, chunks: 0, batches: 0 };
  let src: Database.Database | null = null;
  try {
    src = new Database(from, { fileMustExist: true });
  } catch {
    out.close();
    return counts;
  }
  const copy = (select: string, insert: string, key: keyof typeof counts): void => {
    const ins = out.prepare(insert);
    try {
      out.transaction(() => {
        try {
          for (const row of src!.prepare(select).raw().iterate() as Iterable<unknown[]>) {
            ins.run(...row);
            counts[key]++;
          }
        } catch {
          // damaged page: keep the rows read so far
        }
      })();
    } catch {
      // the insert side failed (e.g. disk full): nothing more to keep
    }
  };
  copy('SELECT ref, labels FROM series ORDER BY ref', 'INSERT OR IGNORE INTO series(ref, labels) VALUES (?, ?)', 'series');
  copy('SELECT id, series_ref, min_t, max_t, encoding, count, data FROM chunks', 'INSERT OR IGNORE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)', 'chunks');
  copy('SELECT id, n, refs, t, v FROM wal_batches ORDER BY id', 'INSERT OR IGNORE INTO wal_batches VALUES (?, ?, ?, ?, ?)', 'batches');
  try {
    const last = src.prepare("SELECT value FROM meta WHERE key = 'last_batch_id'").pluck().get() as number | undefined;
    const maxLogged = (out.prepare('SELECT max(id) FROM wal_batches').pluck().get() as number | null) ?? 0;
    out.prepare("UPDATE meta SET value = ? WHERE key = 'last_batch_id'").run(Math.max(last ?? 0, maxLogged));
  } catch {
    // meta unreadable: batch ids restart after the highest salvaged batch
  }
  try {
    src.close();
  } catch {
    // ignore
  }
  out.close();
  return counts;
}
