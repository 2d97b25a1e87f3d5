import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchApi } from '../../../app/api/channels.js';
import { HttpServer, listenRefusal } from '../../../main/api/http-server.js';
import { loadWebConfig, parseWebConfig, WebConfigError } from '../../../main/api/web-config.js';
import { parseServeFlags, serveCommand } from '../../../main/cli/serve.js';
import { UsageError } from '../../../main/cli/command.js';
import { silentLogger } from '../../../main/util/log.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-webcfg-'));
const hash = bcrypt.hashSync('s3cret', 4);

function writeWebConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function get(port: number, auth: string | null, ca: Buffer): Promise<{ status: number; body: string; wwwAuth?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: '/ping', method: 'GET', ca, headers: { ...(auth ? { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}) } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers['www-authenticate'] ? { wwwAuth: String(res.headers['www-authenticate']) } : {}) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--web.config.file: TLS and basic auth', () => {
  let server: HttpServer;
  let cert: Buffer;
  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt')], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'server.crt'));
    // Relative paths resolve against the web config's directory, as in Prometheus.
    const file = writeWebConfig('web.yml', `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  alice: ${hash}\n`);
    const webConfig = await loadWebConfig(file);
    server = new HttpServer({ api: {} as WorkbenchApi, rendererDir: '/nonexistent', port: 0, logger: silentLogger, webConfig });
    server.route('/ping', (_req, res) => void res.writeHead(200).end('pong'));
    await server.listen();
  });
  afterAll(() => server?.close());

  it('serves over TLS to a user with the right password', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await get(server.port, 'alice:s3cret', cert);
    expect(r).toMatchObject({ status: 200, body: 'pong' });
    // A second request is answered from the verified-credentials cache (no bcrypt cost).
    expect((await get(server.port, 'alice:s3cret', cert)).status).toBe(200);
  });

  it('refuses a wrong password, an unknown user and no credentials with 401 and a Basic challenge', async () => {
    for (const auth of ['alice:wrong', 'bob:s3cret', null]) {
      const r = await get(server.port, auth, cert);
      expect(r.status).toBe(401);
      expect(r.wwwAuth).toMatch(/^Basic realm="Vigil"/);
      expect(JSON.parse(r.body).message).toMatch(/web\.yml/);
    }
  });

  it('plain HTTP to the TLS port gets no answer', async () => {
    await expect(fetch(`http://127.0.0.1:${server.port}/ping`)).rejects.toThrow();
  });
});

describe('listening beyond loopback', () => {
  it('without a web config: refused, saying how', () => {
    expect(listenRefusal('127.0.0.1', null)).toBeNull();
    const why = listenRefusal('0.0.0.0', null);
    expect(why).toMatch(/^refusing to listen on 0\.0\.0\.0 without a web config: pass --web\.config\.file with tls_server_config/);
    expect(() => new HttpServer({ api: {} as WorkbenchApi, rendererDir: '/x', port: 0, host: '0.0.0.0', logger: silentLogger })).toThrow(/--web\.config\.file/);
  });

  it('a web config without TLS, or authenticating no one, is not enough', async () => {
    const noTls = await loadWebConfig(writeWebConfig('auth-only.yml', `basic_auth_users:\n  alice: ${hash}\n`));
    expect(listenRefusal('192.168.1.5', noTls)).toMatch(/has no tls_server_config/);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=x',
      '-keyout', join(dir, 'b.key'), '-out', join(dir, 'b.crt')], { stdio: 'ignore' });
    const tlsOnly = await loadWebConfig(writeWebConfig('tls-only.yml', 'tls_server_config:\n  cert_file: b.crt\n  key_file: b.key\n'));
    expect(listenRefusal('0.0.0.0', tlsOnly)).toMatch(/authenticates no one/);
    const both = await loadWebConfig(writeWebConfig('both.yml', `tls_server_config:\n  cert_file: b.crt\n  key_file: b.key\nbasic_auth_users:\n  alice: ${hash}\n`));
    expect(listenRefusal('0.0.0.0', both)).toBeNull();
  });

  it('vigil serve --listen 0.0.0.0:… refuses to start before touching the data directory', async () => {
    const data = join(dir, 'never-created');
    await expect(serveCommand.run(['--listen', '0.0.0.0:0', '--data', data])).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without a web config: pass --web\.config\.file/);
    expect(() => readFileSync(join(data, 'tsdb'))).toThrow();
  });
});

describe('web config errors name file, line and field', () => {
  it('a password that is not a bcrypt hash', () => {
    const r = parseWebConfig('basic_auth_users:\n  alice: plaintext\n', '/etc/vigil/web.yml');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.errors.map(String).join('\n')).toMatch(/^\/etc\/vigil\/web\.yml:2: basic_auth_users\.alice: must be a bcrypt hash/);
  });

  it('an unknown field (a typo) and a missing certificate file', async () => {
    const r = parseWebConfig('tls_server_config:\n  cert_file: a\n  key_file: b\n  cert_fiel: c\n', 'web.yml');
    expect(r.ok ? '' : r.errors.map(String).join('\n')).toMatch(/web\.yml:4: tls_server_config\.cert_fiel/);
    const file = writeWebConfig('missing.yml', 'tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n');
    await expect(loadWebConfig(file)).rejects.toThrow(WebConfigError);
    await expect(loadWebConfig(file)).rejects.toThrow(/missing\.yml: tls_server_config\.cert_file: cannot read .*nope\.crt/);
  });
});

describe('serve flags', () => {
  it('query limits and listen address', () => {
    const f = parseServeFlags(['--listen', '[::1]:9000', '--query.max-concurrency', '2', '--query.max-samples', '1000', '--query.max-memory', '64MiB', '--query.timeout', '30s']);
    expect(f).toMatchObject({ host: '::1', port: 9000, queryLimits: { maxConcurrent: 2, maxSamples: 1000, maxQueryBytes: 64 * 1024 * 1024, timeoutMs: 30_000 } });
    expect(parseServeFlags([]).queryLimits).toEqual({});
    expect(() => parseServeFlags(['--query.timeout', 'soon'])).toThrow(/--query\.timeout must be a duration/);
    expect(() => parseServeFlags(['--query.max-memory', 'lots'])).toThrow(/--query\.max-memory must be a size/);
    expect(() => parseServeFlags(['--port', '1', '--listen', ':2'])).toThrow(/not both/);
  });

  it.skipIf(process.platform !== 'linux')("this machine's collector flags, as node_exporter's", () => {
    const f = parseServeFlags(['--port', '9', '--no-collector.hwmon', '--collector.disable-defaults', '--collector.cpu']);
    expect(f.hostCollectorFlags).toEqual(['--no-collector.hwmon', '--collector.disable-defaults', '--collector.cpu']);
    expect(f.port).toBe(9);
    expect(() => parseServeFlags(['--collector.gpu'])).toThrow(UsageError);
    expect(() => parseServeFlags(['--collector.gpu'])).toThrow(/unknown collector "gpu" \(known: cpu, meminfo/);
  });
});
