import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandRuleFiles, readRuleFiles } from '../../../main/rules/manager.js';
import { runRuleTestFile } from '../../../main/rules/unittest-run.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-unittest-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runRuleTestFile failure report', () => {
  it('prints evaluation times as promtool does (model.Duration: 5m, 1h30m, 1s500ms, 8d)', async () => {
    writeFileSync(join(dir, 'r.yml'), 'groups:\n  - name: g\n    rules: [{record: a, expr: "vector(1)"}]\n');
    const cases = ['5m', '90m', '1500ms', '8d'].map((t) => `      - expr: vector(2)\n        eval_time: ${t}\n        exp_samples: [{labels: '{}', value: 1}]\n`);
    writeFileSync(
      join(dir, 't.yml'),
      `rule_files: [r.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'x'\n        values: '1'\n    promql_expr_test:\n${cases.join('')}`,
    );
    const r = await runRuleTestFile(join(dir, 't.yml'));
    expect(r.ok).toBe(false);
    // What Debian's promtool 2.42 prints for the same file (`promtool test rules t.yml`).
    const times = [...r.report.matchAll(/expr: "vector\(2\)", time: (\S+),/g)].map((m) => m[1]);
    expect(times).toEqual(['5m', '1h30m', '1s500ms', '8d']);
  });
});

describe('rule_files globs (Go filepath.Glob, main/util/glob.ts)', () => {
  const rules = (name: string) => `groups:\n  - name: ${name}\n    rules: [{record: ${name}, expr: "vector(1)"}]\n`;

  it('loads every file a class pattern names, in the test file and in prometheus.yml', () => {
    const d = mkdtempSync(join(dir, 'glob-'));
    for (const n of ['g1', 'g2', 'g3']) writeFileSync(join(d, `${n}.yml`), rules(n));
    const read = readRuleFiles([join(d, 'g[12].yml')]);
    expect(read.errors).toEqual([]);
    expect(read.files.map((f) => f.file)).toEqual([join(d, 'g1.yml'), join(d, 'g2.yml')]);
    expect(expandRuleFiles([join(d, '*.yml'), join(d, 'none-*.yml')])).toEqual(['g1', 'g2', 'g3'].map((n) => join(d, `${n}.yml`)));
  });

  it('reports a malformed pattern naming it, and a missing literal file', () => {
    const r = readRuleFiles(['/nowhere/[x-', '/nowhere/rules.yml']);
    expect(r.errors[0]).toBe('error retrieving rule files for /nowhere/[x-: syntax error in pattern "/nowhere/[x-"');
    expect(r.errors[1]).toMatch(/^\/nowhere\/rules\.yml: ENOENT/);
  });

  it('runs a unit test whose rule_files use a character class', async () => {
    const d = mkdtempSync(join(dir, 'unit-'));
    writeFileSync(join(d, 'a1.yml'), rules('one'));
    writeFileSync(join(d, 'a2.yml'), rules('two'));
    writeFileSync(
      join(d, 't.yml'),
      "rule_files: ['a[12].yml']\ntests:\n  - interval: 1m\n    input_series: []\n    promql_expr_test:\n      - expr: one + two\n        eval_time: 1m\n        exp_samples: [{labels: '{}', value: 2}]\n",
    );
    const r = await runRuleTestFile(join(d, 't.yml'));
    expect(r.report).toContain('SUCCESS');
    expect(r.ok).toBe(true);
  });
});
