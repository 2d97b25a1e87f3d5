import { describe, it, expect } from 'vitest';
import { expandTemplate, type TemplateData } from '../../../main/rules/template.js';
import { formatG, sprintf } from '../../../main/rules/template-format.js';

const data: TemplateData = {
  labels: { instance: 'web-1:9100', job: 'node', severity: 'critical' },
  value: 0.123456,
  externalLabels: { cluster: 'laptop' },
  externalURL: 'http://vigil.local:9090',
};

async function run(text: string, d: TemplateData = data, query?: (q: string) => Promise<{ Labels: Record<string, string>; Value: number }[]>): Promise<string> {
  const r = await expandTemplate(text, d, 'test', query ? { query } : {});
  if (!r.ok) throw new Error(r.error);
  return r.text;
}

// Examples from Prometheus' docs (alerting/template_examples) and template_test.go.
const table: [string, string][] = [
  ['{{ $labels.instance }} of job {{ $labels.job }} is down', 'web-1:9100 of job node is down'],
  ['{{ .Labels.job }}/{{ .Value }}', 'node/0.123456'],
  ['{{ $externalLabels.cluster }} {{ $externalURL }}', 'laptop http://vigil.local:9090'],
  ['{{ $labels.missing }}|', '|'],
  ['{{ 1 }}', '1'],
  ['{{ 1000000.0 }}', '1e+06'],
  ['{{ 1000000 }}|{{ 1e6 }}|{{ 0x10 }}|{{ -3 }}', '1000000|1e+06|16|-3'],
  ['{{ if gt $value 0 }}pos{{ end }}|{{ if eq 1 1.0 }}same{{ end }}|{{ printf "%d %v %T" 3 3 3 }}', 'pos|same|3 3 int'],
  ['{{ 1.5 }}', '1.5'],
  ['{{ "x" | toUpper }}', 'X'],
  ['{{ humanize 1234567.0 }}', '1.235M'],
  ['{{ humanize 0.0 }}|{{ humanize 1.0 }}|{{ humanize 12.0 }}|{{ humanize 123.0 }}|{{ humanize 1234.0 }}|{{ humanize 12345.0 }}|{{ humanize 123456.0 }}', '0|1|12|123|1.234k|12.35k|123.5k'],
  ['{{ humanize 1234567890.0 }}|{{ humanize 1e+25 }}|{{ humanize 1e+28 }}', '1.235G|10Y|1e+04Y'],
  ['{{ humanize 0.1 }}|{{ humanize 0.0001 }}|{{ humanize 0.12345 }}|{{ humanize 1e-9 }}|{{ humanize 1e-25 }}', '100m|100u|123.5m|1n|0.1y'],
  ['{{ humanize1024 0.0 }}|{{ humanize1024 1.0 }}|{{ humanize1024 1048576.0 }}|{{ humanize1024 1024.0 }}|{{ humanize1024 1.2e+25 }}', '0|1|1Mi|1ki|9.926Yi'],
  ['{{ humanizeDuration 0.0 }}|{{ humanizeDuration 1.0 }}|{{ humanizeDuration 60.0 }}|{{ humanizeDuration 3600.0 }}|{{ humanizeDuration 86400.0 }}|{{ humanizeDuration 90061.0 }}', '0s|1s|1m 0s|1h 0m 0s|1d 0h 0m 0s|1d 1h 1m 1s'],
  ['{{ humanizeDuration 0.1 }}|{{ humanizeDuration 0.0001 }}|{{ humanizeDuration 0.12345 }}|{{ humanizeDuration 60.1 }}|{{ humanizeDuration 1.2345 }}|{{ humanizeDuration -90061.0 }}', '100ms|100us|123.5ms|1m 0s|1.234s|-1d 1h 1m 1s'],
  ['{{ humanizePercentage 0.0 }}|{{ humanizePercentage 0.1234567 }}|{{ humanizePercentage 5.0 }}', '0%|12.35%|500%'],
  ['{{ humanizeTimestamp 1435065584.128 }}', '2015-06-23 13:19:44.128 +0000 UTC'],
  ['{{ humanizeTimestamp 0.0 }}', '1970-01-01 00:00:00 +0000 UTC'],
  ['{{ $value | humanizePercentage }}', '12.35%'],
  ['{{ "1234" | humanize }}', '1.234k'],
  ['{{ title "aa bb-cc" }}|{{ toLower "AbC" }}', 'Aa Bb-Cc|abc'],
  ['{{ reReplaceAll "(a)(b)" "$2${1}" "xabyab" }}', 'xbaybа'.replace('а', 'a')],
  ['{{ if match "^web" $labels.instance }}yes{{ else }}no{{ end }}', 'yes'],
  ['{{ stripPort $labels.instance }}|{{ stripPort "[::1]:80" }}|{{ stripPort "host" }}', 'web-1|::1|host'],
  ['{{ printf "%.2f" 3.14159 }}|{{ printf "%d items" 3 }}|{{ printf "%s=%q" "a" "b" }}|{{ printf "%x" 255 }}|{{ printf "%v" 1e21 }}', '3.14|3 items|a="b"|ff|1e+21'],
  ['{{ printf "%5.1f|%-4d|%05d" 2.25 7 42 }}', '  2.2|7   |00042'],
  ['{{- " a " -}}  \n  {{ "b" }}  {{- "c" }}', ' a bc'],
  ['x  {{- /* comment */ -}}  y', 'xy'],
  ['{{ if gt $value 0.5 }}high{{ else if gt $value 0.1 }}mid{{ else }}low{{ end }}', 'mid'],
  ['{{ if and (eq $labels.job "node") (ne $labels.severity "info") }}ok{{ end }}', 'ok'],
  ['{{ if not (eq 1 2 3 1) }}no{{ else }}member{{ end }}', 'member'],
  ['{{ with $labels.severity }}sev={{ . }}{{ end }}{{ with $labels.nothing }}x{{ else }}none{{ end }}', 'sev=criticalnone'],
  ['{{ $x := 5 }}{{ $x = 6 }}{{ $x }}', '6'],
  ['{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}', 'instance=web-1:9100;job=node;severity=critical;'],
  ['{{ len $labels }}|{{ len "héllo" }}|{{ index $labels "job" }}', '3|6|node'],
  ['{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" "hi" }}', '[hi]'],
  ['{{ with args 1 "b" }}{{ .arg0 }}{{ .arg1 }}{{ end }}', '1b'],
  ['{{ graphLink "up == 0" }}', '/graph?g0.expr=up+%3D%3D+0&g0.tab=0'],
  ['{{ range $i, $e := args "a" "b" "c" }}{{ if eq $e "b" }}{{ continue }}{{ end }}{{ if eq $e "c" }}{{ break }}{{ end }}{{ $i }}{{ end }}', 'arg0'],
  ['{{ range 0 }}x{{ else }}empty{{ end }}', 'empty'],
  ['{{ safeHtml "<b>" }}', '<b>'],
  ['{{ parseDuration "1m30s" }}', '90'],
];

