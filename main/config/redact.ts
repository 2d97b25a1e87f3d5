/**
 * A copy of a config safe to show in the renderer or log: every secret (passwords, credentials,
 * bearer tokens, inline TLS keys, remote-write header values, passwords inside URLs) becomes
 * `<secret>`. File paths of secrets stay visible: they are not secret, and users need them.
 */
import { stringify } from 'yaml';
import { formatDuration } from '../../app/dialect/duration.js';
import type { Config } from './schema.js';

export const secretMarker = '<secret>';

const secretKeys = new Set(['password', 'credentials', 'bearer_token', 'key', 'client_secret']);
const urlKeys = new Set(['url', 'proxy_url']);

function redactUrl(text: string): string {
  try {
    const u = new URL(text);
    if (u.password === '') return text;
    u.password = 'secret';
    return u.toString().replace(':secret@', `:${secretMarker}@`);
  } catch {
    return text;
  }
}

function walk(value: unknown, parentKey: string, depth: number): unknown {
  if (depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, parentKey, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (parentKey === 'headers' && typeof v === 'string') out[k] = secretMarker;
    else if (secretKeys.has(k) && typeof v === 'string' && v !== '') out[k] = secretMarker;
    else if (urlKeys.has(k) && typeof v === 'string') out[k] = redactUrl(v);
    else out[k] = walk(v, k, depth + 1);
  }
  return out;
}

/** Same shape as the config, secrets replaced. */
export function redactConfig(cfg: Config): Config {
  return walk(cfg, '', 0) as Config;
}

// Fields the loader turned into milliseconds / bytes; printed back the way the user wrote them.
const durationKeys = new Set([
  'scrape_interval',
  'scrape_timeout',
  'evaluation_interval',
  'rule_query_offset',
  'refresh_interval',
  'timeout',
  'remote_timeout',
  'batch_send_deadline',
  'min_backoff',
  'max_backoff',
  'sample_age_limit',
  'send_interval',
]);

function forDisplay(value: unknown, key: string, depth: number): unknown {
  if (depth > 32) return value;
  if (typeof value === 'number' && durationKeys.has(key)) return formatDuration(value);
  if (typeof value === 'number' && key === 'body_size_limit') return value === 0 ? '0' : `${value}B`;
  if (Array.isArray(value)) return value.map((v) => forDisplay(v, key, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = forDisplay(v, k, depth + 1);
  return out;
}

/**
 * The running config as prometheus.yml text with defaults filled in and secrets redacted, as
 * Prometheus serves it at /api/v1/status/config. Loading this text gives the same config back
 * (secrets aside).
 */
export function configYaml(cfg: Config): string {
  return stringify(forDisplay(redactConfig(cfg), '', 0), { lineWidth: 0 });
}
