/**
 * The one way the engine opens a SQLite file. better-sqlite3 is a native module: Node and
 * Electron need different builds of it (their NODE_MODULE_VERSIONs differ), so the build to load
 * is chosen once at start (`useSqliteBinding`, by the Electron shell) and every open — in the main
 * thread and in the storage worker, which receives the choice in its workerData — goes through
 * here. Left unset, better-sqlite3 finds its own build for the Node that runs it.
 */
import Database from 'better-sqlite3';

let binding: string | undefined;

/** Chooses the native build of better-sqlite3 (`undefined`: the one npm installed for Node). */
export function useSqliteBinding(path: string | undefined): void {
  binding = path;
}

/** The build chosen by `useSqliteBinding`, for handing to worker threads. */
export function sqliteBinding(): string | undefined {
  return binding;
}

export function openSqlite(file: string, options: Database.Options = {}): Database.Database {
  return new Database(file, binding === undefined ? options : { ...options, nativeBinding: binding });
}

/**
 * Opens (creating if needed) one of the engine's small state files: WAL, the schema applied, and
 * a `meta.schema_version` row written once; a file from a newer Vigil is refused. `what` names
 * the file in errors ("the notification state file").
 */
export function openStateFile(file: string, what: string, schema: string, schemaVersion: number, pragmas: readonly string[] = []): Database.Database {
  let db: Database.Database;
  try {
    db = openSqlite(file);
  } catch (e) {
    throw new Error(`cannot open ${what} ${file}: ${(e as Error).message}; check the data directory is writable`);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  for (const p of pragmas) db.pragma(p);
  db.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n${schema}`);
  const v = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema_version') as { value: string } | undefined;
  if (v === undefined) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(schemaVersion));
  else if (Number(v.value) > schemaVersion) {
    db.close();
    throw new Error(`${file} was written by a newer Vigil (schema ${v.value}); upgrade Vigil or move the file away`);
  }
  return db;
}
