import { describe, it, expect } from 'vitest';
import { ModuleConfigError, parseModules } from '../../../main/probe/module-config.js';
import { parseProbeConfigs } from '../../../main/probe/config.js';

const reference = `modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: true
      tls_config:
        ca_file: /tmp/root.crt
        insecure_skip_verify: false
      follow_redirects: true
      enable_http2: true
    tcp:
      ip_protocol_fallback: true
    icmp:
      ip_protocol_fallback: true
      ttl: 64
    dns:
      ip_protocol_fallback: true
      recursion_desired: true
      query_name: example.com
`;

function errorOf(fn: () => unknown): ModuleConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ModuleConfigError) return err;
    throw err;
  }
  throw new Error('expected a ModuleConfigError');
}

describe('blackbox module files', () => {
  it('parses the module blackbox_exporter printed in the reference debug output', () => {
    const m = parseModules(reference, 'blackbox.yml').get('http_2xx')!;
    expect(m.prober).toBe('http');
    expect(m.timeout).toBe(5000);
    expect(m.http?.preferred_ip_protocol).toBe('ip4');
    expect(m.http?.tls_config.ca_file).toBe('/tmp/root.crt');
    expect(m.http?.valid_status_codes).toEqual([]);
  });

  it('fills in blackbox defaults when the prober section is absent', () => {
    const m = parseModules('modules:\n  t:\n    prober: tcp\n').get('t')!;
    expect(m.tcp?.ip_protocol_fallback).toBe(true);
    expect(m.tcp?.query_response).toEqual([]);
  });

  it('names file, line and field for an unknown field', () => {
    const err = errorOf(() => parseModules('modules:\n  web:\n    prober: http\n    http:\n      valid_status_code: [200]\n', 'bb.yml'));
    expect(err.message).toBe('bb.yml:5: modules.web.http.valid_status_code: unknown field (not a blackbox_exporter option Vigil knows; check the spelling)');
  });

  it('names the line of a bad value, a bad regexp and a bad duration', () => {
    const text = 'modules:\n  a:\n    prober: htp\n  b:\n    prober: http\n    timeout: 5 seconds\n  c:\n    prober: http\n    http:\n      fail_if_body_matches_regexp: ["(unclosed"]\n';
    const err = errorOf(() => parseModules(text, 'bb.yml'));
    expect(err.problems.map((p) => [p.line, p.path])).toEqual([
      [3, 'modules.a.prober'],
      [6, 'modules.b.timeout'],
      [10, 'modules.c.http.fail_if_body_matches_regexp.0'],
    ]);
    expect(err.message).toMatch(/bb\.yml:6: modules\.b\.timeout: not a valid duration "5 seconds"/);
  });

  it('requires query_name for dns modules and reports YAML syntax errors with a line', () => {
    expect(errorOf(() => parseModules('modules:\n  d:\n    prober: dns\n    dns:\n      query_type: A\n')).message).toMatch(/:4: modules\.d\.dns\.query_name/);
    expect(errorOf(() => parseModules('modules:\n  a: [\n', 'x.yml')).message).toMatch(/^x\.yml:\d+: YAML: /);
  });

  it('never throws anything but ModuleConfigError on arbitrary input', () => {
    for (const text of ['', '[]', 'modules: 3', '- a\n- b', 'modules:\n  x: null', '\t\tbad: [', 'modules:\n  x:\n    prober: http\n    http: 7']) {
      try {
        parseModules(text);
      } catch (err) {
        expect(err).toBeInstanceOf(ModuleConfigError);
      }
    }
  });
});

describe('probe_configs', () => {
  const modules = parseModules('modules:\n  http_2xx:\n    prober: http\n');
  it('parses jobs with defaults', () => {
    const [c] = parseProbeConfigs('probe_configs:\n  - job_name: web\n    module: http_2xx\n    targets: [https://a]\n    scrape_interval: 30s\n', 'p.yml', modules);
    expect(c).toEqual({ job_name: 'web', module: 'http_2xx', targets: ['https://a'], scrape_interval: 30_000, scrape_timeout: 10_000 });
  });
  it('rejects unknown modules, duplicate jobs and timeout > interval, with lines', () => {
    const text = 'probe_configs:\n  - job_name: a\n    module: nope\n    targets: [x]\n  - job_name: a\n    module: http_2xx\n    targets: [y]\n    scrape_interval: 5s\n    scrape_timeout: 10s\n';
    const err = errorOf(() => parseProbeConfigs(text, 'p.yml', modules));
    expect(err.problems.map((p) => [p.line, p.path])).toEqual([
      [3, 'probe_configs.0.module'],
      [5, 'probe_configs.1.job_name'],
      [9, 'probe_configs.1.scrape_timeout'],
    ]);
  });
});
