import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';
import type { ScrapeConfig } from '../../../main/config/schema.js';
import { TargetPools, type JobTargets } from '../../../main/scrape/targets-pools.js';
import { buildTarget, buildTargets, discoveredLabels, targetUrl } from '../../../main/scrape/targets.js';
import { staticGroups } from '../../../main/scrape/sd/static.js';
import { labelsFromRecord, labelsToRecord } from '../../../main/tsdb/labels.js';

function job(yaml: string): ScrapeConfig {
  const r = parseConfig(`scrape_configs:\n${yaml}`, 'p.yml');
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config.scrape_configs[0]!;
}

describe('buildTarget (Prometheus PopulateLabels)', () => {
  const cfg = job(`  - job_name: node
    scrape_interval: 15s
    params: {module: [http_2xx, x]}
    basic_auth: {username: u, password: p}
    sample_limit: 50
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: go_.*
        action: drop
    relabel_configs:
      - source_labels: [__meta_dc]
        target_label: dc
`);

  it('adds job, instance and the URL, drops __meta_* and __* labels', () => {
    const r = buildTarget(cfg, { __address__: 'h:9100', __meta_dc: 'fra' }, { env: 'prod' });
    expect(r.kind).toBe('active');
    if (r.kind !== 'active') return;
    const t = r.target;
    expect(labelsToRecord(t.labels)).toEqual({ job: 'node', instance: 'h:9100', env: 'prod', dc: 'fra' });
    expect(t.url).toBe('http://h:9100/metrics?module=http_2xx&module=x');
    expect(labelsToRecord(t.discoveredLabels)).toEqual({
      __address__: 'h:9100',
      __meta_dc: 'fra',
      __metrics_path__: '/metrics',
      __param_module: 'http_2xx',
      __scheme__: 'http',
      __scrape_interval__: '15s',
      __scrape_timeout__: '10s',
      env: 'prod',
      job: 'node',
    });
    expect(t).toMatchObject({ interval: 15_000, timeout: 10_000, honorLabels: false, honorTimestamps: true, enableCompression: true });
    expect(t.limits.sampleLimit).toBe(50);
    expect(t.auth).toEqual({ kind: 'basic', username: 'u', usernameFile: '', password: 'p', passwordFile: '' });
    expect(t.metricRelabel(labelsFromRecord({ __name__: 'go_goroutines' }))).toBeNull();
    expect(t.metricRelabel(labelsFromRecord({ __name__: 'up' }))).not.toBeNull();
    expect(t.relabelSteps()).toHaveLength(1);
  });

  it('__scrape_interval__ carries Prometheus\' spelling of the interval (8d, not 1w1d)', () => {
    const c = job(`  - job_name: slow\n    scrape_interval: 8d\n    scrape_timeout: 7d\n`);
    expect(labelsToRecord(discoveredLabels(c, { __address__: 'h:1' }, {}))).toMatchObject({ __scrape_interval__: '8d', __scrape_timeout__: '1w' });
  });

  it('target labels win over group labels; config defaults only fill what is absent', () => {
    const r = buildTarget(cfg, { __address__: 'h:1', env: 'target', job: 'mine' }, { env: 'group' });
    expect(r.kind === 'active' && labelsToRecord(r.target.labels)).toMatchObject({ env: 'target', job: 'mine' });
  });

  it('relabeling can rewrite address, scheme, path, params, interval and instance', () => {
    const c = job(`  - job_name: blackbox
    metrics_path: /probe
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:9115
      - target_label: __scheme__
        replacement: https
      - target_label: __scrape_interval__
        replacement: 2m
`);
    const r = buildTarget(c, { __address__: 'example.org' }, {});
    expect(r.kind).toBe('active');
    if (r.kind !== 'active') return;
    expect(r.target.url).toBe('https://127.0.0.1:9115/probe?target=example.org');
    expect(labelsToRecord(r.target.labels)).toEqual({ job: 'blackbox', instance: 'example.org' });
    expect(r.target.interval).toBe(120_000);
  });

  it('reports dropped targets with their steps', () => {
    const c = job(`  - job_name: a
    relabel_configs:
      - source_labels: [__address__]
        regex: skip.*
        action: drop
`);
    const r = buildTarget(c, { __address__: 'skip-me:1' }, {});
    expect(r.kind).toBe('dropped');
    if (r.kind === 'dropped') expect(r.target.relabelSteps().at(-1)?.dropped).toBe(true);
  });

  it.each([
    ['no address', `      - regex: __address__\n        action: labeldrop\n`, 'no address'],
    ['bad interval', `      - target_label: __scrape_interval__\n        replacement: soon\n`, 'error parsing scrape interval'],
    ['timeout above interval', `      - target_label: __scrape_timeout__\n        replacement: 2h\n`, 'scrape timeout cannot be greater than scrape interval ("2h" > "1m")'],
    ['URL as address', `      - target_label: __address__\n        replacement: h/x\n`, '"h/x" is not a valid hostname'],
  ])('errors: %s', (_n, rules, message) => {
    const c = job(`  - job_name: a\n    relabel_configs:\n${rules}`);
    const r = buildTarget(c, { __address__: 'h:1' }, {});
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toContain(message);
  });

  it('targetUrl sorts and form-encodes parameters like Go url.Values', () => {
    const labels = labelsFromRecord({ __scheme__: 'http', __address__: 'h:1', __metrics_path__: 'm', __param_b: 'x y', __param_a: '&' });
    expect(targetUrl(labels, { c: ['1'] })).toBe('http://h:1/m?a=%26&b=x+y&c=1');
  });

  it('collapses duplicate targets', () => {
    const c = job(`  - job_name: a\n    static_configs:\n      - targets: [h:1, h:1, h:2]\n`);
    expect(buildTargets(c, staticGroups(c.static_configs)).active.map((t) => t.url)).toEqual(['http://h:1/metrics', 'http://h:2/metrics']);
  });
});

