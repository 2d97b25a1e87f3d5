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

describe('native histograms in rule unit tests', () => {
  const ruleFile = `groups:
  - name: h
    rules:
      - record: job:req_seconds:count_rate
        expr: histogram_count(sum by (job) (rate(req_seconds[5m])))
      - record: job:req_seconds:rate5m
        expr: sum by (job) (rate(req_seconds[5m]))
      - alert: SlowRequests
        expr: histogram_quantile(0.9, sum by (job) (rate(req_seconds[5m]))) > 0.5
`;
  // Every minute: +4 observations, buckets (0.5,1] +1, (1,2] +1, (2,4] +2 at schema 0; sum +10.
  const testFile = (expected: string) => `rule_files: [h.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'req_seconds{job="api"}'
        values: '{{schema:0 count:0 sum:0}}+{{schema:0 count:4 sum:10 buckets:[1 1 2]}}x10'
      - series: 'req_custom{job="api"}'
        values: '{{schema:-53 count:2 sum:3 custom_values:[1 5] buckets:[1 1]}}x5'
    promql_expr_test:
      - expr: histogram_count(req_seconds)
        eval_time: 5m
        exp_samples: [{labels: '{job="api"}', value: 20}]
      - expr: job:req_seconds:count_rate
        eval_time: 5m
        exp_samples: [{labels: 'job:req_seconds:count_rate{job="api"}', value: 0.06666666666666667}]
      - expr: histogram_count(job:req_seconds:rate5m)
        eval_time: 5m
        exp_samples: [{labels: '{job="api"}', value: 0.06666666666666667}]
      - expr: histogram_sum(job:req_seconds:rate5m)
        eval_time: 5m
        exp_samples: [{labels: '{job="api"}', value: 0.16666666666666666}]
      - expr: req_custom
        eval_time: 2m
        exp_samples:
          - labels: 'req_custom{job="api"}'
            histogram: '${expected}'
    alert_rule_test:
      - alertname: SlowRequests
        eval_time: 6m
        exp_alerts: [{exp_labels: {job: api}}]
`;

  it('reads histogram input_series, records from them (histogram-valued recording rules too), fires on them and compares histogram samples', async () => {
    const d = mkdtempSync(join(dir, 'hist-'));
    writeFileSync(join(d, 'h.yml'), ruleFile);
    writeFileSync(join(d, 'ok.yml'), testFile('{{schema:-53 count:2 sum:3 custom_values:[1 5] buckets:[1 1]}}'));
    const ok = await runRuleTestFile(join(d, 'ok.yml'));
    expect(ok.report).toContain('SUCCESS');
    expect(ok.ok).toBe(true);

    writeFileSync(join(d, 'bad.yml'), testFile('{{schema:-53 count:2 sum:3 custom_values:[1 5] buckets:[2 0]}}'));
    const bad = await runRuleTestFile(join(d, 'bad.yml'));
    expect(bad.ok).toBe(false);
    expect(bad.report).toContain('exp: [{__name__="req_custom", job="api"} {{schema:-53 count:2 sum:3 buckets:{0:2 1:0} custom_values:[1 5]}}]');
    expect(bad.report).toContain('got: [{__name__="req_custom", job="api"} {{schema:-53 count:2 sum:3 buckets:{0:1 1:1} custom_values:[1 5]}}]');

    writeFileSync(join(d, 'float.yml'), testFile('{{schema:-53 count:2 sum:3 custom_values:[1 5] buckets:[1 1]}}').replace(`histogram: '{{schema:-53 count:2 sum:3 custom_values:[1 5] buckets:[1 1]}}'`, 'value: 2'));
    const float = await runRuleTestFile(join(d, 'float.yml'));
    expect(float.ok, 'a float expected where a histogram comes').toBe(false);

    writeFileSync(join(d, 'typo.yml'), testFile('{{schema:-53 bogus:1}}'));
    const typo = await runRuleTestFile(join(d, 'typo.yml'));
    expect(typo.ok).toBe(false);
    expect(typo.report).toMatch(/typo\.yml: \d+:\d+: histogram: could not parse expected histogram "\{\{schema:-53 bogus:1\}\}": unknown histogram field bogus/);
  });
});
