import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRuleTestFile } from '../../../main/rules/unittest-run.js';

// The same two files pass `promtool test rules` (Prometheus 2.42): \Q…\E in label_replace and in
// selectors, and (?i) before it.
const rules = String.raw`groups:
  - name: g
    rules:
      - record: host:up
        expr: label_replace(up, "host", "$1", "instance", "\\Qa.b\\E:(.*)")
`;
const tests = String.raw`rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{instance="a.b:9100"}'
        values: '1 1'
      - series: 'up{instance="axb:9100"}'
        values: '1 1'
    promql_expr_test:
      - expr: host:up
        eval_time: 1m
        exp_samples:
          - labels: 'host:up{instance="a.b:9100", host="9100"}'
            value: 1
          - labels: 'host:up{instance="axb:9100"}'
            value: 1
      - expr: 'up{instance=~"(?i)A\\QB\\E.*"}'
        eval_time: 1m
        exp_samples: []
      - expr: 'up{instance=~"(?i)\\QA.B\\E.*"}'
        eval_time: 1m
        exp_samples:
          - labels: 'up{instance="a.b:9100"}'
            value: 1
`;

describe('vigil test rules with Go regex syntax', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('\\Q…\\E works in label_replace and selectors, as in promtool', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-regex-rules-'));
    writeFileSync(join(dir, 'rules.yml'), rules);
    writeFileSync(join(dir, 'test.yml'), tests);
    expect(readFileSync(join(dir, 'rules.yml'), 'utf8')).toContain('\\\\Qa.b\\\\E');
    const r = await runRuleTestFile(join(dir, 'test.yml'));
    expect(r.report).toBe(`Unit Testing:  ${join(dir, 'test.yml')}\n  SUCCESS\n`);
    expect(r.ok).toBe(true);
  });
});
