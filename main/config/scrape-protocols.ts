/**
 * The `scrape_protocols` names (Prometheus 3's config.ScrapeProtocol) and the default orders;
 * main/scrape/protocols.ts turns a list into the Accept header.
 */
export const scrapeProtocols = ['PrometheusProto', 'OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'] as const;
export type ScrapeProtocol = (typeof scrapeProtocols)[number];

/** Prometheus 3's default order (config.DefaultScrapeProtocols). */
const defaultScrapeProtocols: readonly ScrapeProtocol[] = ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'];
/** With native histograms on, protobuf first (config.DefaultProtoFirstScrapeProtocols): only it carries them. */
const protoFirstScrapeProtocols: readonly ScrapeProtocol[] = ['PrometheusProto', ...defaultScrapeProtocols];

export function defaultProtocols(nativeHistograms: boolean): readonly ScrapeProtocol[] {
  return nativeHistograms ? protoFirstScrapeProtocols : defaultScrapeProtocols;
}

/** Problems with a configured list: unknown names (naming the valid ones) and repeats. */
export function protocolProblems(list: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of list) {
    if (!(scrapeProtocols as readonly string[]).includes(p)) out.push(`unknown scrape protocol ${JSON.stringify(p)}, supported: ${scrapeProtocols.join(', ')}`);
    else if (seen.has(p)) out.push(`duplicated protocol in scrape_protocols, got [${list.join(' ')}]`);
    seen.add(p);
  }
  if (list.length === 0) out.push('scrape_protocols cannot be empty');
  return out;
}