describe('rule templates', () => {
  it.each(table)('%s', async (text, want) => {
    expect(await run(text)).toBe(want);
  });

  it('runs query with first/value/label/sortByLabel/strvalue', async () => {
    const query = async (q: string) => {
      expect(q).toBe('up{job="node"}');
      return [
        { Labels: { instance: 'b', __value__: 'two' }, Value: 2 },
        { Labels: { instance: 'a', __value__: 'one' }, Value: 1 },
      ];
    };
    const t = '{{ with query "up{job=\\"node\\"}" }}{{ . | first | value }}/{{ . | first | label "instance" }}{{ end }}|{{ range query "up{job=\\"node\\"}" | sortByLabel "instance" }}{{ .Labels.instance }}={{ .Value }},{{ end }}|{{ query "up{job=\\"node\\"}" | first | strvalue }}';
    expect(await run(t, data, query)).toBe('2/b|a=1,b=2,|two');
  });

  it('reports first() on an empty result and a missing query engine', async () => {
    const r = await expandTemplate('{{ query "x" | first }}', data, 'a', { query: async () => [] });
    expect(r.ok ? '' : r.error).toContain('first() called on vector with no elements');
    const r2 = await expandTemplate('{{ query "x" }}', data, 'a');
    expect(r2.ok ? '' : r2.error).toContain('no query engine');
  });

  it.each([
    ['{{ $labels.x ', 'unclosed action'],
    ['{{ if 1 }}x', 'unexpected EOF'],
    ['{{ end }}', 'unexpected {{end}}'],
    ['{{ nosuch 1 }}', 'function "nosuch" not defined'],
    ['line1\n{{ $undefined }}', 'template: test:2: undefined variable "$undefined"'],
    ['{{ if 1 }}{{ $x := 1 }}{{ end }}{{ $x }}', 'undefined variable "$x"'],
    ['{{ $y = 1 }}', 'undefined variable "$y"'],
    ['line1\n  {{ lt 1 "x" }}', 'template: test:2:6: executing "test": error calling lt: incompatible types'],
    ['{{ "unterminated }}', 'unterminated quoted string'],
    ['{{ template "nope" }}', 'no such template "nope"'],
    ['{{ lt 1 "a" }}', 'incompatible types'],
  ])('reports %j with position', async (text, msg) => {
    const r = await expandTemplate(text, data, 'test');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(msg);
  });

  it('bounds execution: recursion, loops and output', async () => {
    const rec = await expandTemplate('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" }}', data, 't');
    expect(rec.ok ? '' : rec.error).toMatch(/depth/);
    const loop = await expandTemplate('{{ range 1000000 }}{{ range 1000000 }}x{{ end }}{{ end }}', data, 't', { maxSteps: 10_000 });
    expect(loop.ok ? '' : loop.error).toMatch(/steps/);
    const big = await expandTemplate('{{ range 100000 }}xxxxxxxxxx{{ end }}', data, 't', { maxOutputBytes: 1000 });
    expect(big.ok ? '' : big.error).toMatch(/output exceeds/);
    const deep = await expandTemplate('{{ if 1 }}'.repeat(500) + '{{ end }}'.repeat(500), data, 't');
    expect(deep.ok ? '' : deep.error).toMatch(/nesting deeper/);
  });

  it('formats floats like Go %v and %g', () => {
    const cases: [number, string][] = [[1.5, '1.5'], [1e6, '1e+06'], [100000, '100000'], [123456789, '1.23456789e+08'], [0.0001, '0.0001'], [0.00001, '1e-05'], [-2.5, '-2.5'], [NaN, 'NaN'], [Infinity, '+Inf'], [-Infinity, '-Inf'], [1e21, '1e+21']];
    for (const [v, s] of cases) expect(formatG(v)).toBe(s);
    expect(formatG(12345, 4)).toBe('1.234e+04'); // exact tie: Go rounds half to even
    expect(formatG(12355, 4)).toBe('1.236e+04');
    expect(sprintf('%.0f|%.0f|%.1f', [2.5, 3.5, 0.25])).toBe('2|4|0.2');
    expect(formatG(1234, 4)).toBe('1234');
    expect(formatG(0.5, 4)).toBe('0.5');
    expect(sprintf('%d %s', [1])).toBe('1 %!s(MISSING)');
    expect(sprintf('%d', ['x'])).toBe('%!d(string=x)');
  });
});
