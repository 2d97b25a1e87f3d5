import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatLintProblems, lintPage } from '../../../main/scrape/lint.js';
import { fleetPage } from './parse/pages.js';

const promtool = '/usr/bin/promtool';
const missing = !existsSync(promtool);
if (missing) console.warn(`skipping the promtool comparison: ${promtool} is not installed`);

/** Pages that trip every promlint rule at least once. */
const ruleBreakers = [
  '# HELP http_requests Total.\n',
  '# TYPE http_requests counter\n',
  'http_requests{code="200"} 1\n',
  '# TYPE no_help gauge\n',
  'no_help 1\n',
  '# HELP camelCase_metric x\n',
  '# TYPE camelCase_metric gauge\n',
  'camelCase_metric 1\n',
  '# HELP foo_total x\n',
  '# TYPE foo_total gauge\n',
  'foo_total 1\n',
  '# HELP latency_milliseconds x\n',
  '# TYPE latency_milliseconds gauge\n',
  'latency_milliseconds 1\n',
  '# HELP thing_count x\n',
  '# TYPE thing_count gauge\n',
  'thing_count 1\n',
  '# HELP thing_sum x\n',
  '# TYPE thing_sum gauge\n',
  'thing_sum 1\n',
  '# HELP thing_bucket x\n',
  '# TYPE thing_bucket gauge\n',
  'thing_bucket 1\n',
  '# HELP g_with_le x\n',
  '# TYPE g_with_le gauge\n',
  'g_with_le{le="1"} 1\n',
  'g_with_le{quantile="1"} 1\n',
  '# HELP h_seconds x\n',
  '# TYPE h_seconds histogram\n',
  'h_seconds_bucket{le="1"} 1\n',
  'h_seconds_bucket{le="+Inf"} 1\n',
  'h_seconds_sum 1\n',
  'h_seconds_count 1\n',
  '# HELP colon:metric x\n',
  '# TYPE colon:metric gauge\n',
  'colon:metric 1\n',
  '# HELP my_gauge x\n',
  '# TYPE my_gauge gauge\n',
  'my_gauge 1\n',
  '# HELP req_counter_total x\n',
  '# TYPE req_counter_total counter\n',
  'req_counter_total 1\n',
  '# HELP size_kb x\n',
  '# TYPE size_kb gauge\n',
  'size_kb 1\n',
  '# HELP temp_celsius x\n',
  '# TYPE temp_celsius gauge\n',
  'temp_celsius 1\n',
  '# HELP l_metric x\n',
  '# TYPE l_metric gauge\n',
  'l_metric{camelLabel="1"} 1\n',
  '# HELP ratio_percent x\n',
  '# TYPE ratio_percent gauge\n',
  'ratio_percent 1\n',
  '# HELP time_minutes x\n',
  '# TYPE time_minutes gauge\n',
  'time_minutes 1\n',
  '# HELP s_info x\n',
  '# TYPE s_info summary\n',
  's_info{quantile="0.5"} 1\n',
  's_info_sum 1\n',
  's_info_count 1\n',
  '# HELP u_metric x\n',
  'u_metric 1\n',
  '# HELP dur_sec x\n',
  '# TYPE dur_sec gauge\n',
  'dur_sec 1\n',
  '# HELP bytes_total_total x\n',
  '# TYPE bytes_total_total counter\n',
  'bytes_total_total 1\n',
].join('');
// One unit per name: with two, promtool's pick depends on Go's random map order.
const moreRuleBreakers = [
  '# HELP a_ms_s x\n',
  '# TYPE a_ms_s gauge\n',
  'a_ms_s 1\n',
  '# HELP l x\n',
  '# TYPE l gauge\n',
  'l{fooBar="1"} 1\n',
  'l{fooBar="2"} 1\n',
  'l{fooBar="2"} 1\n',
  '# HELP milli_kilometers x\n',
  '# TYPE milli_kilometers gauge\n',
  'milli_kilometers 1\n',
  '# HELP x_fahrenheit x\n',
  '# TYPE x_fahrenheit gauge\n',
  'x_fahrenheit 1\n',
  'nohelp_untyped 3\n',
  '# TYPE h histogram\n',
  'h_bucket{le="1"} 1\n',
  'h_sum 1\n',
  'h_count 1\n',
  '# HELP h2 x\n',
  '# TYPE h2 histogram\n',
  'h2_bucket{quantile="1",le="1"} 1\n',
  '# HELP cc x\n',
  '# TYPE cc counter\n',
  'cc 1\n',
  '# HELP x_kelvins x\n',
  '# TYPE x_kelvins gauge\n',
  'x_kelvins 1\n',
].join('');

const lint = (page: string) => formatLintProblems(lintPage(Buffer.from(page)).problems);

describe('lint view', () => {
  it('reports promlint problems in promtool wording and order', () => {
    const out = lint(ruleBreakers);
    expect(out).toContain('http_requests counter metrics should have "_total" suffix\n');
    expect(out).toContain('latency_milliseconds use base unit "seconds" instead of "milliseconds"\n');
    expect(out).toContain("camelCase_metric metric names should be written in 'snake_case' not 'camelCase'\n");
    expect(out).toContain('no_help no help text\n');
    expect(out).not.toContain('h_seconds');
    const metrics = out.trim().split('\n').map((l) => l.split(' ')[0]!);
    expect(metrics).toEqual([...metrics].sort());
  });

  it('is clean for a well-formed OpenMetrics page', () => {
    const om = '# TYPE a_seconds histogram\n# HELP a_seconds x\na_seconds_bucket{le="1"} 1\na_seconds_bucket{le="+Inf"} 1\na_seconds_sum 1\na_seconds_count 1\n# TYPE b counter\n# HELP b x\nb_total 1\nb_created 1\n# EOF\n';
    expect(lintPage(Buffer.from(om), 'application/openmetrics-text').problems).toEqual([]);
  });

  it('returns the parse error with its line', () => {
    const r = lintPage(Buffer.from('# HELP a x\na 1\nb{ 2\n'));
    expect(r.error).toBe('line 3: expected label name, got "2"');
  });
});

describe.skipIf(missing)('lint view against promtool check metrics', () => {
  const pages: [string, string][] = [
    ['rule breakers', ruleBreakers],
    ['more rule breakers', moreRuleBreakers],
    ['W-fleet page', fleetPage(300, 'prometheus')],
  ];
  it.each(pages)('agrees with promtool on the %s', (_name, page) => {
    const res = spawnSync(promtool, ['check', 'metrics'], { input: page, encoding: 'utf8' });
    const theirs = (res.stdout + res.stderr).split('\n').filter((l) => l !== '').sort();
    const ours = lint(page).split('\n').filter((l) => l !== '').sort();
    expect(ours).toEqual(theirs);
    expect(ours.length).toBeGreaterThan(0);
  });
});
