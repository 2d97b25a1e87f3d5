/**
 * Building blocks of the prometheus.yml schema: scalars (the loader hands every YAML scalar over
 * as its source text, as Go's strict unmarshalling sees it), durations, sizes, label names, and
 * Prometheus' common HTTP client config (auth and TLS) with its validation messages.
 */
import { z } from 'zod';
import { parseByteSize } from './byte-size.js';
import { tryParseDuration } from '../../app/dialect/duration.js';
import { GlobPatternError, globMatch } from '../util/glob.js';

export const legacyLabelNameRe = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const str = z.string({ error: 'expected a string' });

export const duration = z.string({ error: 'expected a duration such as "15s"' }).transform((s, ctx) => {
  const ms = tryParseDuration(s);
  if (ms === null) {
    ctx.issues.push({ code: 'custom', message: `invalid duration ${JSON.stringify(s)}: use a number and a unit (ms, s, m, h, d, w, y), e.g. "15s" or "1m30s"`, input: s });
    return z.NEVER;
  }
  return ms;
});

export const byteSize = z.string({ error: 'expected a size such as "10MB"' }).transform((s, ctx) => {
  const n = parseByteSize(s);
  if (n === null) {
    ctx.issues.push({ code: 'custom', message: `invalid size ${JSON.stringify(s)}: use a number and a unit (B, KB, MB, GB, KiB…), e.g. "10MB"`, input: s });
    return z.NEVER;
  }
  return n;
});

export const uint = z.string({ error: 'expected a non-negative integer' }).transform((s, ctx) => {
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    ctx.issues.push({ code: 'custom', message: `invalid non-negative integer ${JSON.stringify(s)}`, input: s });
    return z.NEVER;
  }
  return Number(s);
});

/** A non-negative float (YAML scalar, as Go's ParseFloat reads it). */
export const nonNegativeFloat = z.string({ error: 'expected a non-negative number' }).transform((s, ctx) => {
  const v = /^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim()) ? Number(s) : NaN;
  if (!(v >= 0) || v === Infinity) {
    ctx.issues.push({ code: 'custom', message: `invalid non-negative number ${JSON.stringify(s)}`, input: s });
    return z.NEVER;
  }
  return v;
});

export const bool = z.string({ error: 'expected true or false' }).transform((s, ctx) => {
  const v = ({ true: true, false: false, True: true, False: false, TRUE: true, FALSE: false } as Record<string, boolean>)[s];
  if (v === undefined) {
    ctx.issues.push({ code: 'custom', message: `invalid boolean ${JSON.stringify(s)}: use true or false`, input: s });
    return z.NEVER;
  }
  return v;
});

/** `labels:` / `external_labels:` maps: valid names, string values. */
export const labelMap = z.record(z.string(), z.string({ error: 'label values must be strings' })).superRefine((m, ctx) => {
  for (const name of Object.keys(m)) {
    if (!legacyLabelNameRe.test(name)) ctx.issues.push({ code: 'custom', message: `${JSON.stringify(name)} is not a valid label name`, path: [name], input: name });
  }
});

export const stringList = z.array(str, { error: 'expected a list of strings' });

/** File paths that may be patterns (Go's filepath.Match syntax, main/util/glob.ts): a malformed pattern is refused at load. */
export const filePatterns = stringList.superRefine((files, ctx) => {
  files.forEach((f, i) => {
    try {
      globMatch(f, '');
    } catch (err) {
      if (!(err instanceof GlobPatternError)) throw err;
      ctx.issues.push({ code: 'custom', message: err.message, path: [i], input: f });
    }
  });
});

const basicAuth = z.strictObject({
  username: str.default(''),
  username_file: str.default(''),
  password: str.default(''),
  password_file: str.default(''),
});

const authorization = z.strictObject({
  type: str.default('Bearer'),
  credentials: str.default(''),
  credentials_file: str.default(''),
});

const tlsVersions = ['TLS10', 'TLS11', 'TLS12', 'TLS13'] as const;

export const tlsConfig = z.strictObject({
  ca: str.default(''),
  ca_file: str.default(''),
  cert: str.default(''),
  cert_file: str.default(''),
  key: str.default(''),
  key_file: str.default(''),
  server_name: str.default(''),
  insecure_skip_verify: bool.default(false),
  min_version: z.enum(tlsVersions, { error: (iss) => `unknown TLS version ${JSON.stringify(iss.input)}: use one of ${tlsVersions.join(', ')}` }).optional(),
  max_version: z.enum(tlsVersions, { error: (iss) => `unknown TLS version ${JSON.stringify(iss.input)}: use one of ${tlsVersions.join(', ')}` }).optional(),
});
export type TlsConfig = z.output<typeof tlsConfig>;

/** Prometheus' ProxyConfig, inlined in the HTTP client config and in oauth2. */
const proxyFields = {
  proxy_url: str.optional(),
  no_proxy: str.optional(),
  proxy_from_environment: bool.optional(),
  /** Header name → values (secrets), sent on CONNECT to the proxy. */
  proxy_connect_header: z.record(z.string(), stringList).optional(),
};

export interface ProxyConfigLike {
  proxy_url?: string | undefined;
  no_proxy?: string | undefined;
  proxy_from_environment?: boolean | undefined;
  proxy_connect_header?: Record<string, string[]> | undefined;
}

