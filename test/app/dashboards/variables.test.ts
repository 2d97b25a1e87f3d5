import { describe, expect, it } from 'vitest';
import {
  allValue,
  applyVariableRegex,
  calculateInterval,
  datasourceUid,
  dependants,
  dependencyOrder,
  interpolate,
  parseCustomOptions,
  parseVariableQuery,
  queryResultText,
  queryStep,
  resolveVariables,
  roundInterval,
  secondsToHms,
  sortOptions,
  type ResolvedVariable,
  type VariableModel,
  type VariableSource,
} from '../../../app/dashboards/variables.js';

const variable = (name: string, selected: string[], opts: Partial<ResolvedVariable> = {}): ResolvedVariable => ({
  name,
  type: 'custom',
  multi: false,
  includeAll: false,
  customAll: null,
  options: selected.map((s) => ({ text: s, value: s })),
  selected,
  error: null,
  ...opts,
});
const scope = (...vs: ResolvedVariable[]) => ({ variables: new Map(vs.map((v) => [v.name, v])) });

describe('interpolation syntax (Grafana templateSrv)', () => {
  const s = scope(variable('test', ['oogle']));
  it('$var, ${var}, [[var]] all substitute', () => {
    expect(interpolate('this.$test.filters', s)).toBe('this.oogle.filters');
    expect(interpolate('this.${test}.filters', s)).toBe('this.oogle.filters');
    expect(interpolate('this.[[test]].filters', s)).toBe('this.oogle.filters');
    expect(interpolate('this.[[test:raw]].filters', s)).toBe('this.oogle.filters');
  });
  it('leaves unknown variables as written', () => {
    expect(interpolate('up{job="$nope"}', s)).toBe('up{job="$nope"}');
  });
  it('formats multi-value: regex, pipe, csv, raw, glob, json', () => {
    const m = scope(variable('test', ['value1', 'value2'], { multi: true }));
    expect(interpolate('${test:regex}', m)).toBe('(value1|value2)');
    expect(interpolate('${test:pipe}', m)).toBe('value1|value2');
    expect(interpolate('${test:csv}', m)).toBe('value1,value2');
    expect(interpolate('${test:raw}', m)).toBe('value1,value2');
    expect(interpolate('${test:glob}', m)).toBe('{value1,value2}');
    expect(interpolate('${test:json}', m)).toBe('["value1","value2"]');
  });
  it(':regex escapes regex metacharacters (kbn.regexEscape)', () => {
    expect(interpolate('${test:regex}', scope(variable('test', ['a.b*c'])))).toBe('a\\.b\\*c');
  });
  it('${var:text} gives option texts', () => {
    const v = variable('host', ['h1'], { options: [{ text: 'Host one', value: 'h1' }] });
    expect(interpolate('${host:text}', scope(v), 'text')).toBe('Host one');
  });
});

describe('Prometheus data source escaping (interpolateQueryExpr)', () => {
  it('single-value, not multi, not include-All: unchanged apart from string escapes', () => {
    expect(interpolate('up{job="$v"}', scope(variable('v', ['abc'])))).toBe('up{job="abc"}');
    expect(interpolate('$v', scope(variable('v', ["it's"])))).toBe("it\\\\'s");
  });
  it('multi with several values: regex-escaped, joined (a|b)', () => {
    const v = variable('v', ['a|bc', 'de|f'], { multi: true });
    expect(interpolate('$v', scope(v))).toBe('(a\\\\|bc|de\\\\|f)');
  });
  it('multi with one value: regex-escaped, no parentheses', () => {
    expect(interpolate('$v', scope(variable('v', ['looking*glass'], { multi: true })))).toBe('looking\\\\*glass');
  });
  it('All without a custom value: every option, joined', () => {
    const v = variable('v', [allValue], { includeAll: true, options: [{ text: 'a.1', value: 'a.1' }, { text: 'b', value: 'b' }] });
    expect(interpolate('up{instance=~"$v"}', scope(v))).toBe('up{instance=~"(a\\\\.1|b)"}');
  });
  it('All with a custom all value: sent as written, even with a format', () => {
    const v = variable('v', [allValue], { includeAll: true, customAll: '.*', options: [{ text: 'a', value: 'a' }] });
    expect(interpolate('up{job=~"$v"}', scope(v))).toBe('up{job=~".*"}');
    expect(interpolate('${v:regex}', scope(v))).toBe('.*');
  });
});

