/**
 * OAuth2 client credentials, as Prometheus' oauth2 config does (golang.org/x/oauth2/clientcredentials):
 * POST `grant_type=client_credentials` (plus scopes and endpoint_params) to token_url with the
 * client id and secret as HTTP basic auth, and reuse the token until 10 s before it expires.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
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

function post(url: URL, body: string, headers: Record<string, string>, cfg: OAuth2Settings): Promise<{ status: number; body: string }> {
  const mod = url.protocol === 'https:' ? https : http;
  const tls = url.protocol === 'https:' ? nodeTlsOptions(cfg.tls) : {};
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, timeout: tokenTimeoutMs, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxTokenBody) req.destroy(new Error(`token response larger than ${maxTokenBody} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${tokenTimeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Go's url.QueryEscape, which x/oauth2 applies to the id and secret before basic auth. */
const queryEscape = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

async function fetchToken(cfg: OAuth2Settings, secret: string, nowMs: number): Promise<CachedToken> {
  const where = `oauth2 token_url ${cfg.tokenUrl}`;
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (cfg.scopes.length > 0) form.set('scope', cfg.scopes.join(' '));
  for (const [k, v] of Object.entries(cfg.endpointParams)) form.set(k, v);
  const basic = Buffer.from(`${queryEscape(cfg.clientId)}:${queryEscape(secret)}`).toString('base64');
  let res: { status: number; body: string };
  try {
    res = await post(new URL(cfg.tokenUrl), form.toString(), { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}`, Accept: 'application/json' }, cfg);
  } catch (err) {
    throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (res.status < 200 || res.status > 299) throw new Error(`${where}: cannot fetch token: HTTP ${res.status}: ${res.body.slice(0, 200)}`);
  let data: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
  try {
    data = JSON.parse(res.body) as typeof data;
  } catch {
    // Some servers answer form-encoded, which x/oauth2 also accepts.
    const f = new URLSearchParams(res.body);
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