/** ProxyConfig.Validate with Prometheus' messages, plus the proxy schemes Vigil can speak. */
function validateProxy(c: ProxyConfigLike, fail: (message: string) => void): void {
  const url = c.proxy_url ?? '';
  const fromEnv = c.proxy_from_environment === true;
  if (Object.keys(c.proxy_connect_header ?? {}).length > 0 && !fromEnv && url === '') {
    fail('if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured');
  }
  if (fromEnv && url !== '') fail('if proxy_from_environment is configured, proxy_url must not be configured');
  if (fromEnv && (c.no_proxy ?? '') !== '') fail('if proxy_from_environment is configured, no_proxy must not be configured');
  if (url === '' && (c.no_proxy ?? '') !== '') fail('if no_proxy is configured, proxy_url must also be configured');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    fail(`unsupported proxy scheme ${JSON.stringify(scheme)} in proxy_url: Vigil speaks to http and https proxies`);
  }
}

const oauth2 = z.strictObject({
  client_id: str.default(''),
  client_secret: str.default(''),
  client_secret_file: str.default(''),
  scopes: stringList.default([]),
  token_url: str.default(''),
  endpoint_params: z.record(z.string(), str).default({}),
  tls_config: tlsConfig.optional(),
  ...proxyFields,
});

/** Prometheus' common.HTTPClientConfig fields, spread into every config that makes requests. */
export const httpClientFields = {
  basic_auth: basicAuth.optional(),
  authorization: authorization.optional(),
  oauth2: oauth2.optional(),
  bearer_token: str.optional(),
  bearer_token_file: str.optional(),
  tls_config: tlsConfig.optional(),
  ...proxyFields,
  follow_redirects: bool.default(true),
  enable_http2: bool.default(true),
};

export interface HttpClientConfigLike extends ProxyConfigLike {
  basic_auth?: z.output<typeof basicAuth> | undefined;
  authorization?: z.output<typeof authorization> | undefined;
  oauth2?: z.output<typeof oauth2> | undefined;
  bearer_token?: string | undefined;
  bearer_token_file?: string | undefined;
  tls_config?: TlsConfig | undefined;
}

/** Where validation reports a problem: a field (relative path) and Prometheus' message. */
export type Report = (path: readonly (string | number)[], message: string) => void;

/** A Report that adds zod issues to a refinement/transform context, under `prefix`. */
export function reporter(ctx: { issues: z.core.$ZodRawIssue[] }, prefix: readonly (string | number)[] = []): Report {
  return (path, message) => ctx.issues.push({ code: 'custom', message, path: [...prefix, ...path], input: undefined });
}

/**
 * Prometheus' HTTPClientConfig.Validate, with its messages. Folds the legacy bearer_token(_file)
 * into `authorization` as Prometheus does, so consumers only look at one place.
 */
export function validateHttpClient<T extends HttpClientConfigLike>(c: T, report: Report): T {
  const fail = (message: string, field: string) => report([field], message);
  const bearer = (c.bearer_token ?? '') !== '' || (c.bearer_token_file ?? '') !== '';
  if ((c.bearer_token ?? '') !== '' && (c.bearer_token_file ?? '') !== '') {
    fail('at most one of bearer_token & bearer_token_file must be configured', 'bearer_token');
  }
  if ((c.basic_auth !== undefined || c.oauth2 !== undefined) && bearer) {
    fail('at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured', 'basic_auth');
  }
  if (c.basic_auth !== undefined) {
    if (c.basic_auth.username !== '' && c.basic_auth.username_file !== '') {
      fail('at most one of basic_auth username & username_file must be configured', 'basic_auth');
    }
    if (c.basic_auth.password !== '' && c.basic_auth.password_file !== '') {
      fail('at most one of basic_auth password & password_file must be configured', 'basic_auth');
    }
  }
  if (c.authorization !== undefined) {
    if (bearer) fail('authorization is not compatible with bearer_token & bearer_token_file', 'authorization');
    if (c.authorization.credentials !== '' && c.authorization.credentials_file !== '') {
      fail('at most one of authorization credentials & credentials_file must be configured', 'authorization');
    }
    if (c.authorization.type.toLowerCase() === 'basic') {
      fail('authorization type cannot be set to "basic", use "basic_auth" instead', 'authorization');
    }
    if (c.basic_auth !== undefined || c.oauth2 !== undefined) fail('at most one of basic_auth, oauth2 & authorization must be configured', 'authorization');
  }
  if (c.oauth2 !== undefined) {
    const o = c.oauth2;
    if (c.basic_auth !== undefined) fail('at most one of basic_auth, oauth2 & authorization must be configured', 'oauth2');
    if (o.client_id === '') fail('oauth2 client_id must be configured', 'oauth2');
    if (o.token_url === '') fail('oauth2 token_url must be configured', 'oauth2');
    if (o.client_secret !== '' && o.client_secret_file !== '') fail('at most one of oauth2 client_secret & client_secret_file must be configured', 'oauth2');
  }
  validateProxy(c, (message) => fail(message, 'proxy_url'));
  if (c.oauth2 !== undefined) validateProxy(c.oauth2, (message) => fail(message, 'oauth2'));
  const t = c.tls_config;
  if (t !== undefined) {
    for (const [inline, file] of [['ca', 'ca_file'], ['cert', 'cert_file'], ['key', 'key_file']] as const) {
      if (t[inline] !== '' && t[file] !== '') fail(`at most one of ${inline} and ${file} must be configured`, 'tls_config');
    }
    if ((t.cert !== '' || t.cert_file !== '') !== (t.key !== '' || t.key_file !== '')) {
      fail('exactly one of key and key_file must be configured when a client certificate is configured', 'tls_config');
    }
  }
  if (bearer && c.authorization === undefined) {
    return {
      ...c,
      authorization: { type: 'Bearer', credentials: c.bearer_token ?? '', credentials_file: c.bearer_token_file ?? '' },
      bearer_token: undefined,
      bearer_token_file: undefined,
    };
  }
  return c;
}
