/**
 * Prometheus' HTTP client fields for files written in typed YAML: receivers' http_config and
 * blackbox modules. They use the prometheus.yml schema and its validation; that schema takes every
 * scalar as its source text (the prometheus.yml loader's convention), so typed values are turned
 * back into text first: `follow_redirects: false` and `"false"` read the same.
 */
import { z } from 'zod';
import { httpClientFields, reporter, tlsConfig, validateHttpClient, type HttpClientConfigLike } from '../config/schema-common.js';
import type { ProxySettings } from './proxy.js';
import { authSettings, proxySettings, tlsSettings, type HttpAuth, type TlsSettings } from './settings.js';

function scalarsAsText(v: unknown): unknown {
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(scalarsAsText);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scalarsAsText(x)]));
  return v;
}

const typed = <T extends z.ZodType>(schema: T) => z.preprocess(scalarsAsText, schema);

/** tls_config in typed YAML; absent means all defaults (verify against the system roots). */
export const typedTlsConfig = typed(tlsConfig.prefault({}));

/** httpClientFields for typed YAML, to spread into a strict object. */
export const typedHttpClientFields = {
  basic_auth: typed(httpClientFields.basic_auth),
  authorization: typed(httpClientFields.authorization),
  oauth2: typed(httpClientFields.oauth2),
  bearer_token: typed(httpClientFields.bearer_token),
  bearer_token_file: typed(httpClientFields.bearer_token_file),
  tls_config: typedTlsConfig,
  proxy_url: typed(httpClientFields.proxy_url),
  no_proxy: typed(httpClientFields.no_proxy),
  proxy_from_environment: typed(httpClientFields.proxy_from_environment),
  proxy_connect_header: typed(httpClientFields.proxy_connect_header),
  follow_redirects: typed(httpClientFields.follow_redirects),
  enable_http2: typed(httpClientFields.enable_http2),
};

/** Prometheus' HTTPClientConfig.Validate as a zod refinement step (bearer_token folded into authorization). */
export function validatedHttpClient<T extends HttpClientConfigLike>(c: T, ctx: { issues: z.core.$ZodRawIssue[] }): T {
  return validateHttpClient(c, reporter(ctx));
}

/** What a receiver needs to send: auth, TLS, the redirect policy and the proxy. */
export interface HttpClientSettings {
  readonly auth: HttpAuth;
  readonly tls: TlsSettings;
  readonly followRedirects: boolean;
  readonly proxy: ProxySettings;
  /** enable_http2 (default true): offer h2 over TLS. */
  readonly http2: boolean;
}

export const httpConfigSchema = z.strictObject(typedHttpClientFields).transform((c, ctx): HttpClientSettings => {
  const v = validatedHttpClient(c, ctx);
  return { auth: authSettings(v), tls: tlsSettings(v.tls_config), followRedirects: v.follow_redirects, proxy: proxySettings(v), http2: v.enable_http2 };
});