describe('TargetPools', () => {
  const a = job(`  - job_name: a\n    target_limit: 3\n`);

  it('merges groups by source per provider, removes empty sources, and emits', () => {
    const pools = new TargetPools([a]);
    const seen: JobTargets[] = [];
    pools.onChange((j) => seen.push(j));
    pools.update('a', 'file/0', [
      { source: 'f:0', targets: [{ __address__: 'h:1' }], labels: {} },
      { source: 'f:1', targets: [{ __address__: 'h:2' }], labels: {} },
    ]);
    pools.update('a', 'dns/0', [{ source: 'x', targets: [{ __address__: 'h:3' }], labels: {} }]);
    expect(pools.targets('a')!.active.map((t) => t.url).sort()).toEqual(['http://h:1/metrics', 'http://h:2/metrics', 'http://h:3/metrics']);
    pools.update('a', 'file/0', [{ source: 'f:1', targets: [], labels: {} }]);
    expect(pools.targets('a')!.active).toHaveLength(2);
    pools.clearProvider('a', 'dns/0');
    expect(pools.targets('a')!.active.map((t) => t.url)).toEqual(['http://h:1/metrics']);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(pools.allActive().map((t) => t.url)).toEqual(['http://h:1/metrics']);
    expect(pools.allDropped()).toEqual([]);
  });

  it('over target_limit: no active targets and an error', () => {
    const pools = new TargetPools([a]);
    pools.update('a', 'static/0', [{ source: '0', targets: ['1', '2', '3', '4'].map((p) => ({ __address__: `h:${p}` })), labels: {} }]);
    const t = pools.targets('a')!;
    expect(t.active).toEqual([]);
    expect(t.errors.join()).toContain('target_limit exceeded (number of targets: 4, limit: 3)');
  });

  it('a reload that removes a job emits it empty; updates for it are ignored', () => {
    const pools = new TargetPools([a]);
    pools.update('a', 'static/0', [{ source: '0', targets: [{ __address__: 'h:1' }], labels: {} }]);
    const seen: JobTargets[] = [];
    pools.onChange((j) => seen.push(j));
    pools.setConfigs([]);
    expect(seen).toEqual([{ job: 'a', active: [], dropped: [], errors: [] }]);
    pools.update('a', 'static/0', [{ source: '0', targets: [{ __address__: 'h:1' }], labels: {} }]);
    expect(pools.all()).toEqual([]);
  });

  it('keeps target keys stable across rebuilds (so scrape loops survive refreshes)', () => {
    const pools = new TargetPools([a]);
    const g = [{ source: '0', targets: [{ __address__: 'h:1' }], labels: {} }];
    pools.update('a', 'static/0', g);
    const k1 = pools.targets('a')!.active[0]!.key;
    pools.update('a', 'static/0', g);
    expect(pools.targets('a')!.active[0]!.key).toBe(k1);
  });
});
