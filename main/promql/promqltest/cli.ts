/**
 * The conformance runner's command line: runs promqltest scripts (default: every file in
 * ../shared/conformance/promql-testdata, kept beside the checkout; not in this repository) and prints pass / fail / skipped per file, the skip
 * reasons, every failure with file:line and expected vs got, then one summary line.
 * Evals that call experimental functions run by default, as Prometheus' own TestPromql enables
 * `promql-experimental-functions` for these scripts; `--no-experimental` skips them (the flag's
 * off state, as a server without the feature sees them). `vigil conformance` runs
 * it over the real storage; run directly (`node dist/main/promql/promqltest/cli.js`) it uses
 * the in-memory storage.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultScriptFiles, runSuite } from './suite.js';
import type { StorageFactory } from './runner.js';

export async function conformanceCli(argv: string[], storage?: StorageFactory): Promise<number> {
  const experimental = !argv.includes('--no-experimental');
  const paths = argv.filter((a) => a !== '--no-experimental' && a !== '--experimental');
  const files = paths.length > 0 ? paths.map((f) => resolve(f)) : await defaultScriptFiles();
  const summary = await runSuite(files, storage, experimental);
  const reasons = new Map<string, number>();
  for (const r of summary.reports) {
    const count = (s: string): number => r.outcomes.filter((o) => o.status === s).length;
    console.log(`${r.file}: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`);
    if (r.error !== undefined) console.log(`  script error: ${r.error}`);
    for (const o of r.outcomes) if (o.status === 'skip') reasons.set(o.detail, (reasons.get(o.detail) ?? 0) + 1);
  }
  if (reasons.size > 0) {
    console.log('\nskipped, by reason:');
    for (const [why, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${why}`);
  }
  const failures = summary.reports.flatMap((r) => r.outcomes.filter((o) => o.status === 'fail'));
  if (failures.length > 0) {
    console.log('\nfailures:');
    for (const f of failures) console.log(`${f.file}:${f.line}  ${f.expr}\n    ${f.detail}`);
  }
  console.log(`conformance: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
  return summary.failed > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  conformanceCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 2;
    },
  );
}
