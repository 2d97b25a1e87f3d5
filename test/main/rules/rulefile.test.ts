import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRuleFile } from '../../../main/rules/rulefile.js';
import { checkRuleFiles, checkRulesCommand } from '../../../main/cli/check-rules.js';
import { UsageError } from '../../../main/cli/command.js';

const good = `groups:
  - name: node
    interval: 30s
    limit: 10
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
        labels: {source: rule}
      - alert: InstanceDown
        expr: up == 0
        for: 5m
        keep_firing_for: 1m
        labels: {severity: critical}
        annotations:
          summary: "{{ $labels.instance }} down"
          description: "{{ $value | humanize }} for {{ humanizeDuration 300.0 }}"
  - name: other
    rules: []
`;

// [name, file text, substring every error list must contain]
const bad: [string, string, string][] = [
  ['dup-group', 'groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n', 'f.yml: 4:5: groupname: "g" is repeated in the same file'],
  ['no-kind', 'groups:\n  - name: g\n    rules:\n      - expr: up\n', `group "g", rule 1, "": one of 'record' or 'alert' must be set`],
  ['both-kinds', 'groups:\n  - name: g\n    rules:\n      - record: a\n        alert: b\n        expr: up\n', `f.yml: 4:17: 5:16: group "g", rule 1, "b": only one of 'record' and 'alert' must be set`],
  ['bad-record-name', 'groups:\n  - name: g\n    rules:\n      - record: "a b"\n        expr: up\n', 'f.yml: 4:17: group "g", rule 1, "a b": invalid recording rule name: a b'],
  ['bad-expr', 'groups:\n  - name: g\n    rules:\n      - record: a\n        expr: sum(up\n', 'f.yml: 5:15: group "g", rule 1, "a": could not parse expression'],
  ['type-error', 'groups:\n  - name: g\n    rules:\n      - record: a\n        expr: rate(up)\n', 'f.yml: 5:15: group "g", rule 1, "a": could not parse expression: 1:'],
  ['bad-expr-2', 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: up{job="x"} + on(\n', 'could not parse expression'],
  ['empty-expr', 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: ""\n', `field 'expr' must be set in rule`],
  ['for-on-record', 'groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n        for: 5m\n', `f.yml: 6:14: group "g", rule 1, "a": invalid field 'for' in recording rule`],
  ['annotations-on-record', 'groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n        annotations: {x: y}\n', `invalid field 'annotations' in recording rule`],
  ['bad-annotation-name', 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: up\n        annotations: {"0x": y}\n', 'invalid annotation name: 0x'],
  ['bad-template', 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: up\n        annotations: {s: "{{ $labels.x "}\n', 'annotation "s": template: __alert_a:1: unclosed action'],
  ['unknown-field', 'groups:\n  - name: g\n    rulez: []\n', 'line 3: field rulez not found in type rulefmt.RuleGroup'],
  ['unknown-rule-field', 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: up\n        fore: 5m\n', 'line 6: field fore not found in type rulefmt.RuleNode'],
  ['bad-duration', 'groups:\n  - name: g\n    interval: 5x\n    rules: []\n', `f.yml: 3:15: group "g": field 'interval': not a valid duration string: "5x"`],
  ['empty-group-name', 'groups:\n  - name: ""\n    rules: []\n', 'Groupname must not be empty'],
  ['unknown-template-func', 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: up\n        annotations: {s: "{{ nope 1 }}"}\n', 'annotation "s": template: __alert_a:1: function "nope" not defined'],
  ['bad-label-template', 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: up\n        labels: {s: "{{ if }}"}\n', 'label "s": template: __alert_a:1: missing value for if'],
  ['label-names', 'groups:\n  - name: g\n    rules:\n      - alert: "a b"\n        expr: up\n        labels: {"a-b": x}\n      - record: "x"\n        expr: up\n        labels: {__name__: y}\n', 'f.yml: group "g", rule 2, "x": invalid label name: __name__'],
  ['negative-for', 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: up\n        for: -5m\n', 'not a valid duration string: "-5m"'],
  ['undefined-template-var', 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: up\n        annotations: {x: "{{ $nope }}"}\n', 'annotation "x": template: __alert_a:1: undefined variable "$nope"'],
  ['yaml-syntax', 'groups:\n  - name: g\n   rules: [\n', 'f.yml: yaml: '],
];

// Accepted by promtool 2.42; the parity test checks we agree.
const goodTemplates = `groups:
  - name: t
    rules:
      - alert: Templates
        expr: up == 0
        labels:
          team: '{{ if eq $labels.job "node" }}infra{{ else }}apps{{ end }}'
        annotations:
          a: '{{ $value | humanize }} {{ humanize1024 1024 }} {{ humanizeDuration 90 }} {{ humanizePercentage 0.5 }}'
          b: '{{ with query "up" }}{{ . | first | value | printf "%.2f" }}{{ end }}'
          c: '{{ range $i, $s := query "up" | sortByLabel "instance" }}{{ $s.Labels.instance }}{{ end }}'
          d: '{{- $x := 1 -}} {{ $x }} {{ toUpper "a" }} {{ title "b" }} {{ reReplaceAll "a(b)" "$1" "ab" }} {{ stripPort "h:1" }}'
          e: '{{ define "x" }}y{{ end }}{{ template "x" }} {{ len $labels }} {{ index $labels "job" }} {{ match "a" "b" }}'
          f: '{{ $externalLabels.env }} {{ $externalURL }} {{ .Value }} {{ .Labels.job }} {{ humanizeTimestamp 0 }} {{ args 1 2 }}'
`;

describe('rule files', () => {
  it('parses a valid file with durations, labels and annotations', () => {
    const r = parseRuleFile('f.yml', good);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.ruleCount).toBe(2);
    const [g1, g2] = r.value.groups;
    expect(g1?.intervalMs).toBe(30_000);
    expect(g1?.limit).toBe(10);
    expect(g1?.labels).toEqual({});
    expect(g2?.intervalMs).toBeNull();
    const alert = g1?.rules[1];
    expect(alert?.kind).toBe('alert');
    if (alert?.kind === 'alert') {
      expect(alert.forMs).toBe(300_000);
      expect(alert.keepFiringForMs).toBe(60_000);
      expect(alert.line).toBe(9);
      expect(alert.annotations['summary']).toBe('{{ $labels.instance }} down');
    }
  });

  it('accepts group labels and query_offset (Prometheus 3.x fields, which promtool 2.42 rejects)', () => {
    const r = parseRuleFile('f.yml', 'groups:\n  - name: g\n    query_offset: 1m\n    labels: {team: infra}\n    rules: []\n');
    expect(r.ok && r.value.groups[0]?.labels).toEqual({ team: 'infra' });
    expect(r.ok && r.value.groups[0]?.queryOffsetMs).toBe(60_000);
  });

  it('accepts the templates Prometheus accepts', () => {
    const r = parseRuleFile('t.yml', goodTemplates);
    expect(r.ok ? r.ruleCount : r.errors).toBe(1);
  });

  it('accepts an empty file with zero rules', () => {
    const r = parseRuleFile('e.yml', '');
    expect(r.ok && r.ruleCount).toBe(0);
  });

  it.each(bad)('rejects %s with file, line and field', (_name, text, want) => {
    const r = parseRuleFile('f.yml', text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toContain(want);
  });

  it('uses an injected expression checker', () => {
    const checkExpr = (e: string) => (e.includes('rate(up)') ? '1:1: expected type range vector in call to function "rate", got instant vector' : null);
    const text = 'groups:\n  - name: g\n    rules:\n      - record: a\n        expr: rate(up)\n';
    const r = parseRuleFile('f.yml', text, { checkExpr });
    expect(r.ok ? '' : r.errors.join('\n')).toContain('could not parse expression: 1:1: expected type range vector');
  });

  it('does not crash on hostile YAML', () => {
    for (const t of ['groups: 5', 'groups: [1, "x"]', '- a', 'groups:\n  - name: [1]\n    rules: {a: 1}', '&a [*a]', 'groups:\n  - name: g\n    rules:\n      - alert: [x]\n        expr: {a: 1}\n']) {
      expect(() => parseRuleFile('h.yml', t)).not.toThrow();
    }
  });
});

describe('vigil check rules', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
    writeFileSync(join(dir, 'good.yml'), good);
    writeFileSync(join(dir, 'good-templates.yml'), goodTemplates);
    bad.forEach(([name, text]) => writeFileSync(join(dir, `${name}.yml`), text));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints promtool-style reports and exits 1 on failure', async () => {
    let out = '';
    let err = '';
    const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s) };
    const code = await checkRuleFiles([join(dir, 'good.yml'), join(dir, 'no-kind.yml'), join(dir, 'missing.yml')], io);
    expect(code).toBe(1);
    expect(out).toContain(`Checking ${join(dir, 'good.yml')}\n  SUCCESS: 2 rules found\n\n`);
    expect(err).toContain(`  FAILED:\n${join(dir, 'no-kind.yml')}:`);
    expect(err).toContain('missing.yml: cannot read the file: ENOENT');
    expect(await checkRuleFiles([join(dir, 'good.yml')], io)).toBe(0);
  });

  it('is the `vigil check rules` command and needs a file', async () => {
    expect(checkRulesCommand.words).toEqual(['check', 'rules']);
    await expect(checkRulesCommand.run([])).rejects.toBeInstanceOf(UsageError);
  });

  const promtool = '/usr/bin/promtool';
  describe.skipIf(!existsSync(promtool))('verdict parity with promtool check rules (skipped: /usr/bin/promtool missing)', () => {
    it.each([['good', good] as const, ['good-templates', goodTemplates] as const, ...bad.map(([n, t]) => [n, t] as const)])('%s', async (name) => {
      const file = join(dir, `${name}.yml`);
      const theirs = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8' }).status;
      const ours = await checkRuleFiles([file], { out: () => {}, err: () => {} });
      expect(ours).toBe(theirs);
    });
  });
});
