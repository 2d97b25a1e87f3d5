import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpSdConfig } from '../../../../main/config/schema-sd.js';
import { HttpDiscoverer } from '../../../../main/scrape/sd/http.js';

const openssl = '/usr/bin/openssl';
const missing = !existsSync(openssl);

describe.skipIf(missing)(`HTTP SD over TLS (skipped: ${openssl} is not installed)`, () => {
  let dir = '';
  let server: https.Server;
  let url = '';
  let ca = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-httpsd-tls-'));
    const key = join(dir, 'key.pem');
    ca = join(dir, 'cert.pem');
    const r = spawnSync(openssl, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', ca,
      '-days', '1', '-subj', '/CN=sd.test', '-addext', 'subjectAltName=DNS:sd.test',
    ]);
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
    server = https.createServer({ key: readFileSync(key), cert: readFileSync(ca) }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify([{ targets: ['h:1'] }]));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/sd`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    rmSync(dir, { recursive: true, force: true });
  });

  const cfg = (tls: NonNullable<HttpSdConfig['tls_config']>): HttpSdConfig => ({ url, refresh_interval: 60_000, follow_redirects: true, enable_http2: true, tls_config: tls });
  const tls = { ca: '', ca_file: '', cert: '', cert_file: '', key: '', key_file: '', server_name: '', insecure_skip_verify: false };

  it('verifies the server with ca_file and server_name', async () => {
    const groups = await new HttpDiscoverer(cfg({ ...tls, ca_file: ca, server_name: 'sd.test' })).refresh();
    expect(groups[0]!.targets).toEqual([{ __address__: 'h:1' }]);
  });

  it('refuses an unknown CA, unless insecure_skip_verify', async () => {
    await expect(new HttpDiscoverer(cfg(tls)).refresh()).rejects.toThrow(`HTTP SD ${url}`);
    const groups = await new HttpDiscoverer(cfg({ ...tls, insecure_skip_verify: true })).refresh();
    expect(groups).toHaveLength(1);
  });
});
