import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasHeapLimit, mallocEnv, oldSpaceMbFor, reexec, serveHeapArgs } from '../../../main/memory/heap-limit.js';
import { tempDir } from '../helpers.js';

describe('heap limit from the memory budget', () => {
  it('is 60 % of the budget, at least 128 MiB', () => {
    expect(oldSpaceMbFor(1024 * 1024 * 1024)).toBe(614);
    expect(oldSpaceMbFor(300 * 1024 * 1024)).toBe(180);
    expect(oldSpaceMbFor(100 * 1024 * 1024)).toBe(128);
  });

  it('vigil serve re-executes Node with --max-old-space-size only when a budget is given and no limit is', () => {
    expect(serveHeapArgs(['serve', '--memory-budget', '300MiB'], [], undefined)).toEqual(['--max-old-space-size=180']);
    expect(serveHeapArgs(['serve', '--port', '0', '--memory-budget=1GiB'], ['--enable-source-maps'], '')).toEqual(['--enable-source-maps', '--max-old-space-size=614']);
    expect(serveHeapArgs(['serve'], [], undefined)).toBeNull();
    expect(serveHeapArgs(['import', '--memory-budget', '300MiB'], [], undefined)).toBeNull();
    expect(serveHeapArgs(['serve', '--memory-budget', 'lots'], [], undefined)).toBeNull(); // the flag parser reports it
    expect(serveHeapArgs(['serve', '--memory-budget', '300MiB'], ['--max-old-space-size=999'], undefined)).toBeNull();
    expect(serveHeapArgs(['serve', '--memory-budget', '300MiB'], [], '--trace-gc --max_old_space_size=999')).toBeNull();
  });

  it('recognises the flag in both spellings', () => {
    expect(hasHeapLimit(['--max-old-space-size=1'])).toBe(true);
    expect(hasHeapLimit(['--max_old_space_size=1'])).toBe(true);
    expect(hasHeapLimit(['--max-semi-space-size=1'])).toBe(false);
  });

  it('gives the re-executed engine glibc malloc settings on Linux unless the user tunes malloc', () => {
    expect(mallocEnv({}, 'linux')).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(mallocEnv({ PATH: '/bin' }, 'linux')).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(mallocEnv({ MALLOC_ARENA_MAX: '4' }, 'linux')).toEqual({});
    expect(mallocEnv({ MALLOC_TRIM_THRESHOLD_: '0' }, 'linux')).toEqual({});
    expect(mallocEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=1' }, 'linux')).toEqual({});
    expect(mallocEnv({}, 'darwin')).toEqual({});
    expect(mallocEnv({}, 'win32')).toEqual({});
  });

  it('reexec starts Node again with the heap flag, tells the child its launcher, and answers the child\'s exit code', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const script = join(dir, 'child.mjs');
      const out = join(dir, 'out.json');
      writeFileSync(
        script,
        `import v8 from 'node:v8'; import { writeFileSync } from 'node:fs';
         writeFileSync(process.argv[2], JSON.stringify({ limitMb: v8.getHeapStatistics().heap_size_limit / 1048576, launcher: process.env.VIGIL_LAUNCHER_PID, arenas: process.env.MALLOC_ARENA_MAX ?? null, args: process.argv.slice(3) }));
         process.exit(7);`,
      );
      const code = await reexec(['--max-old-space-size=200'], script, [out, 'serve', '--port', '0']);
      expect(code).toBe(7);
      const seen = JSON.parse(readFileSync(out, 'utf8')) as { limitMb: number; launcher: string; arenas: string | null; args: string[] };
      expect(seen.launcher).toBe(String(process.pid));
      // The malloc settings reach the child (or the test's own environment, which wins).
      expect(seen.arenas).toBe(process.env['MALLOC_ARENA_MAX'] ?? mallocEnv(process.env)['MALLOC_ARENA_MAX'] ?? null);
      expect(seen.args).toEqual(['serve', '--port', '0']);
      // V8 adds its young generation to the old-space limit: about 200 MiB, far from the default.
      expect(seen.limitMb).toBeGreaterThanOrEqual(200);
      expect(seen.limitMb).toBeLessThan(300);
    } finally {
      cleanup();
    }
  });
});
