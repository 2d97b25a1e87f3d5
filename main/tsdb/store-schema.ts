/**
 * The SQLite file (layout in FORMAT.md). Opened read-write by the compression worker (the only
 * writer) and read-only by the main thread for queries, backup and checks.
 */
import type Database from 'better-sqlite3';
import { openSqlite } from '../util/sqlite.js';
import { LabelStringsWriter } from './series-labels.js';

export const dbFileName = 'vigil.db';
const formatVersion = 2;

/** Chunks never span a 2 h window (see worker-head.ts), so a chunk ending ≥ mint starts > mint − 2 h. */
export const chunkWindowMs = 2 * 60 * 60 * 1000;

/** The epoch-aligned 2 h window of a time (negative times included). */
export function windowOf(t: number): number {
  return Math.floor(t / chunkWindowMs);
}

/**
 * Pages of a new file. 16 KiB rather than SQLite's 4 KiB: a series' chunks of one window (a few
 * hundred bytes to a few KiB) stay on the b-tree page instead of spilling to overflow pages, and
 * a page wastes less at its end (FORMAT.md, "Why this layout").
 */
const newFilePageSize = 16384;

/** Chunks clustered by series: the primary key is the query path, no separate index. */
const chunksTable = (name: string): string => `CREATE TABLE IF NOT EXISTS ${name}(
  series_ref INTEGER NOT NULL,
  min_t INTEGER NOT NULL,
  max_t INTEGER NOT NULL,
  encoding INTEGER NOT NULL,
  count INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY(series_ref, min_t)) WITHOUT ROWID;`;

const schema = `
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS label_strings(id INTEGER PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS series(ref INTEGER PRIMARY KEY, labels BLOB NOT NULL);
${chunksTable('chunks')}
CREATE TABLE IF NOT EXISTS chunk_windows(window INTEGER PRIMARY KEY, min_t INTEGER NOT NULL, max_t INTEGER NOT NULL, compacted INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS wal_batches(id INTEGER PRIMARY KEY, n INTEGER NOT NULL, refs BLOB NOT NULL, t BLOB NOT NULL, v BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS wal_histograms(id INTEGER PRIMARY KEY, h BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS quarantined_chunks(
  id INTEGER PRIMARY KEY,
  series_ref INTEGER NOT NULL,
  min_t INTEGER NOT NULL,
  max_t INTEGER NOT NULL,
  encoding INTEGER NOT NULL,
  count INTEGER NOT NULL,
  data BLOB NOT NULL,
  reason TEXT NOT NULL,
  quarantined_at INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('format_version', ${formatVersion}), ('last_batch_id', 0);
`;

/** SQL of the window of an integer time column (floor division, negative times included). */
export const windowSql = (col: string): string => `((${col} - (((${col} % ${chunkWindowMs}) + ${chunkWindowMs}) % ${chunkWindowMs})) / ${chunkWindowMs})`;

/**
 * Format 1 → 2 in one transaction: a crash leaves either the untouched version-1 file or the
 * migrated one. Every chunk row is copied (series-clustered, without its rowid), the two chunk
 * indexes go with the old table, the window table is built from the chunks, and series labels
 * become string ids.
 */
function migrateFrom1(db: Database.Database, file: string): void {
  try {
    db.transaction(() => {
      db.exec(chunksTable('chunks_v2'));
      db.exec('INSERT INTO chunks_v2(series_ref, min_t, max_t, encoding, count, data) SELECT series_ref, min_t, max_t, encoding, count, data FROM chunks ORDER BY series_ref, min_t');
      db.exec('DROP TABLE chunks'); // its indexes chunks_by_series and chunks_by_max_t go with it
      db.exec('ALTER TABLE chunks_v2 RENAME TO chunks');
      db.exec('CREATE TABLE IF NOT EXISTS chunk_windows(window INTEGER PRIMARY KEY, min_t INTEGER NOT NULL, max_t INTEGER NOT NULL, compacted INTEGER NOT NULL DEFAULT 0)');
      db.exec(`INSERT INTO chunk_windows(window, min_t, max_t) SELECT ${windowSql('min_t')} AS w, min(min_t), max(max_t) FROM chunks GROUP BY w`);
      // Series labels: JSON text → string ids (series-labels.ts).
      db.exec('CREATE TABLE label_strings(id INTEGER PRIMARY KEY, value TEXT NOT NULL)');
      db.exec('CREATE TABLE series_v2(ref INTEGER PRIMARY KEY, labels BLOB NOT NULL)');
      const strings = new LabelStringsWriter(db);
      const ins = db.prepare('INSERT INTO series_v2(ref, labels) VALUES (?, ?)');
      for (const [ref, text] of db.prepare('SELECT ref, labels FROM series ORDER BY ref').raw().all() as [number, string][]) ins.run(ref, strings.encodeJson(text));
      db.exec('DROP TABLE series');
      db.exec('ALTER TABLE series_v2 RENAME TO series');
      db.prepare("UPDATE meta SET value = ? WHERE key = 'format_version'").run(formatVersion);
    })();
  } catch (e) {
    throw new Error(`${file}: could not migrate storage format 1 to ${formatVersion} (${(e as Error).message}); the file is unchanged`);
  }
  // Give the old table's pages back (the migration freed them).
  db.pragma('incremental_vacuum');
}

/** Opens (creating if needed) the database for writing, with the durability settings of FORMAT.md; migrates older formats. */
export function openWritable(file: string): Database.Database {
  const db = openSqlite(file);
  // Both must precede the first table: size retention gives pages back to the file system, and
  // the page size of an existing file stays what it is.
  db.pragma(`page_size = ${newFilePageSize}`);
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  // NORMAL: a commit is in the -wal file before we acknowledge it, so a process crash loses
  // nothing; only a power loss can drop the last commits (FORMAT.md, "Durability").
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // 8 MiB page cache (SQLite's default is 16): the writer touches recent pages only, and at 100k
  // series every MiB is 10 bytes per series of resident memory.
  db.pragma('cache_size = -8000');
  const existing = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").get() !== undefined;
  const before = existing ? (db.prepare("SELECT value FROM meta WHERE key = 'format_version'").pluck().get() as number | undefined) : undefined;
  if (before === 1) migrateFrom1(db, file);
  db.exec(schema);
  const v = db.prepare("SELECT value FROM meta WHERE key = 'format_version'").pluck().get() as number;
  if (v !== formatVersion) {
    db.close();
    throw new Error(`${file}: storage format version ${v}, this Vigil reads version ${formatVersion}; open it with a matching Vigil or restore a backup`);
  }
  return db;
}

export function openReadOnly(file: string): Database.Database {
  const db = openSqlite(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -8000'); // queries stream chunks once; the OS page cache does the rest

  return db;
}

/** Bytes of a typed array as a Buffer without copying (for BLOB parameters). */
export function blobOf(a: Uint32Array | Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A BLOB back into an aligned typed array (copies: SQLite buffers need not be 8-aligned). */
export function float64sOf(b: Uint8Array): Float64Array {
  const copy = new Uint8Array(b.length - (b.length % 8));
  copy.set(b.subarray(0, copy.length));
  return new Float64Array(copy.buffer);
}

export function uint32sOf(b: Uint8Array): Uint32Array {
  const copy = new Uint8Array(b.length - (b.length % 4));
  copy.set(b.subarray(0, copy.length));
  return new Uint32Array(copy.buffer);
}
