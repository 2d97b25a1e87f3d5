import { describe, expect, it } from 'vitest';
import { parseConfig, type LoadResult } from '../../../main/config/load.js';
import { defaultConfigText } from '../../../main/config/default-config.js';
import type { Config } from '../../../main/config/schema.js';

function ok(text: string, file = '/etc/vigil/prometheus.yml'): Config {
  const r = parseConfig(text, file);
  if (!r.ok) throw new Error(r.errors.map(String).join('\n'));
  return r.config;
}

function errors(text: string): string[] {
  const r: LoadResult = parseConfig(text, 'prometheus.yml');
  if (r.ok) throw new Error('expected errors, config loaded');
  return r.errors.map(String);
}

describe('parseConfig: valid configs and defaults', () => {
  it('fills in Prometheus defaults', () => {
    const cfg = ok('scrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ["a:9100"]\n');
    expect(cfg.global).toMatchObject({ scrape_interval: 60_000, scrape_timeout: 10_000, evaluation_interval: 60_000, external_labels: {} });
    const job = cfg.scrape_configs[0]!;
    expect(job).toMatchObject({
      job_name: 'node',
      scrape_interval: 60_000,
      scrape_timeout: 10_000,
      metrics_path: '/metrics',
      scheme: 'http',
      honor_labels: false,
      honor_timestamps: true,
      enable_compression: true,
      // Vigil's laptop-safe limits where Prometheus has none.
      sample_limit: 200_000,
      label_limit: 64,
      label_value_length_limit: 16_384,
      body_size_limit: 64 * 1024 * 1024,
    });
    expect(job.static_configs).toEqual([{ targets: ['a:9100'], labels: {} }]);
  });

  it('lets global raise a default limit, a job lift one with 0, and keeps the rest', () => {
    const cfg = ok(
      'global:\n  sample_limit: 1000000\n  body_size_limit: 256MiB\nscrape_configs:\n  - job_name: a\n  - job_name: b\n    sample_limit: 0\n    label_value_length_limit: 0\n',
    );
    expect(cfg.global).toMatchObject({ sample_limit: 1_000_000, body_size_limit: 256 * 1024 * 1024, label_limit: 64 });
    expect(cfg.scrape_configs[0]).toMatchObject({ sample_limit: 1_000_000, body_size_limit: 256 * 1024 * 1024, label_value_length_limit: 16_384 });
    expect(cfg.scrape_configs[1]).toMatchObject({ sample_limit: 0, label_value_length_limit: 0, label_limit: 64 });
  });

  it('takes job intervals from global and caps the default timeout at the interval', () => {
    const cfg = ok(
      'global:\n  scrape_interval: 5s\n  sample_limit: 100\nscrape_configs:\n  - job_name: a\n  - job_name: b\n    scrape_interval: 1m30s\n    scrape_timeout: 20s\n    body_size_limit: 10MB\n',
    );
    expect(cfg.global.scrape_timeout).toBe(5_000);
    expect(cfg.scrape_configs[0]).toMatchObject({ scrape_interval: 5_000, scrape_timeout: 5_000, sample_limit: 100 });
    expect(cfg.scrape_configs[1]).toMatchObject({ scrape_interval: 90_000, scrape_timeout: 20_000, body_size_limit: 10 * 1024 * 1024, sample_limit: 100 });
  });

  it('keeps label values as written and folds bearer_token into authorization', () => {
    const cfg = ok(
      'scrape_configs:\n  - job_name: a\n    bearer_token: tok\n    static_configs:\n      - targets: ["h:1"]\n        labels: {version: 1.10, on: yes}\n',
    );
    expect(cfg.scrape_configs[0]!.static_configs[0]!.labels).toEqual({ version: '1.10', on: 'yes' });
    expect(cfg.scrape_configs[0]!.authorization).toEqual({ type: 'Bearer', credentials: 'tok', credentials_file: '' });
  });

  it('resolves relative file paths against the config file directory', () => {
    const cfg = ok(
      'rule_files: [rules/*.yml]\nscrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password_file: secrets/pw}\n    file_sd_configs:\n      - files: [sd/*.json, /abs/x.yml]\n',
      '/etc/vigil/prometheus.yml',
    );
    expect(cfg.rule_files).toEqual(['/etc/vigil/rules/*.yml']);
    expect(cfg.scrape_configs[0]!.basic_auth?.password_file).toBe('/etc/vigil/secrets/pw');
    expect(cfg.scrape_configs[0]!.file_sd_configs[0]).toEqual({ files: ['/etc/vigil/sd/*.json', '/abs/x.yml'], refresh_interval: 300_000 });
  });

  it('accepts alerting, remote_write, SD sections and Vigil probe_configs', () => {
    const cfg = ok(`
global:
  external_labels: {site: home}
  blackbox_config_file: blackbox.yml
  probe_configs:
    - job_name: web
      module: http_2xx
      targets: [https://example.org]
      scrape_interval: 30s
alerting:
  alertmanagers:
    - static_configs:
        - targets: [localhost:9093]
remote_write:
  - url: http://localhost:8428/api/v1/write
    headers: {X-Scope-OrgID: team}
    queue_config: {max_shards: 4, batch_send_deadline: 5s}
scrape_configs:
  - job_name: dns
    dns_sd_configs:
      - names: [_prometheus._tcp.example.org]
        nameserver: 127.0.0.1:5353
  - job_name: http
    http_sd_configs:
      - url: http://localhost:8000/sd
`);
    expect(cfg.global.probe_configs[0]).toMatchObject({ job_name: 'web', module: 'http_2xx', scrape_interval: 30_000, scrape_timeout: 10_000 });
    expect(cfg.alerting.alertmanagers[0]).toMatchObject({ scheme: 'http', path_prefix: '/', timeout: 10_000, api_version: 'v2' });
    expect(cfg.remote_write[0]).toMatchObject({ remote_timeout: 30_000, queue_config: { max_shards: 4, batch_send_deadline: 5_000 } });
    expect(cfg.scrape_configs[0]!.dns_sd_configs[0]).toMatchObject({ type: 'SRV', port: 0, refresh_interval: 30_000, nameserver: '127.0.0.1:5353' });
    expect(cfg.scrape_configs[1]!.http_sd_configs[0]).toMatchObject({ refresh_interval: 60_000 });
  });

  it('an empty file is a valid config', () => {
    expect(ok('').scrape_configs).toEqual([]);
  });

  it('the embedded default config loads and scrapes the serve address', () => {
    const cfg = ok(defaultConfigText('127.0.0.1:9464'));
    expect(cfg.scrape_configs[0]!.static_configs[0]!.targets).toEqual(['127.0.0.1:9464']);
  });
});

