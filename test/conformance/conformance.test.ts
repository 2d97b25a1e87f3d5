/**
 * Runs every upstream promqltest script through our engine (experimental functions included)
 * and compares failures with known-failures.txt: a new failure fails the test, and so does a
 * listed failure that now passes, so the list stays honest.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultScriptFiles, defaultTestdataDir, runSuite } from '../../main/promql/promqltest/suite.js';
import { tsdbStorageFactory } from '../../main/cli/conformance.js';

const here = dirname(fileURLToPath(import.meta.url));
const testdata = defaultTestdataDir();

function knownFailures(): Map<string, string> {
  const known = new Map<string, string>();
  for (const raw of readFileSync(join(here, 'known-failures.txt'), 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+:\d+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`known-failures.txt: malformed line ${JSON.stringify(line)} (want "file:line  reason")`);
    known.set(m[1]!, m[2]!);
  }
  return known;
}

const present = existsSync(testdata);
const inCI = process.env['CI'] === 'true' || process.env['CI'] === '1';

// Prometheus' own promqltest scripts are not part of this repository: they are read from
// ../shared/conformance/promql-testdata beside the checkout (docs/architecture.md, PromQL).
// On a developer's machine without them the suite is skipped and says so; in CI their absence
// is a failure, never a silent pass.
if (!present && inCI) {
  describe('PromQL conformance scripts', () => {
    it('are present (CI must run them)', () => {
      expect.fail(`Prometheus' promqltest scripts are missing at ${testdata}; CI runs with ../shared beside the clone`);
    });
  });
} else if (!present) {
  describe.skip(`PromQL conformance: scripts missing at ${testdata}, skipped on this machine`, () => {
    it('runs the scripts', () => {});
  });
}

describe.runIf(present)(`PromQL conformance (${testdata})`, () => {
  it('fails exactly the evals listed in known-failures.txt', async () => {
    // Through the real storage (SQLite, chunk codecs, head), as users' queries run.
    const summary = await runSuite(await defaultScriptFiles(), tsdbStorageFactory, true);
    expect(summary.reports.filter((r) => r.error !== undefined).map((r) => `${r.file}: ${r.error}`)).toEqual([]);
    const known = knownFailures();
    const outcomes = summary.reports.flatMap((r) => r.outcomes);
    const unexpected = outcomes.filter((o) => o.status === 'fail' && !known.has(`${o.file}:${o.line}`)).map((o) => `${o.file}:${o.line}  ${o.expr}: ${o.detail}`);
    const byKey = new Map(outcomes.map((o) => [`${o.file}:${o.line}`, o]));
    const nowPassing = [...known.keys()].filter((k) => byKey.get(k)?.status !== 'fail');
    expect(unexpected, 'new failures (fix them or list them in known-failures.txt)').toEqual([]);
    expect(nowPassing, 'listed as known failures but no longer failing: remove them from known-failures.txt').toEqual([]);
    expect(summary.passed).toBeGreaterThan(900);
  }, 60_000);
});