describe('intervals (Grafana rangeutil)', () => {
  it('roundInterval snaps to Grafana’s ladder', () => {
    expect(roundInterval(5)).toBe(1);
    expect(roundInterval(3600)).toBe(5000);
    expect(roundInterval(13_000)).toBe(15_000);
    expect(roundInterval(100_000)).toBe(120_000);
    expect(roundInterval(4e9)).toBe(31536000000);
  });
  it('secondsToHms picks the largest whole unit', () => {
    expect(secondsToHms(15)).toBe('15s');
    expect(secondsToHms(120)).toBe('2m');
    expect(secondsToHms(0.5)).toBe('500ms');
    expect(secondsToHms(86400 * 2)).toBe('2d');
  });
  it('calculateInterval: range / resolution, rounded, floored by the low limit', () => {
    expect(calculateInterval(3_600_000, 1000)).toEqual({ intervalMs: 5000, interval: '5s' });
    expect(calculateInterval(3_600_000, 1000, '15s')).toEqual({ intervalMs: 15000, interval: '15s' });
    expect(calculateInterval(86_400_000, 30, '10s')).toEqual({ intervalMs: 3_600_000, interval: '1h' });
  });
  it('$__interval, $__rate_interval and $__range for a 1h panel 1000 px wide over a 15s scrape', () => {
    const q = queryStep({ fromMs: 0, toMs: 3_600_000, maxDataPoints: 1000, scrapeInterval: '15s' });
    expect(q.stepMs).toBe(15_000);
    expect(q.builtins).toEqual({
      __interval: '15s',
      __interval_ms: '15000',
      __rate_interval: '60s', // max(15 + 15, 4 × 15)
      __range: '3600s',
      __range_s: '3600',
      __range_ms: '3600000',
    });
  });
  it('$__rate_interval grows with the interval: max(interval + scrape, 4 × scrape)', () => {
    const q = queryStep({ fromMs: 0, toMs: 86_400_000, maxDataPoints: 1000, scrapeInterval: '15s' });
    // 86.4 s per point is under Grafana's 90 s boundary, so it rounds to 1m.
    expect(q.builtins.__interval).toBe('1m');
    expect(q.builtins.__rate_interval).toBe('75s'); // max(60 + 15, 4 × 15)
  });
  it('a step never exceeds 11000 points (Prometheus’ limit, adjustInterval)', () => {
    const q = queryStep({ fromMs: 0, toMs: 30 * 86_400_000, maxDataPoints: 1_000_000, minInterval: '1s', scrapeInterval: '1s' });
    expect(q.stepMs).toBe(Math.ceil((30 * 86_400) / 11000) * 1000);
    expect(q.builtins.__interval).toBe(`${q.stepMs / 1000}s`);
  });
});

describe('custom, regex, sort', () => {
  it('custom options: commas, escaped commas, text : value', () => {
    expect(parseCustomOptions('a, b\\,c, Prod : prod-1')).toEqual([
      { text: 'a', value: 'a' },
      { text: 'b,c', value: 'b,c' },
      { text: 'Prod', value: 'prod-1' },
    ]);
  });
  it('regex filters and takes the first capture group, or the named groups text/value', () => {
    expect(applyVariableRegex(['node_cpu', 'node_mem', 'up'], '/node_(.*)/')).toEqual([
      { text: 'cpu', value: 'cpu' },
      { text: 'mem', value: 'mem' },
    ]);
    expect(applyVariableRegex(['a=1', 'b=2'], '/(?<text>\\w)=(?<value>\\d)/')).toEqual([
      { text: 'a', value: '1' },
      { text: 'b', value: '2' },
    ]);
    expect(applyVariableRegex(['ABC', 'x'], '/abc/i')).toEqual([{ text: 'ABC', value: 'ABC' }]);
  });
  it('regex runs in linear time on a hostile pattern', () => {
    const t0 = Date.now();
    applyVariableRegex(['a'.repeat(30_000) + '!'], '/(a+)+b/');
    expect(Date.now() - t0).toBeLessThan(2000);
  });
  it('sorts as Grafana: alphabetical, numerical by first number, case-insensitive, natural', () => {
    const o = (...t: string[]) => t.map((x) => ({ text: x, value: x }));
    const texts = (xs: { text: string }[]) => xs.map((x) => x.text);
    expect(texts(sortOptions(o('b', 'a', 'C'), 1))).toEqual(['C', 'a', 'b']);
    expect(texts(sortOptions(o('b', 'a', 'C'), 2))).toEqual(['b', 'a', 'C']);
    expect(texts(sortOptions(o('x10', 'x9', 'y'), 3))).toEqual(['y', 'x9', 'x10']);
    expect(texts(sortOptions(o('b', 'a', 'C'), 5))).toEqual(['a', 'b', 'C']);
    expect(texts(sortOptions(o('n10', 'n9', 'n100'), 7))).toEqual(['n9', 'n10', 'n100']);
  });
});

