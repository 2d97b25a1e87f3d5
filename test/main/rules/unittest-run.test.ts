import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
