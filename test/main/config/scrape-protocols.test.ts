/** scrape_protocols and the native histogram fields of a scrape config, resolved as Prometheus 3 does. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';

function jobs(yaml: string) {
  const r = parseConfig(yaml, '/etc/p.yml');
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config.scrape_configs;
}

describe('scrape_protocols', () => {
  it('defaults to Prometheus 3 order, protobuf first when native histograms are scraped', () => {
    const [a, b, c] = jobs(`
global:
  scrape_protocols: [PrometheusText0.0.4]
scrape_configs:
  - job_name: a
    scrape_protocols: [OpenMetricsText1.0.0]
  - job_name: b
    scrape_native_histograms: true
    native_histogram_bucket_limit: 160
    native_histogram_min_bucket_factor: 1.1
  - job_name: c
`);
    expect(a!.scrape_protocols).toEqual(['OpenMetricsText1.0.0']);
    expect(b!.scrape_protocols).toEqual(['PrometheusText0.0.4']); // global's list wins over the default
    expect(c!.scrape_native_histograms).toBe(false);
    expect([b!.scrape_native_histograms, b!.native_histogram_bucket_limit, b!.native_histogram_min_bucket_factor]).toEqual([true, 160, 1.1]);
    const [d] = jobs('scrape_configs:\n  - job_name: d\n    scrape_native_histograms: true\n');
    expect(d!.scrape_protocols).toEqual(['PrometheusProto', 'OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4']);
    const [e] = jobs('scrape_configs:\n  - job_name: e\n');
    expect(e!.scrape_protocols).toEqual(['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4']);
  });

  it('refuses unknown and repeated protocols and a negative bucket factor', () => {
    const bad = (yaml: string) => {
      const r = parseConfig(yaml, '/etc/p.yml');
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.errors.join('\n');
    };
    expect(bad('scrape_configs:\n  - job_name: a\n    scrape_protocols: [Protobuf]\n')).toMatch(/unknown scrape protocol "Protobuf", supported: PrometheusProto/);
    expect(bad('global:\n  scrape_protocols: [PrometheusProto, PrometheusProto]\n')).toMatch(/duplicated protocol in scrape_protocols/);
    expect(bad('scrape_configs:\n  - job_name: a\n    native_histogram_min_bucket_factor: -1\n')).toMatch(/invalid non-negative number "-1"/);
  });
});
