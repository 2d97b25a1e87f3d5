import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, matchesGlob, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../..');
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
  asarUnpack: string[];
  npmRebuild: boolean;
  extraResources: Array<{ from: string; to: string }>;
  files: string[];
};

/** Every built file a module imports, transitively, by relative specifier. */
function importClosure(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) todo.push(resolve(dirname(file), m[1]!));
  }
  return [...seen].map((f) => relative(root, f));
}

describe('packaging (electron-builder.yml)', () => {
  it('ships the prepared Electron build of better-sqlite3 where the packaged shell looks for it, and does not rebuild natives itself', () => {
    expect(config.npmRebuild).toBe(false);
    // main/native-modules/electron-build.ts: <resources>/native/better_sqlite3.node
    expect(config.extraResources).toContainEqual({ from: 'native/electron/better_sqlite3.node', to: 'native/better_sqlite3.node' });
    expect(config.files).toContain('!node_modules/better-sqlite3/build/**');
  });

  it.each(['dist/main/tsdb/worker.js', 'dist/main/tsdb/query-worker.js', 'dist/main/probe/pool-worker.js'])('unpacks the worker %s and every file it imports (worker threads cannot start inside the asar)', (worker) => {
    const entry = join(root, worker);
    if (!existsSync(entry)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    const closure = importClosure(entry);
    expect(closure.length).toBeGreaterThan(5);
    const packed = closure.filter((f) => !config.asarUnpack.some((glob) => matchesGlob(f, glob)));
    expect(packed).toEqual([]);
  });
});