describe('query variables', () => {
  it('parses Grafana’s Prometheus helpers', () => {
    expect(parseVariableQuery('label_values(job)')).toEqual({ kind: 'label_values', label: 'job', match: null });
    expect(parseVariableQuery('label_values(up{job="x"}, instance)')).toEqual({ kind: 'label_values', label: 'instance', match: 'up{job="x"}' });
    expect(parseVariableQuery('metrics(node_.*)')).toEqual({ kind: 'metrics', regex: 'node_.*' });
    expect(parseVariableQuery('query_result(topk(3, up))')).toEqual({ kind: 'query_result', expr: 'topk(3, up)' });
    expect(parseVariableQuery('label_names()')).toEqual({ kind: 'label_names', match: null });
  });
  it('query_result text is Grafana’s: name{a="b",c="d"} value timestamp', () => {
    expect(queryResultText({ __name__: 'up', job: 'x', instance: 'i' }, '1', 1000)).toBe('up{job="x",instance="i"} 1 1000');
  });

  const calls: string[] = [];
  const source: VariableSource = {
    labelNames: async () => ['job', 'instance'],
    labelValues: async (label, match) => {
      calls.push(`${label} ${match ?? ''}`);
      if (label === 'job') return ['node', 'vigil'];
      if (label === 'instance') return match?.includes('vigil') ? ['v:1'] : ['n:1', 'n:2'];
      return ['node_cpu_seconds_total', 'node_load1'];
    },
    queryResult: async () => ['up{job="node"} 1 0'],
    dataSources: async () => [{ text: 'Vigil', value: 'vigil' }],
  };
  const defs: VariableModel[] = [
    { name: 'instance', type: 'query', query: 'label_values(up{job="$job"}, instance)', multi: true, includeAll: true },
    { name: 'job', type: 'query', query: { query: 'label_values(job)', refId: 'A' }, current: { value: 'vigil' } },
    { name: 'iv', type: 'interval', query: '1m,5m', auto: true, auto_count: 30, auto_min: '10s', current: { value: 'auto' } },
    { name: 'c', type: 'constant', query: 'k' },
    { name: 't', type: 'textbox', query: 'default' },
    { name: 'ds', type: 'datasource', query: 'prometheus' },
  ];

  it('resolves chained variables in dependency order; the URL wins over saved values', async () => {
    calls.length = 0;
    const r = await resolveVariables(defs, { fromMs: 0, toMs: 86_400_000, source });
    expect(calls).toEqual(['job ', 'instance up{job="vigil"}']);
    expect(r.get('job')!.selected).toEqual(['vigil']);
    expect(r.get('instance')!.selected).toEqual([allValue]);
    expect(r.get('iv')!.selected).toEqual(['1h']);
    expect(r.get('c')!.selected).toEqual(['k']);
    expect(r.get('t')!.selected).toEqual(['default']);
    expect(r.get('ds')).toMatchObject({ selected: ['vigil'], error: null });
    const u = await resolveVariables(defs, { fromMs: 0, toMs: 3_600_000, source, urlValues: { job: ['node'], instance: ['n:2'], t: ['typed'] } });
    expect(u.get('instance')!.selected).toEqual(['n:2']);
    expect(u.get('t')!.selected).toEqual(['typed']);
    expect(interpolate('up{instance=~"$instance"}', { variables: u })).toBe('up{instance=~"n:2"}');
  });
  it('a variable reads from its datasource: a remote uid, or the source a datasource variable picked', async () => {
    const asked: string[] = [];
    const remote: VariableSource = {
      labelNames: async (_m, _f, _t, src) => (asked.push(`names@${src ?? 'engine'}`), ['job']),
      labelValues: async (label, _m, _f, _t, src) => (asked.push(`${label}@${src ?? 'engine'}`), src === 'vm1' ? ['remote-job'] : ['local-job']),
      queryResult: async (_e, _t, src) => (asked.push(`query@${src ?? 'engine'}`), [`up{src="${src ?? 'engine'}"} 1 0`]),
      dataSources: async () => [
        { text: 'Vigil', value: 'vigil' },
        { text: 'VictoriaMetrics', value: 'vm1' },
        { text: 'Mimir prod', value: 'mimir' },
      ],
    };
    const list: VariableModel[] = [
      { name: 'ds', type: 'datasource', query: 'prometheus', regex: '/Victoria|Vigil/', current: { value: 'vm1' } },
      { name: 'job', type: 'query', query: 'label_values(job)', datasource: { type: 'prometheus', uid: '${ds}' } },
      { name: 'direct', type: 'query', query: 'query_result(up)', datasource: { type: 'prometheus', uid: 'mimir' } },
      { name: 'local', type: 'query', query: 'metrics(up)', datasource: { type: 'prometheus', uid: 'vigil' } },
      { name: 'loki', type: 'datasource', query: 'loki' },
    ];
    const r = await resolveVariables(list, { fromMs: 0, toMs: 1000, source: remote });
    expect(r.get('ds')!.options).toEqual([
      { text: 'Vigil', value: 'vigil' },
      { text: 'VictoriaMetrics', value: 'vm1' },
    ]);
    expect(r.get('ds')!.selected).toEqual(['vm1']);
    expect(r.get('job')!.options.map((o) => o.value)).toEqual(['remote-job']);
    expect(r.get('direct')!.options.map((o) => o.value)).toEqual(['up{src="mimir"} 1 0']);
    expect(r.get('loki')!.options).toEqual([]);
    expect(asked.sort()).toEqual(['__name__@engine', 'job@vm1', 'query@mimir']);
    // Picking Vigil in the datasource variable sends the dependent variable to the engine.
    const back = await resolveVariables(list, { fromMs: 0, toMs: 1000, source: remote, urlValues: { ds: ['vigil'] } });
    expect(back.get('job')!.options.map((o) => o.value)).toEqual(['local-job']);
  });
  it('datasourceUid: only a Prometheus reference to another uid leaves the engine', () => {
    const scope = { variables: new Map([['ds', { name: 'ds', type: 'datasource', multi: false, includeAll: false, customAll: null, options: [], selected: ['vm1'], error: null }]]) };
    expect(datasourceUid({ type: 'prometheus', uid: '$ds' }, scope)).toBe('vm1');
    expect(datasourceUid({ uid: 'abc' }, scope)).toBe('abc');
    expect(datasourceUid({ type: 'prometheus', uid: 'vigil' }, scope)).toBeUndefined();
    expect(datasourceUid({ type: 'loki', uid: 'abc' }, scope)).toBeUndefined();
    expect(datasourceUid({ type: 'prometheus', uid: '$unknown' }, scope)).toBeUndefined();
    expect(datasourceUid('Prometheus', scope)).toBeUndefined();
    expect(datasourceUid(null, scope)).toBeUndefined();
  });
  it('detects a loop, names it, and still resolves the others', async () => {
    const loop: VariableModel[] = [
      { name: 'a', type: 'query', query: 'label_values(up{x="$b"}, a)' },
      { name: 'b', type: 'query', query: 'label_values(up{x="$a"}, b)' },
      { name: 'job', type: 'query', query: 'label_values(job)' },
    ];
    expect(dependencyOrder(loop).loops.get('a')).toMatch(/variable loop: \$a → \$b → \$a/);
    const r = await resolveVariables(loop, { fromMs: 0, toMs: 1, source });
    expect(r.get('b')!.error).toMatch(/loop/);
    expect(r.get('job')!.selected).toEqual(['node']);
  });
  it('a query that fails is an error on that variable, naming it', async () => {
    const bad: VariableModel[] = [{ name: 'x', type: 'query', query: 'label_values(job)', regex: '/(/' }];
    const r = await resolveVariables(bad, { fromMs: 0, toMs: 1, source });
    expect(r.get('x')!.error).toMatch(/^variable \$x: regex/);
  });
  it('dependants: a change re-resolves only what depends on it', () => {
    expect([...dependants(defs, 'job')]).toEqual(['instance']);
    expect([...dependants(defs, 'instance')]).toEqual([]);
  });
});
