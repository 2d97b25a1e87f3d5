/**
 * The http_config block of Alertmanager-style files (notification receivers), read with the same
 * schema and Prometheus validation as prometheus.yml's HTTP client fields. That schema takes every
 * scalar as its source text (the prometheus.yml loader's convention), so typed YAML values are
 * turned back into text first: `follow_redirects: false` and `"false"` read the same.
 */
import { z } from 'zod';
import { httpClientFields, reporter, validateHttpClient } from '../config/schema-common.js';
import { authSettings, tlsSettings, type HttpAuth, type TlsSettings } from './settings.js';

function scalarsAsText(v: unknown): unknown {
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(scalarsAsText);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scalarsAsText(x)]));
  return v;
}

/** What a receiver needs to send: auth, TLS and the redirect policy. */
export interface HttpClientSettings {
  readonly auth: HttpAuth;
  readonly tls: TlsSettings;
  readonly followRedirects: boolean;
}

export const httpConfigSchema = z.preprocess(scalarsAsText, z.strictObject(httpClientFields)).transform(
  (c, ctx): HttpClientSettings => {
    const v = validateHttpClient(c, reporter(ctx));
    return { auth: authSettings(v), tls: tlsSettings(v.tls_config), followRedirects: v.follow_redirects };
  },
);
