// The figures a bench leaves for `node build/bench/summary.js`: one JSON file per bench,
// test-results/bench/<name>.json = { bench, at (ISO UTC), load (1/5/15-minute load averages when it
// ended), figures }. Each bench calls writeFigures once at its end; the shape of `figures` is the
// bench's own and is listed in docs/benchmarks.md ("The issue #18 table").
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './vigil-system.js';

export const figuresDir = join(repoRoot, 'test-results', 'bench');

export function writeFigures(name, figures, dir = figuresDir) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ bench: name, at: new Date().toISOString(), load: loadavg(), figures }, null, 2) + '\n');
  return file;
}

/** A bench's last figures, or null when it has not written any (or the file is not JSON). */
export function readFigures(name, dir = figuresDir) {
  const file = join(dir, `${name}.json`);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    process.stderr.write(`${file}: not readable as JSON (${err.message}); its figures count as not measured\n`);
    return null;
  }
}
