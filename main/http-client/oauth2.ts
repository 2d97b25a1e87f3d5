/**
 * OAuth2 client credentials, as Prometheus' oauth2 config does (golang.org/x/oauth2/clientcredentials):
 * POST `grant_type=client_credentials` (plus scopes and endpoint_params) to token_url with the
 * client id and secret as HTTP basic auth, and reuse the token until 10 s before it expires.
 */
import { Buffer } from 'node:buffer';
import { httpRequest, type HttpResponse } from './request.js';
import { readSecret } from './secret.js';
import type { OAuth2Settings } from './settings.js';
import { nodeTlsOptions } from './tls.js';

interface CachedToken {
  /** The client secret the token was issued for: a rotated secret file gets a new token. */
  readonly secret: string;
  readonly header: string;
  /** ms since the epoch; Infinity when the server gave no expires_in. */
  readonly expiresAtMs: number;
}

/** golang.org/x/oauth2's expiryDelta: a token this close to expiry counts as expired. */
const expiryDeltaMs = 10_000;
const tokenTimeoutMs = 30_000;
const maxTokenBody = 1024 * 1024;

const cache = new WeakMap<OAuth2Settings, CachedToken>();

/** Go's url.QueryEscape, which x/oauth2 applies to the id and secret before basic auth. */
const queryEscape = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

async function fetchToken(cfg: OAuth2Settings, secret: string, nowMs: number): Promise<CachedToken> {
  const where = `oauth2 token_url ${cfg.tokenUrl}`;
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (cfg.scopes.length > 0) form.set('scope', cfg.scopes.join(' '));
  for (const [k, v] of Object.entries(cfg.endpointParams)) form.set(k, v);
  const basic = Buffer.from(`${queryEscape(cfg.clientId)}:${queryEscape(secret)}`).toString('base64');
  let res: HttpResponse;
  try {
    res = await httpRequest(new URL(cfg.tokenUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}`, Accept: 'application/json' },
      body: form.toString(),
      tls: nodeTlsOptions(cfg.tls),
      proxy: cfg.proxy,
      timeoutMs: tokenTimeoutMs,
      maxBodyBytes: maxTokenBody,
      followRedirects: true,
    });
  } catch (err) {
    throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = res.body.toString('utf8');
  if (res.status < 200 || res.status > 299) throw new Error(`${where}: cannot fetch token: HTTP ${res.status}: ${text.slice(0, 200)}`);
  let data: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    // Some servers answer form-encoded, which x/oauth2 also accepts.
    const f = new URLSearchParams(text);
    data = { access_token: f.get('access_token') ?? undefined, token_type: f.get('token_type') ?? undefined, expires_in: f.get('expires_in') ?? undefined };
  }
  if (typeof data.access_token !== 'string' || data.access_token === '') throw new Error(`${where}: server response missing access_token`);
  const rawType = typeof data.token_type === 'string' && data.token_type !== '' ? data.token_type : 'Bearer';
  // x/oauth2's Token.Type(): "bearer" in any case is sent as "Bearer".
  const type = rawType.toLowerCase() === 'bearer' ? 'Bearer' : rawType;
  const expiresIn = Number(data.expires_in);
  const expiresAtMs = data.expires_in !== undefined && Number.isFinite(expiresIn) && expiresIn > 0 ? nowMs + expiresIn * 1000 : Infinity;
  return { secret, header: `${type} ${data.access_token}`, expiresAtMs };
}

/** The `Authorization` header for an OAuth2 config: a cached token, or a new one when it is (about to be) expired. */
export async function oauth2Header(cfg: OAuth2Settings, nowMs = Date.now()): Promise<string> {
  const secret = await readSecret(cfg.clientSecret, cfg.clientSecretFile, 'oauth2 client_secret_file');
  const cached = cache.get(cfg);
  if (cached !== undefined && cached.secret === secret && cached.expiresAtMs - expiryDeltaMs > nowMs) return cached.header;
  const token = await fetchToken(cfg, secret, nowMs);
  cache.set(cfg, token);
  return token.header;
}
