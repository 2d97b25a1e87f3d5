/**
 * `scrape_protocols`: which exposition formats a scrape asks for, in order of preference, as
 * Prometheus 3 negotiates them (config.ScrapeProtocol, scrape.acceptHeader): the Accept header
 * lists each protocol's media type with falling q weights, then `*\/*` below them all.
 */

import { scrapeProtocols, type ScrapeProtocol } from '../config/scrape-protocols.js';

const mediaTypes: Record<ScrapeProtocol, string> = {
  PrometheusProto: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'PrometheusText1.0.0': 'text/plain;version=1.0.0',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
};

/**
 * The Accept header for `protocols`: q=0.6, 0.5, … in order, `*\/*` last. The newer text formats
 * carry `escaping=underscores`: Vigil stores metric and label names in the classic character set,
 * so a target that could send UTF-8 names is asked to escape them.
 */
export function acceptHeader(protocols: readonly ScrapeProtocol[]): string {
  // Built once per target's list: every scrape asks for it.
  let header = built.get(protocols);
  if (header === undefined) built.set(protocols, (header = buildAcceptHeader(protocols)));
  return header;
}

const built = new WeakMap<readonly ScrapeProtocol[], string>();

function buildAcceptHeader(protocols: readonly ScrapeProtocol[]): string {
  let weight = scrapeProtocols.length + 1;
  const parts: string[] = [];
  for (const p of protocols) {
    let v = mediaTypes[p];
    if (p === 'PrometheusText1.0.0' || p === 'OpenMetricsText1.0.0') v += ';escaping=underscores';
    parts.push(`${v};q=0.${weight}`);
    weight--;
  }
  parts.push(`*/*;q=0.${weight}`);
  return parts.join(',');
}
