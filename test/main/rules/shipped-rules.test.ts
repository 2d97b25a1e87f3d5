// The default rules Vigil ships run their own promtool-format unit tests (`vigil test rules`),
// and each shipped alert is covered by at least one test that expects it to fire.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { runRuleTestFile } from '../../../main/rules/unittest-run.js';
import { shippedRulesFile } from '../../../main/config/default-config.js';

const testFile = shippedRulesFile.replace(/\.rules\.yml$/, '.test.yml');

describe('shipped default rules', () => {
  it('pass their unit tests', async () => {
    const r = await runRuleTestFile(testFile);
    expect(r.report).not.toMatch(/FAILED/);
    expect(r.ok).toBe(true);
  });

  it.skipIf(!existsSync('/usr/bin/promtool'))('pass the same tests under Prometheus 2.42 promtool', () => {
    // Throws (non-zero exit) when promtool finds a failing test.
    const out = execFileSync('/usr/bin/promtool', ['test', 'rules', testFile], { cwd: dirname(testFile), encoding: 'utf8' });
    expect(out).toContain('SUCCESS');
  });

  it('have a firing test for every alert', () => {
    const rules = parse(readFileSync(shippedRulesFile, 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string }> }> };
    const tests = parse(readFileSync(testFile, 'utf8')) as { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }> };
    const alerts = new Set(rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter((a): a is string => a !== undefined));
    const firing = new Set(tests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect([...alerts].filter((a) => !firing.has(a))).toEqual([]);
  });
});
