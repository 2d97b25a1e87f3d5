/**
 * File name patterns as Prometheus reads them (`rule_files`, `file_sd_configs.files`, the
 * `rule_files` of rule unit tests): Go's `path/filepath.Match` and `Glob` on Unix.
 *
 *   `*`        any run of characters except `/`
 *   `?`        one character (code point) except `/`
 *   `[…]`      a non-empty class: `c`, `lo-hi`, `\c`; `[^…]` negates (`!` is not special)
 *   `\c`       the character c
 *
 * A malformed pattern (an unclosed `[`, an empty class, a `-` without both ends, a trailing `\`)
 * is an error for every name, as in Go ≥ 1.16, so a bad pattern is reported at config load rather
 * than matching nothing. Matching walks the pattern as Go does (no regular expression), so a
 * pattern's cost is bounded by its length times the name's.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Go's filepath.ErrBadPattern, naming the pattern. */
export class GlobPatternError extends Error {
  constructor(readonly pattern: string) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}`);
  }
}

/** Go's magicChars on Unix: a path with none of them is taken literally. */
export function hasGlobMeta(path: string): boolean {
  return /[*?[\\]/.test(path);
}

type Chunk = { star: boolean; chunk: readonly string[] };

/** Splits a pattern (as code points) into `*`-led chunks, like Go's scanChunk. */
function chunks(p: readonly string[]): Chunk[] {
  const out: Chunk[] = [];
  let i = 0;
  while (i < p.length) {
    let star = false;
    while (i < p.length && p[i] === '*') {
      i++;
      star = true;
    }
    let inRange = false;
    let j = i;
    scan: for (; j < p.length; j++) {
      switch (p[j]) {
        case '\\':
          if (j + 1 < p.length) j++;
          break;
        case '[':
          inRange = true;
          break;
        case ']':
          inRange = false;
          break;
        case '*':
          if (!inRange) break scan;
          break;
      }
    }
    out.push({ star, chunk: p.slice(i, j) });
    i = j;
  }
  return out;
}

/** One character of a class (after an optional `\`); null when the class is malformed there. */
function classChar(c: readonly string[], i: number): [string, number] | null {
  if (i >= c.length || c[i] === '-' || c[i] === ']') return null;
  if (c[i] === '\\') {
    if (i + 1 >= c.length) return null;
    return [c[i + 1]!, i + 2];
  }
  return [c[i]!, i + 1];
}

const cp = (s: string): number => s.codePointAt(0)!;

/**
 * Matches `chunk` (no `*` outside classes) against the start of `s`: the rest of `s`, or null on
 * a mismatch. Throws on a malformed chunk only once it is reached; `validate` walks every chunk.
 */
function matchChunk(chunk: readonly string[], s: readonly string[], pattern: string): readonly string[] | null {
  let failed = false;
  let si = 0;
  let i = 0;
  while (i < chunk.length) {
    if (!failed && si >= s.length) failed = true;
    const c = chunk[i]!;
    if (c === '[') {
      const r = failed ? '' : s[si]!;
      if (!failed) si++;
      i++;
      const negated = chunk[i] === '^';
      if (negated) i++;
      let match = false;
      let n = 0;
      for (;;) {
        if (i < chunk.length && chunk[i] === ']' && n > 0) {
          i++;
          break;
        }
        const lo = classChar(chunk, i);
        if (lo === null) throw new GlobPatternError(pattern);
        let hi = lo;
        i = lo[1];
        if (chunk[i] === '-') {
          const h = classChar(chunk, i + 1);
          if (h === null) throw new GlobPatternError(pattern);
          hi = h;
          i = h[1];
        }
        if (!failed && cp(lo[0]) <= cp(r) && cp(r) <= cp(hi[0])) match = true;
        n++;
      }
      if (match === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[si] === '/') failed = true;
        si++;
      }
      i++;
    } else if (c === '\\') {
      i++;
      if (i >= chunk.length) throw new GlobPatternError(pattern);
      if (!failed && chunk[i] !== s[si]) failed = true;
      if (!failed) si++;
      i++;
    } else {
      if (!failed && c !== s[si]) failed = true;
      if (!failed) si++;
      i++;
    }
  }
  return failed ? null : s.slice(si);
}

/** Throws GlobPatternError when any part of the pattern is malformed. */
function validate(parts: readonly Chunk[], pattern: string): void {
  for (const { chunk } of parts) matchChunk(chunk, [], pattern);
}

/** Go's filepath.Match: whether all of `name` matches `pattern`. Throws GlobPatternError on a malformed pattern. */
export function globMatch(pattern: string, name: string): boolean {
  const parts = chunks(Array.from(pattern));
  validate(parts, pattern);
  let s: readonly string[] = Array.from(name);
  outer: for (let k = 0; k < parts.length; k++) {
    const { star, chunk } = parts[k]!;
    const last = k === parts.length - 1;
    if (star && chunk.length === 0) return !s.includes('/'); // a trailing `*`
    const t = matchChunk(chunk, s, pattern);
    if (t !== null && (t.length === 0 || !last)) {
      s = t;
      continue;
    }
    if (star) {
      // Try to match at each later position, never across a separator.
      for (let i = 0; i < s.length && s[i] !== '/'; i++) {
        const t2 = matchChunk(chunk, s.slice(i + 1), pattern);
        if (t2 !== null && (!last || t2.length === 0)) {
          s = t2;
          continue outer;
        }
      }
    }
    return false;
  }
  return s.length === 0;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function globIn(dir: string, pattern: string, out: string[]): void {
  if (!isDir(dir)) return;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names.sort()) if (globMatch(pattern, n)) out.push(join(dir, n));
}

/**
 * Go's filepath.Glob: the existing paths that match, sorted per directory; patterns may be used
 * in directory parts too. A path without pattern characters is returned only if it exists.
 * Throws GlobPatternError on a malformed pattern.
 */
export function globFiles(pattern: string): string[] {
  globMatch(pattern, '');
  if (!hasGlobMeta(pattern)) {
    try {
      lstatSync(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const slash = pattern.lastIndexOf('/');
  const file = pattern.slice(slash + 1);
  const rawDir = slash < 0 ? '' : pattern.slice(0, slash + 1);
  const dir = rawDir === '' ? '.' : rawDir === '/' ? '/' : rawDir.slice(0, -1);
  const out: string[] = [];
  if (!hasGlobMeta(dir)) {
    globIn(dir, file, out);
    return out;
  }
  if (dir === pattern) throw new GlobPatternError(pattern);
  for (const d of globFiles(dir)) globIn(d, file, out);
  return out;
}

/**
 * The files a configured path names: a literal path as given (so a missing file is reported
 * by whoever reads it), a pattern expanded by globFiles (matching nothing is not an error).
 */
export function configuredFiles(path: string): string[] {
  return hasGlobMeta(path) ? globFiles(path) : [path];
}
