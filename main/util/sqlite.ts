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
