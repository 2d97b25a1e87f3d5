/** Runs a set of script files and summarises them; shared by the CLI and the vitest regression. */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseExpr } from '../../../app/promql/parser.js';
import type { Expr } from '../../../app/promql/ast.js';
import { MemoryStorage } from '../../tsdb/memory-storage.js';
import type { EvalOutcome, ScriptReport, StorageFactory } from './runner.js';
import { runScript } from './runner.js';

/** The repository root: the nearest ancestor of this file holding package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (no package.json above the runner)');
    dir = up;
  }
  return dir;
}

export function defaultTestdataDir(): string {
  return resolve(repoRoot(), '../shared/conformance/promql-testdata');
}

export async function defaultScriptFiles(): Promise<string[]> {
  const dir = defaultTestdataDir();
  const names = (await readdir(dir)).filter((n) => n.endsWith('.test')).sort();
  return names.map((n) => join(dir, n));
}

export const memoryStorageFactory: StorageFactory = () => {
  const m = new MemoryStorage();
  return { queryable: m, appendable: m };
};

/** Prometheus' TestPromql enables its experimental PromQL features for these scripts; so do we. */
const conformanceParse = (q: string): Expr => parseExpr(q, { enableExperimental: true, enableExtendedRangeSelectors: true });

export interface SuiteSummary {
  readonly reports: ScriptReport[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export async function runSuite(files: readonly string[], storage: StorageFactory = memoryStorageFactory, experimental = false): Promise<SuiteSummary> {
  const reports: ScriptReport[] = [];
  for (const f of files) {
    const text = await readFile(f, 'utf8');
    reports.push(await runScript(basename(f), text, { storage, parse: conformanceParse, experimental }));
  }
  const all: EvalOutcome[] = reports.flatMap((r) => r.outcomes);
  return {
    reports,
    passed: all.filter((o) => o.status === 'pass').length,
    failed: all.filter((o) => o.status === 'fail').length + reports.filter((r) => r.error !== undefined).length,
    skipped: all.filter((o) => o.status === 'skip').length,
  };
}