describe('parseConfig: every error names file, line and field', () => {
  it.each([
    ['invalid duration', 'scrape_configs:\n  - job_name: a\n    scrape_interval: 5x\n', 'prometheus.yml:3: scrape_configs[0].scrape_interval: invalid duration "5x"'],
    ['unknown field', 'scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n', 'prometheus.yml:3: scrape_configs[0].scrape_intervall: unknown field "scrape_intervall"'],
    ['unknown top-level field', 'global: {}\nscrape_config: []\n', 'prometheus.yml:2: scrape_config: unknown field'],
    ['missing job_name', 'scrape_configs:\n  - metrics_path: /m\n', 'prometheus.yml:2: scrape_configs[0].job_name: required field is missing'],
    ['empty job_name', 'scrape_configs:\n  - job_name: ""\n', 'prometheus.yml:2: scrape_configs[0].job_name: job_name is empty'],
    ['duplicate job', 'scrape_configs:\n  - job_name: a\n  - job_name: a\n', 'prometheus.yml:3: scrape_configs[1].job_name: found multiple scrape configs with job name "a"'],
    [
      'timeout above interval',
      'scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 6s\n',
      'prometheus.yml:4: scrape_configs[0].scrape_timeout: scrape timeout greater than scrape interval for scrape config with job name "a"',
    ],
    ['global timeout above interval', 'global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n', 'prometheus.yml:3: global.scrape_timeout: global scrape timeout greater than scrape interval'],
    ['malformed rule_files pattern', 'rule_files:\n  - /r/[x-\n', 'prometheus.yml:2: rule_files[0]: syntax error in pattern "/r/[x-"'],
    [
      'file_sd pattern in a directory part',
      'scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [/sd/*/x.json]\n',
      'prometheus.yml:4: scrape_configs[0].file_sd_configs[0].files[0]: path name "/sd/*/x.json" is not valid for file discovery: it must end in .json, .yml or .yaml, with a * only in the file name',
    ],
    ['bad scheme', 'scrape_configs:\n  - job_name: a\n    scheme: ftp\n', 'prometheus.yml:3: scrape_configs[0].scheme: invalid scheme "ftp"'],
    ['bad label name', 'global:\n  external_labels:\n    1x: y\n', 'prometheus.yml:3: global.external_labels.1x: "1x" is not a valid label name'],
    [
      'relabel regex',
      'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [x]\n        regex: "(a"\n        action: keep\n',
      'prometheus.yml:5: scrape_configs[0].relabel_configs[0].regex: error parsing regexp: missing closing )',
    ],
    [
      'relabel action',
      'scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - action: nope\n',
      'prometheus.yml:4: scrape_configs[0].metric_relabel_configs[0].action: unknown relabel action "nope"',
    ],
    ['size', 'scrape_configs:\n  - job_name: a\n    body_size_limit: 10 parsecs\n', 'prometheus.yml:3: scrape_configs[0].body_size_limit: invalid size "10 parsecs"'],
    ['wrong type', 'scrape_configs:\n  job_name: a\n', 'prometheus.yml:2: scrape_configs: '],
    ['integer', 'scrape_configs:\n  - job_name: a\n    sample_limit: lots\n', 'prometheus.yml:3: scrape_configs[0].sample_limit: invalid non-negative integer "lots"'],
    ['URL in static target', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ["http://h:1/metrics"]\n', 'prometheus.yml:4: scrape_configs[0].static_configs[0].targets[0]: "http://h:1/metrics" is not a valid hostname'],
    ['two auths', 'scrape_configs:\n  - job_name: a\n    bearer_token: x\n    basic_auth: {username: u}\n', 'prometheus.yml:4: scrape_configs[0].basic_auth: at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured'],
    ['dns port', 'scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x.example]\n        type: A\n', 'scrape_configs[0].dns_sd_configs[0].port: a port is required in DNS-SD configs for all record types except SRV'],
    ['YAML syntax', 'scrape_configs:\n  - job_name: [\n', 'prometheus.yml:3: YAML syntax:'],
    ['duplicate key', 'global: {}\nglobal: {}\n', 'prometheus.yml:2: YAML syntax: Map keys must be unique'],
  ])('%s', (_name, text, want) => {
    const errs = errors(text);
    expect(errs.some((e) => e.startsWith(want) || e.includes(want)), `got:\n${errs.join('\n')}`).toBe(true);
  });

  it('reports every independent field error at once, in line order', () => {
    const errs = errors('global:\n  scrape_interval: 1x\nscrape_configs:\n  - job_name: a\n    foo: 1\n    scrape_timeout: 2y3\n');
    expect(errs.map((e) => e.split(':')[1])).toEqual(['2', '5', '6']);
  });

  it('refuses absurd nesting before the YAML parser recurses into it', () => {
    for (const text of ['a: ' + '['.repeat(100_000), 'x: 1\n' + '- '.repeat(20_000) + 'x', 'a:\n' + Array.from({ length: 3000 }, (_, i) => ' '.repeat(i + 1) + 'b:').join('\n')]) {
      const r = parseConfig(text, 'p.yml');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(String(r.errors[0])).toMatch(/^p\.yml:\d+: YAML nested too deeply/);
    }
    // Brackets inside a quoted scalar are text, not nesting: this fails on the unknown field only.
    const quoted = parseConfig(`a: "${'['.repeat(100)}"\n`, 'p.yml');
    expect(quoted.ok ? '' : String(quoted.errors[0])).toContain('unknown field "a"');
  });

  it('never throws on hostile input', () => {
    for (const text of ['[', '- - - -', ': :', '\t\tfoo', 'a: *x', '!!binary x', '{'.repeat(200), 'scrape_configs: ' + '['.repeat(500)]) {
      expect(() => parseConfig(text, 'p.yml')).not.toThrow();
    }
  });
});
