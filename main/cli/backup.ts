import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openSqlite } from '../util/sqlite.js';
import { TSDB } from '../tsdb/db.js';
import { dbFileName } from '../tsdb/store-schema.js';
import { DataDirLock } from '../data-dir.js';
import { defaultDataDir } from '../paths.js';
import { UsageError, type Command } from './command.js';

function args(argv: string[]): { dataDir: string; file: string } {
  const { values, positionals } = parseArgs({ args: argv, options: { data: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('exactly one FILE is required');
  return { dataDir: resolve(values.data ?? defaultDataDir()), file: resolve(positionals[0]!) };
}

/**
 * Online backup to one file with SQLite's backup API. It reads through its own connection, so
 * it works while Vigil runs on the same data directory (WAL readers do not block the writer) and
 * the copy is a consistent snapshot, unacknowledged samples excluded.
 */
export const backupCommand: Command = {
  words: ['backup'],
  usage: 'vigil backup [--data DIR] FILE',
  summary: 'copy the sample database to FILE, online (Vigil may keep running)',
  async run(argv) {
    const { dataDir, file } = args(argv);
    const db = join(dataDir, 'tsdb', dbFileName);
    if (!existsSync(db)) throw new UsageError(`no database at ${db}; pass the --data directory Vigil uses`);
    if (existsSync(file)) throw new UsageError(`${file} exists; choose a new file name`);
    const conn = openSqlite(db, { readonly: true, fileMustExist: true });
    try {
      await conn.backup(file);
    } finally {
      conn.close();
    }
    process.stdout.write(`backed up ${db} to ${file}\n`);
    return 0;
  },
};

/** Restore into a data directory that no engine uses and that holds no database yet. */
export const restoreCommand: Command = {
  words: ['restore'],
  usage: 'vigil restore [--data DIR] FILE',
  summary: 'install a backup FILE as the sample database of a stopped Vigil (the directory must hold none)',
  async run(argv) {
    const { dataDir, file } = args(argv);
    const lock = DataDirLock.acquire(dataDir);
    try {
      await TSDB.restore(file, join(dataDir, 'tsdb'));
    } finally {
      lock.release();
    }
    process.stdout.write(`restored ${file} into ${join(dataDir, 'tsdb')}\n`);
    return 0;
  },
};
