/**
 * Prometheus text exposition (0.0.4) of probe samples, byte-compatible with what
 * blackbox_exporter's client_golang registry writes: families sorted by name, HELP and TYPE for
 * each, samples sorted by label values, floats formatted like Go's strconv 'g' with shortest
 * precision.
 */
import type { ProbeSample } from './types.js';
import { formatGoFloat } from '../util/go-float.js';

/** HELP strings, copied from blackbox_exporter 0.23's /probe output (test/main/probe/differential.test.ts compares them). */
const metricHelp: Readonly<Record<string, string>> = {
  probe_success: 'Displays whether or not the probe was a success',
  probe_duration_seconds: 'Returns how long the probe took to complete in seconds',
  probe_dns_lookup_time_seconds: 'Returns the time taken for probe dns lookup in seconds',
  probe_ip_protocol: 'Specifies whether probe ip protocol is IP4 or IP6',
  probe_ip_addr_hash: "Specifies the hash of IP address. It's useful to detect if the IP address changes.",
  probe_failed_due_to_regex: 'Indicates if probe failed due to regex',
  probe_http_content_length: 'Length of http content response',
  probe_http_duration_seconds: 'Duration of http request by phase, summed over all redirects',
  probe_http_redirects: 'The number of redirects',
  probe_http_ssl: 'Indicates if SSL was used for the final redirect',
  probe_http_status_code: 'Response HTTP status code',
  probe_http_uncompressed_body_length: 'Length of uncompressed response body',
  probe_http_version: 'Returns the version of HTTP of the probe response',
  probe_http_last_modified_timestamp_seconds: 'Returns the Last-Modified HTTP response header in unixtime',
  probe_ssl_earliest_cert_expiry: 'Returns last SSL chain expiry in unixtime',
  probe_ssl_last_chain_expiry_timestamp_seconds: 'Returns last SSL chain expiry in timestamp',
  probe_ssl_last_chain_info: 'Contains SSL leaf certificate information',
  probe_tls_version_info: 'Returns the TLS version used or NaN when unknown',
  probe_dns_duration_seconds: 'Duration of DNS request by phase',
  probe_dns_answer_rrs: 'Returns number of entries in the answer resource record list',
  probe_dns_authority_rrs: 'Returns number of entries in the authority resource record list',
  probe_dns_additional_rrs: 'Returns number of entries in the additional resource record list',
  probe_dns_query_succeeded: 'Displays whether or not the query was executed successfully',
  probe_dns_serial: 'Returns the serial number of the zone',
  probe_icmp_duration_seconds: 'Duration of icmp request by phase',
  probe_icmp_reply_hop_limit: 'Replied packet hop limit (TTL for ipv4)',
  // Vigil's own, beyond blackbox_exporter.
  probe_ssl_cert_not_after_timestamp_seconds: 'Vigil: NotAfter of each certificate in the chain, by depth (0 = leaf)',
  probe_ssl_cert_not_before_timestamp_seconds: 'Vigil: NotBefore of each certificate in the chain, by depth (0 = leaf)',
};

const needsEscape = /[\\\n"]/;
const escapeLabel = (s: string): string => (needsEscape.test(s) ? s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : s);
const escapeHelp = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** "# HELP …\n# TYPE … gauge\n" per metric name, built once (every probe prints the same few dozen). */
const familyHeads = new Map<string, string>();
function familyHead(name: string): string {
  let head = familyHeads.get(name);
  if (head === undefined) {
    head = `# HELP ${name} ${escapeHelp(metricHelp[name] ?? name)}\n# TYPE ${name} gauge\n`;
    if (familyHeads.size < 1024) familyHeads.set(name, head);
  }
  return head;
}

interface Row {
  readonly name: string;
  /** The label values in label-name order, '\xff'-separated: client_golang's sample order. */
  readonly key: string;
  readonly line: string;
}

const byNameThenLabels = (a: Row, b: Row): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export function formatExposition(samples: readonly ProbeSample[]): string {
  const rows: Row[] = [];
  for (const s of samples) {
    const names = Object.keys(s.labels);
    if (names.length === 0) {
      rows.push({ name: s.name, key: '', line: `${s.name} ${formatGoFloat(s.value)}\n` });
      continue;
    }
    names.sort();
    let text = '';
    let key = '';
    for (let i = 0; i < names.length; i++) {
      const v = s.labels[names[i]!]!;
      text += `${i === 0 ? '{' : ','}${names[i]}="${escapeLabel(v)}"`;
      key += i === 0 ? v : `\xff${v}`;
    }
    rows.push({ name: s.name, key, line: `${s.name}${text}} ${formatGoFloat(s.value)}\n` });
  }
  rows.sort(byNameThenLabels);
  let out = '';
  let family = '';
  for (const r of rows) {
    if (r.name !== family) {
      family = r.name;
      out += familyHead(family);
    }
    out += r.line;
  }
  return out;
}
