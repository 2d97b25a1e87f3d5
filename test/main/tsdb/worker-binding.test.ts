import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const npmBuild = join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

describe('the storage worker loads the native SQLite build the main thread chose', () => {
  // Linux lists every shared object a process mapped in /proc/self/maps, threads included.
  it.skipIf(process.platform !== 'linux')('no thread loads npm\'s build when another build is chosen (real worker thread, built code)', () => {
    if (!existsSync(join(root, 'dist/main/tsdb/db.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-binding-'));
    try {
      // A copy of the Node build stands in for Electron's: same ABI, so it loads, but another path.
      const chosen = join(dir, 'better_sqlite3.node');
      copyFileSync(npmBuild, chosen);
      const script = `
import { readFileSync } from 'node:fs';
import { useSqliteBinding } from ${JSON.stringify(join(root, 'dist/main/util/sqlite.js'))};
import { TSDB } from ${JSON.stringify(join(root, 'dist/main/tsdb/db.js'))};
useSqliteBinding(${JSON.stringify(chosen)});
const db = await TSDB.open({ dir: ${JSON.stringify(join(dir, 'tsdb'))} });
const a = db.appender(); a.append([{ name: '__name__', value: 'x' }], 1000, 1); await a.commit();
const maps = readFileSync('/proc/self/maps', 'utf8');
console.log(JSON.stringify({ chosen: maps.includes(${JSON.stringify(chosen)}), npm: maps.includes(${JSON.stringify(npmBuild)})}));
await db.close();`;
      // A file, not -e: worker threads inherit --input-type and refuse to start with it.
      const file = join(dir, 'probe.mjs');
      writeFileSync(file, script);
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ chosen: true, npm: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
