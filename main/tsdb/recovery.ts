/**
 * Start-up check of the database file. A file that fails `PRAGMA quick_check` (or cannot be
 * opened) is moved with its -wal/-shm to `quarantine/<timestamp>/`, one clear message is logged,
 * and a fresh file is created holding every row that could still be read from the damaged one.
 * A truncated -wal needs nothing from us: SQLite ignores frames whose checksums fail, which loses
 * at most the commits in the torn tail.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openSqlite } from '../util/sqlite.js';
import type { Logger } from '../util/log.js';
import { openWritable, windowSql } from './store-schema.js';
import { LabelStringsWriter } from './series-labels.js';

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
    db = openSqlite(file, { fileMustExist: true });
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

/**
 * Copies readable rows table by table. A damaged page stops a scan; the scan then resumes just
 * past the damaged key range (found by doubling, then bisecting, the key it restarts from), so
 * only the rows on damaged pages are lost.
 */
function salvage(from: string, to: string): QuarantineNotice['salvaged'] {
  const out = openWritable(to);
  const counts = { series: 0, chunks: 0, batches: 0 };
  let src: Database.Database | null = null;
  try {
    src = openSqlite(from, { fileMustExist: true });
  } catch {
    out.close();
    return counts;
  }
  counts.series = salvageSeries(src, out);
  counts.chunks = salvageChunks(src, out);
  counts.batches = copyReadable(src, out, 'wal_batches', 'id', 'id, n, refs, t, v', inserter(out, 'INSERT OR IGNORE INTO wal_batches VALUES (?, ?, ?, ?, ?)'));
  copyReadable(src, out, 'wal_histograms', 'id', 'id, h', inserter(out, 'INSERT OR IGNORE INTO wal_histograms VALUES (?, ?)'));
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

/** An insert of a whole row, or null when `out` cannot prepare it. */
function inserter(out: Database.Database, sql: string): ((row: unknown[]) => void) | null {
  try {
    const st = out.prepare(sql);
    return (row) => void st.run(...row);
  } catch {
    return null;
  }
}

/**
 * Series rows: a format-2 file's label strings and id blobs as they are (a series naming a string
 * that was on a damaged page becomes a hole at load), a format-1 file's JSON labels as ids.
 */
function salvageSeries(src: Database.Database, out: Database.Database): number {
  let format2 = false;
  try {
    format2 = src.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'label_strings'").get() !== undefined;
  } catch {
    // the schema itself is unreadable: nothing can be copied either way
  }
  if (format2) {
    copyReadable(src, out, 'label_strings', 'id', 'id, value', inserter(out, 'INSERT OR IGNORE INTO label_strings(id, value) VALUES (?, ?)'));
    return copyReadable(src, out, 'series', 'ref', 'ref, labels', inserter(out, 'INSERT OR IGNORE INTO series(ref, labels) VALUES (?, ?)'));
  }
  const strings = new LabelStringsWriter(out);
  const ins = out.prepare('INSERT OR IGNORE INTO series(ref, labels) VALUES (?, ?)');
  return copyReadable(src, out, 'series', 'ref', 'ref, labels', (row) => {
    let blob: Uint8Array;
    try {
      blob = strings.encodeJson(String(row[1]));
    } catch {
      return; // labels that are not the JSON format 1 wrote: the series is lost
    }
    ins.run(row[0], blob);
  });
}

/**
 * Chunks of every salvaged series, series by series along the key (series_ref, min_t): the rows
 * on a damaged page are lost, the scan of that series resumes past them. Reads format 1 files
 * (rowid table) and format 2 files alike: both have these columns.
 */
function salvageChunks(src: Database.Database, out: Database.Database): number {
  const refs = out.prepare('SELECT ref FROM series ORDER BY ref').pluck().all() as number[];
  const insert = inserter(out, 'INSERT OR IGNORE INTO chunks(min_t, series_ref, max_t, encoding, count, data) VALUES (?, ?, ?, ?, ?, ?)');
  let copied = 0;
  for (const ref of refs) {
    copied += copyReadable(src, out, 'chunks', 'min_t', 'min_t, series_ref, max_t, encoding, count, data', insert, {
      where: 'series_ref = ? AND',
      params: [ref],
      low: -Number.MAX_SAFE_INTEGER,
    });
  }
  // The window table is rebuilt from what was salvaged (format 2 keeps it beside the chunks).
  out.exec('DELETE FROM chunk_windows');
  out.exec(`INSERT INTO chunk_windows(window, min_t, max_t) SELECT ${windowSql('min_t')} AS w, min(min_t), max(max_t) FROM chunks GROUP BY w`);
  return copied;
}

class InsertFailed extends Error {}

/**
 * Rows of `table` (integer key `pk`, from `scope.low`, default 0; `scope.where` narrows the scan
 * to a prefix of a composite key, with `scope.params`) that can be read, copied into `out`;
 * returns how many.
 */
function copyReadable(
  src: Database.Database,
  out: Database.Database,
  table: string,
  pk: string,
  columns: string,
  insert: ((row: unknown[]) => void) | null,
  scope: { where: string; params: readonly unknown[]; low: number } = { where: '', params: [], low: 0 },
): number {
  let read: Database.Statement;
  if (insert === null) return 0;
  try {
    read = src.prepare(`SELECT ${columns} FROM ${table} WHERE ${scope.where} ${pk} >= ? ORDER BY ${pk}`).raw();
  } catch {
    return 0; // the table's definition itself is unreadable
  }
  // Whether a scan from key `k` gets past its first row (a damaged page throws).
  const readsFrom = (k: number): boolean => {
    const it = read.iterate(...scope.params, k) as IterableIterator<unknown[]>;
    try {
      it.next();
      return true;
    } catch {
      return false;
    } finally {
      it.return?.();
    }
  };
  // Keys (series refs, batch ids, a series' chunk start times) are within JavaScript's exact range.
  const top = Number.MAX_SAFE_INTEGER;
  let copied = 0;
  let from = scope.low;
  try {
    out.transaction(() => {
      for (;;) {
        try {
          for (const row of read.iterate(...scope.params, from) as Iterable<unknown[]>) {
            try {
              insert(row);
            } catch (err) {
              throw new InsertFailed((err as Error).message);
            }
            copied++;
            from = Number(row[0]) + 1;
          }
          return;
        } catch (err) {
          if (err instanceof InsertFailed) throw err;
        }
        // A damaged page at or past `from`: find the smallest key from which reading works
        // (doubling, then bisecting); everything below it on that page is lost.
        // (The last probe is `top` itself, so keys far from a negative start stay reachable.)
        let bad = from;
        let good = top;
        for (let step = 1; ; step *= 2) {
          const k = Math.min(from + step, top);
          if (readsFrom(k)) {
            good = k;
            break;
          }
          if (k >= top) return;
          bad = k;
        }
        while (good - bad > 1) {
          const mid = bad + Math.floor((good - bad) / 2);
          if (readsFrom(mid)) good = mid;
          else bad = mid;
        }
        from = good;
      }
    })();
  } catch {
    // the insert side failed (e.g. disk full): keep what was committed before
  }
  return copied;
}
