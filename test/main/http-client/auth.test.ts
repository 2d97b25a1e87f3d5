import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';
import { authorizationHeader } from '../../../main/http-client/auth.js';
import { oauth2Header } from '../../../main/http-client/oauth2.js';
import { authSettings, noTls, tlsSettings, type OAuth2Settings } from '../../../main/http-client/settings.js';
import { nodeTlsOptions } from '../../../main/http-client/tls.js';
import { directConnection } from '../../../main/http-client/proxy.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-http-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const basic = (user: string, pass: string): string => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

describe('authorization header', () => {
  it('builds Basic and Bearer headers, reading *_file secrets on each call', async () => {
    expect(await authorizationHeader({ kind: 'none' })).toBeUndefined();
    expect(await authorizationHeader({ kind: 'basic', username: 'u', password: 'p', passwordFile: '' })).toBe(basic('u', 'p'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'one\n');
    const auth = { kind: 'authorization', type: 'Bearer', credentials: '', credentialsFile: tokenFile } as const;
    expect(await authorizationHeader(auth)).toBe('Bearer one');
    writeFileSync(tokenFile, 'two');
    expect(await authorizationHeader(auth)).toBe('Bearer two');
    await expect(authorizationHeader({ ...auth, credentialsFile: join(dir, 'missing') })).rejects.toThrow(/unable to read authorization credentials_file .*missing/);
  });

  it('reads basic_auth username_file and password_file', async () => {
    writeFileSync(join(dir, 'user'), 'alice\n');
    writeFileSync(join(dir, 'pass'), 's3cret\n');
    expect(await authorizationHeader({ kind: 'basic', username: '', usernameFile: join(dir, 'user'), password: '', passwordFile: join(dir, 'pass') })).toBe(basic('alice', 's3cret'));
  });

  it('resolves prometheus.yml auth: username_file, legacy bearer_token, oauth2', () => {
    const r = parseConfig(
      `scrape_configs:
  - job_name: a
    basic_auth: {username_file: /u, password: p}
  - job_name: b
    bearer_token: tok
  - job_name: c
    oauth2: {client_id: id, client_secret: s, token_url: "http://127.0.0.1:1/token", scopes: [x, y], endpoint_params: {audience: z}}
`,
      'p.yml',
    );
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const [a, b, c] = r.config.scrape_configs.map(authSettings);
    expect(a).toEqual({ kind: 'basic', username: '', usernameFile: '/u', password: 'p', passwordFile: '' });
    expect(b).toEqual({ kind: 'authorization', type: 'Bearer', credentials: 'tok', credentialsFile: '' });
    expect(c).toMatchObject({ kind: 'oauth2', clientId: 'id', clientSecret: 's', tokenUrl: 'http://127.0.0.1:1/token', scopes: ['x', 'y'], endpointParams: { audience: 'z' } });
  });

  it.each([
    ['oauth2: {client_id: a, token_url: "http://t"}\n    basic_auth: {username: u}', 'at most one of basic_auth, oauth2 & authorization must be configured'],
    ['oauth2: {token_url: "http://t"}', 'oauth2 client_id must be configured'],
    ['oauth2: {client_id: a}', 'oauth2 token_url must be configured'],
    ['oauth2: {client_id: a, token_url: "http://t", client_secret: s, client_secret_file: f}', 'at most one of oauth2 client_secret & client_secret_file must be configured'],
    ['oauth2: {client_id: a, token_url: "http://t"}\n    bearer_token: x', 'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured'],
  ])('refuses %j with Prometheus\' message', (fields, message) => {
    const r = parseConfig(`scrape_configs:\n  - job_name: a\n    ${fields}\n`, 'p.yml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toContain(message);
  });
});

describe('tls options', () => {
  it('maps tls settings onto node options; inline PEM is used as given', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, 'PEM');
    expect(nodeTlsOptions({ ...noTls, caFile: ca, serverName: 'x.example', insecureSkipVerify: true, minVersion: 'TLS12', maxVersion: 'TLS13' })).toEqual({
      ca: 'PEM',
      servername: 'x.example',
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
    });
    expect(nodeTlsOptions(tlsSettings({ ca: 'INLINE', ca_file: '', cert: 'C', cert_file: '', key: 'K', key_file: '', server_name: '', insecure_skip_verify: false }))).toEqual({
      ca: 'INLINE',
      cert: 'C',
      key: 'K',
      rejectUnauthorized: true,
    });
    expect(() => nodeTlsOptions({ ...noTls, certFile: ca, keyFile: join(dir, 'nokey') })).toThrow(/unable to use specified client cert .* & key .*nokey/);
    expect(() => nodeTlsOptions({ ...noTls, caFile: join(dir, 'noca') })).toThrow(/unable to load specified CA cert .*noca/);
  });
});

describe('oauth2 client credentials', () => {
  let server: http.Server;
  let tokenUrl = '';
  const requests: { auth: string; form: URLSearchParams; contentType: string }[] = [];
  let expiresIn = 3600;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        requests.push({ auth: req.headers.authorization ?? '', form: new URLSearchParams(body), contentType: req.headers['content-type'] ?? '' });
        if (req.headers.authorization !== basic('client', 'secret-2') && req.headers.authorization !== basic('client', 'secret-1')) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `t${requests.length}`, token_type: 'bearer', expires_in: expiresIn }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const settings = (over: Partial<OAuth2Settings> = {}): OAuth2Settings => ({
    clientId: 'client',
    clientSecret: 'secret-1',
    clientSecretFile: '',
    tokenUrl,
    scopes: ['read', 'write'],
    endpointParams: { audience: 'vigil' },
    tls: noTls,
    proxy: directConnection,
    ...over,
  });

  it('posts client credentials with scopes and endpoint params, and caches the token until 10 s before expiry', async () => {
    requests.length = 0;
    expiresIn = 60;
    const cfg = settings();
    const t0 = 1_000_000;
    expect(await oauth2Header(cfg, t0)).toBe('Bearer t1');
    expect(requests[0]).toMatchObject({ auth: basic('client', 'secret-1'), contentType: 'application/x-www-form-urlencoded' });
    expect(Object.fromEntries(requests[0]!.form)).toEqual({ grant_type: 'client_credentials', scope: 'read write', audience: 'vigil' });
    expect(await oauth2Header(cfg, t0 + 49_000)).toBe('Bearer t1');
    expect(requests).toHaveLength(1);
    expect(await oauth2Header(cfg, t0 + 51_000)).toBe('Bearer t2');
    expect(requests).toHaveLength(2);
  });

  it('reads client_secret_file on each use and fetches a new token when the secret changes', async () => {
    requests.length = 0;
    expiresIn = 3600;
    const file = join(dir, 'client-secret');
    writeFileSync(file, 'secret-1\n');
    const cfg = settings({ clientSecret: '', clientSecretFile: file });
    const auth = { kind: 'oauth2', ...cfg } as const;
    expect(await authorizationHeader(auth)).toBe('Bearer t1');
    expect(await authorizationHeader(auth)).toBe('Bearer t1');
    writeFileSync(file, 'secret-2\n');
    expect(await authorizationHeader(auth)).toBe('Bearer t2');
    expect(requests.map((r) => r.auth)).toEqual([basic('client', 'secret-1'), basic('client', 'secret-2')]);
  });

  it('names the token URL and the status when the server refuses', async () => {
    await expect(oauth2Header(settings({ clientSecret: 'wrong' }))).rejects.toThrow(`oauth2 token_url ${tokenUrl}: cannot fetch token: HTTP 401`);
  });
});
