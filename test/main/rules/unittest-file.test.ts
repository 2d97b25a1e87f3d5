import { describe, it, expect } from 'vitest';
import { parseRuleTestFile } from '../../../main/rules/unittest-file.js';
import { isStaleNaN } from '../../../main/tsdb/interface.js';
import { labelsFromRecord, labelsToRecord } from '../../../main/tsdb/labels.js';

const good = `rule_files:
  - alerts.yml
evaluation_interval: 1m
group_eval_order: [g1, g2]
tests:
  - interval: 1m
    name: down
    external_labels: {cluster: laptop}
    external_url: http://vigil.local
    input_series:
      - series: 'up{job="node", instance="a:9100"}'
        values: '1 0 0 _ 1+1x3 stale _x2 5-1x2'
    alert_rule_test:
      - eval_time: 5m
        alertname: InstanceDown
        exp_alerts:
          - exp_labels: {severity: critical, instance: "a:9100"}
            exp_annotations: {summary: "a:9100 down"}
    promql_expr_test:
      - expr: up
        eval_time: 1m
        exp_samples:
          - labels: 'up{job="node", instance="a:9100"}'
            value: 0
`;

describe('rule unit-test files', () => {
  it('parses every field and expands values', () => {
    const r = parseRuleTestFile('t.yml', good);
    expect(r.ok ? null : r.errors).toBeNull();
    if (!r.ok) return;
    const f = r.value;
    expect(f.ruleFiles).toEqual(['alerts.yml']);
    expect(f.evaluationIntervalMs).toBe(60_000);
    expect(f.groupEvalOrder).toEqual(['g1', 'g2']);
    const t = f.tests[0];
    expect(t?.name).toBe('down');
    expect(t?.externalLabels).toEqual({ cluster: 'laptop' });
    expect(labelsToRecord(t?.inputSeries[0]?.labels ?? [])).toEqual({ __name__: 'up', job: 'node', instance: 'a:9100' });
    const values = t?.inputSeries[0]?.values.map((v) => (v.omitted ? '_' : isStaleNaN(v.value) ? 'stale' : v.value));
    expect(values).toEqual([1, 0, 0, '_', 1, 2, 3, 4, 'stale', '_', '_', 5, 4, 3]);
    expect(t?.alertRuleTests[0]?.evalTimeMs).toBe(300_000);
    expect(t?.alertRuleTests[0]?.expAlerts[0]?.annotations).toEqual({ summary: 'a:9100 down' });
    expect(t?.promqlExprTests[0]?.expSamples[0]).toEqual({ labels: labelsFromRecord({ __name__: 'up', job: 'node', instance: 'a:9100' }), value: 0 });
  });

  it('expands a+bxN as promtool does (repeated addition: 0.1+0.1x10 ends at 1.0999999999999999)', () => {
    const r = parseRuleTestFile('t.yml', "tests:\n  - input_series:\n      - series: 'x'\n        values: '0.1+0.1x10'\n");
    expect(r.ok && r.value.tests[0]?.inputSeries[0]?.values.at(-1)?.value).toBe(1.0999999999999999);
  });

  it.each([
    ['tests:\n  - intervall: 1m\n', 't.yml: 2:5: field intervall not found in type testGroup'],
    ['evaluation_interval: 1x\n', 't.yml: 1:22: evaluation_interval: not a valid duration string'],
    ["tests:\n  - input_series:\n      - series: 'up{a=~\"b\"}'\n        values: '1'\n", 't.yml: 3:17: series: could not parse series'],
    ["tests:\n  - input_series:\n      - series: 'up'\n        values: '1 x 2'\n", 't.yml: 4:17: values: invalid value "x"'],
    ['tests:\n  - alert_rule_test:\n      - eval_time: 1m\n', 'alertname must be set'],
    ['tests: [\n', 't.yml: yaml:'],
  ])('rejects %j', (text, want) => {
    const r = parseRuleTestFile('t.yml', text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toContain(want);
  });
});
