import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlobPatternError, globFiles, globMatch, hasGlobMeta } from '../../../main/util/glob.js';

/**
 * Go's path/filepath.Match, case by case as its documentation and test table (match_test.go)
 * give them: [pattern, name, matches], or 'bad' where Go returns ErrBadPattern.
 */
const goMatchCases: ReadonlyArray<readonly [string, string, boolean | 'bad']> = [
  ['abc', 'abc', true],
  ['*', 'abc', true],
  ['*c', 'abc', true],
  ['a*', 'a', true],
  ['a*', 'abc', true],
  ['a*', 'ab/c', false],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true],
  ['ab[b-d]', 'abc', true],
  ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false],
  ['ab[^b-d]', 'abc', false],
  ['ab[^e-g]', 'abc', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'ab', false],
  ['a?b', 'a☺b', true],
  ['a[^a]b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['a[^a][^a][^a]b', 'a☺b', false],
  ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
  ['[\\]a]', ']', true],
  ['[\\-]', '-', true],
  ['[x\\-]', 'x', true],
  ['[x\\-]', '-', true],
  ['[x\\-]', 'z', false],
  ['[\\-x]', 'x', true],
  ['[\\-x]', '-', true],
  ['[\\-x]', 'a', false],
  ['[]a]', ']', 'bad'],
  ['[-]', '-', 'bad'],
  ['[x-]', 'x', 'bad'],
  ['[x-]', '-', 'bad'],
  ['[x-]', 'z', 'bad'],
  ['[-x]', 'x', 'bad'],
  ['[-x]', '-', 'bad'],
  ['[-x]', 'a', 'bad'],
  ['\\', 'a', 'bad'],
  ['[a-b-c]', 'a', 'bad'],
  ['[', 'a', 'bad'],
  ['[^', 'a', 'bad'],
  ['[^bc', 'a', 'bad'],
  ['a[', 'a', 'bad'],
  ['a[', 'ab', 'bad'],
  ['a[', 'x', 'bad'],
  ['a/b[', 'x', 'bad'],
  ['*x', 'xxx', true],
  // Go's documentation: `!` does not negate a class (the copies in file_sd treated `[!…]` as `[^…]`).
  ['[!a]', '!', true],
  ['[!a]', 'b', false],
];

describe("globMatch: Go's filepath.Match", () => {
  it.each(goMatchCases)('%s against %s', (pattern, name, want) => {
    if (want === 'bad') expect(() => globMatch(pattern, name)).toThrow(GlobPatternError);
    else expect(globMatch(pattern, name)).toBe(want);
  });

  it('names the pattern in the error', () => {
    expect(() => globMatch('rules/[', 'x')).toThrow('syntax error in pattern "rules/["');
  });

  it('treats the backslash as a pattern character', () => {
    expect(hasGlobMeta('a\\b')).toBe(true);
    expect(hasGlobMeta('/etc/prometheus/rules.yml')).toBe(false);
  });
});

describe("globFiles: Go's filepath.Glob", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-glob-'));
    for (const d of ['a1', 'a2', 'b']) mkdirSync(join(dir, d));
    for (const f of ['a1/x.yml', 'a1/y.yaml', 'a2/x.yml', 'b/x.yml', 'r1.yml', 'r2.yml', 'r10.yml', '*.yml', 'rx.json']) writeFileSync(join(dir, f), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists matches sorted, without crossing /', () => {
    expect(globFiles(join(dir, 'r?.yml'))).toEqual(['r1.yml', 'r2.yml'].map((f) => join(dir, f)));
    expect(globFiles(join(dir, 'r*'))).toEqual(['r1.yml', 'r10.yml', 'r2.yml', 'rx.json'].map((f) => join(dir, f)));
    expect(globFiles(join(dir, '*.yml'))).toEqual(['*.yml', 'r1.yml', 'r10.yml', 'r2.yml'].map((f) => join(dir, f)));
  });

  it('expands patterns in directory parts', () => {
    expect(globFiles(join(dir, 'a?', 'x.yml'))).toEqual([join(dir, 'a1', 'x.yml'), join(dir, 'a2', 'x.yml')]);
    expect(globFiles(join(dir, '[ab]*', '*'))).toEqual(['a1/x.yml', 'a1/y.yaml', 'a2/x.yml', 'b/x.yml'].map((f) => join(dir, f)));
  });

  it('matches a class and an escaped metacharacter', () => {
    expect(globFiles(join(dir, 'r[12].yml'))).toEqual([join(dir, 'r1.yml'), join(dir, 'r2.yml')]);
    expect(globFiles(join(dir, '\\*.yml'))).toEqual([join(dir, '*.yml')]);
  });

  it('returns a literal path only when it exists, and nothing for a missing directory', () => {
    expect(globFiles(join(dir, 'r1.yml'))).toEqual([join(dir, 'r1.yml')]);
    expect(globFiles(join(dir, 'nope.yml'))).toEqual([]);
    expect(globFiles(join(dir, 'missing', '*.yml'))).toEqual([]);
  });

  it('refuses a malformed pattern even when its directory is missing', () => {
    expect(() => globFiles(join(dir, 'missing', '[x-'))).toThrow(GlobPatternError);
  });
});
