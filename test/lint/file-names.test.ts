import { execFileSync } from 'node:child_process';
import { basename, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// One naming convention (docs/architecture.md, "House style"): source files are kebab-case
// (`head-client.ts`, `loop-append.test.ts`); React component files are PascalCase (`Editor.tsx`).
const kebab = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*\.(?:ts|tsx|js|mjs|cjs)$/;
const component = /^[A-Z][A-Za-z0-9]*\.tsx$/;

describe('file names', () => {
  it('every source file under app/, main/, renderer/, test/ and build/ is kebab-case (components PascalCase)', () => {
    const root = resolve(import.meta.dirname, '../..');
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'app', 'main', 'renderer', 'test', 'build'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\.(ts|tsx|js|mjs|cjs)$/.test(f));
    expect(files.length).toBeGreaterThan(300);
    expect(files.filter((f) => !kebab.test(basename(f)) && !component.test(basename(f)))).toEqual([]);
  });
});
