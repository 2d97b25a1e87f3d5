/**
 * blackbox_exporter's module file shape (`modules: {name: {prober, timeout, http|tcp|dns|icmp}}`)
 * as zod schemas. Unknown fields are errors, as in blackbox_exporter (yaml.UnmarshalStrict).
 * Defaults are blackbox_exporter 0.23's.
 */
import { z } from 'zod';
import { compileRegex, RegexSyntaxError } from '../../app/dialect/regex.js';
import { tryParseDuration } from '../../app/dialect/duration.js';
import { typedHttpClientFields, typedTlsConfig, validatedHttpClient } from '../http-client/schema.js';

/** Prometheus' model.Duration: `1h30m`, `5s`, `250ms`, `0`. */
export const durationSchema = z.string().transform((s, ctx) => {
  const ms = tryParseDuration(s);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `not a valid duration "${s}" (use e.g. 5s, 1m30s, 250ms)` });
    return z.NEVER;
  }
  return ms;
});

const regexpSchema = z.string().transform((s, ctx) => {
  try {
    // blackbox_exporter's config.Regexp is regexp.Compile: unanchored, `.` stops at newlines.
    return compileRegex(s, 'unanchored');
  } catch (err) {
    if (!(err instanceof RegexSyntaxError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
    return z.NEVER;
  }
});

/** Prometheus' units.Base2Bytes: `1024`, `10KB`, `5MiB`, `1GB` (KB means KiB, as in Go's alecthomas/units). */
const bytesSchema = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = /^(\d+)\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?$/.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `not a byte size "${v}" (use e.g. 1048576, 512KB, 10MB)` });
    return z.NEVER;
  }
  const pow: Record<string, number> = { B: 0, KB: 1, KiB: 1, MB: 2, MiB: 2, GB: 3, GiB: 3, TB: 4, TiB: 4 };
  return Number(m[1]) * 1024 ** (pow[m[2] ?? 'B'] ?? 0);
});


const ipProtocolSchema = z.enum(['ip4', 'ip6']).optional();

const headerMatchSchema = z.strictObject({
  header: z.string(),
  regexp: regexpSchema,
  allow_missing: z.boolean().default(false),
});

export const httpProbeSchema = z.strictObject({
  preferred_ip_protocol: ipProtocolSchema,
  ip_protocol_fallback: z.boolean().default(true),
  method: z.string().default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  valid_status_codes: z.array(z.number().int().min(100).max(999)).default([]),
  valid_http_versions: z.array(z.string()).default([]),
  no_follow_redirects: z.boolean().optional(),
  fail_if_ssl: z.boolean().default(false),
  fail_if_not_ssl: z.boolean().default(false),
  fail_if_body_matches_regexp: z.array(regexpSchema).default([]),
  fail_if_body_not_matches_regexp: z.array(regexpSchema).default([]),
  fail_if_header_matches: z.array(headerMatchSchema).default([]),
  fail_if_header_not_matches: z.array(headerMatchSchema).default([]),
  // blackbox embeds Prometheus' HTTPClientConfig: the same fields and validation as prometheus.yml.
  ...typedHttpClientFields,
  body_size_limit: bytesSchema.optional(),
  compression: z.enum(['', 'gzip', 'br', 'deflate', 'identity']).default(''),
  /** Vigil extension: allow link-local (cloud metadata) addresses on any hop. Off by default. */
  allow_link_local: z.boolean().default(false),
}).transform((c, ctx) => validatedHttpClient(c, ctx));

const queryResponseSchema = z.strictObject({
  expect: regexpSchema.optional(),
  send: z.string().default(''),
  starttls: z.boolean().default(false),
});

export const tcpProbeSchema = z.strictObject({
  preferred_ip_protocol: ipProtocolSchema,
  ip_protocol_fallback: z.boolean().default(true),
  source_ip_address: z.string().optional(),
  query_response: z.array(queryResponseSchema).default([]),
  tls: z.boolean().default(false),
  tls_config: typedTlsConfig,
});

const rrValidatorSchema = z.strictObject({
  fail_if_matches_regexp: z.array(regexpSchema).default([]),
  fail_if_all_match_regexp: z.array(regexpSchema).default([]),
  fail_if_not_matches_regexp: z.array(regexpSchema).default([]),
  fail_if_none_matches_regexp: z.array(regexpSchema).default([]),
});
const emptyValidator = {
  fail_if_matches_regexp: [],
  fail_if_all_match_regexp: [],
  fail_if_not_matches_regexp: [],
  fail_if_none_matches_regexp: [],
};

const dnsProbeSchema = z.strictObject({
  preferred_ip_protocol: ipProtocolSchema,
  ip_protocol_fallback: z.boolean().default(true),
  source_ip_address: z.string().optional(),
  transport_protocol: z.enum(['udp', 'tcp']).default('udp'),
  query_name: z.string().min(1, 'query name must be set for DNS module'),
  query_type: z.string().default('ANY'),
  query_class: z.string().default('IN'),
  valid_rcodes: z.array(z.string()).default(['NOERROR']),
  validate_answer_rrs: rrValidatorSchema.default(emptyValidator),
  validate_authority_rrs: rrValidatorSchema.default(emptyValidator),
  validate_additional_rrs: rrValidatorSchema.default(emptyValidator),
  recursion_desired: z.boolean().default(true),
});

export const icmpProbeSchema = z.strictObject({
  preferred_ip_protocol: ipProtocolSchema,
  ip_protocol_fallback: z.boolean().default(true),
  source_ip_address: z.string().optional(),
  payload_size: z.number().int().nonnegative().optional(),
  dont_fragment: z.boolean().default(false),
  ttl: z.number().int().min(1).max(255).default(64),
});

const moduleSchema = z
  .strictObject({
    prober: z.enum(['http', 'tcp', 'dns', 'icmp']),
    timeout: durationSchema.optional(),
    http: httpProbeSchema.optional(),
    tcp: tcpProbeSchema.optional(),
    dns: dnsProbeSchema.optional(),
    icmp: icmpProbeSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.prober === 'dns' && m.dns === undefined) {
      ctx.addIssue({ code: 'custom', path: ['dns'], message: 'a dns module needs a "dns:" section with query_name' });
    }
  });

export const moduleFileSchema = z.strictObject({
  modules: z.record(z.string(), moduleSchema).default({}),
});

export type HttpProbeConfig = z.output<typeof httpProbeSchema>;
export type TcpProbeConfig = z.output<typeof tcpProbeSchema>;
export type DnsProbeConfig = z.output<typeof dnsProbeSchema>;
export type IcmpProbeConfig = z.output<typeof icmpProbeSchema>;
export type RRValidator = z.output<typeof rrValidatorSchema>;
export type ProbeModule = z.output<typeof moduleSchema>;
export type ProberName = ProbeModule['prober'];
