import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScrapeLoop } from '../../../main/scrape/loop.js';
import { tempDir } from '../helpers.js';
import { MemoryAppendable, makeTarget } from './loop-fixtures.js';

const openssl = '/usr/bin/openssl';
const missing = !existsSync(openssl);
if (missing) console.warn(`skipping scrape TLS tests: ${openssl} is not installed`);

describe.skipIf(missing)('scraping over TLS', () => {
  const tmp = tempDir('vigil-scrape-tls-');
  let server: https.Server;
  let url = '';
  const ca = join(tmp.dir, 'cert.pem');
  const tokenFile = join(tmp.dir, 'token');
  let lastAuth = '';

  beforeAll(async () => {
    const key = join(tmp.dir, 'key.pem');
    const r = spawnSync(openssl, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', ca,
      '-days', '1', '-subj', '/CN=vigil-test', '-addext', 'subjectAltName=IP:127.0.0.1',
    ]);
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
    server = https.createServer({ key: readFileSync(key), cert: readFileSync(ca) }, (req, res) => {
      lastAuth = req.headers.authorization ?? '';
      res.end('tls_ok 1\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    tmp.cleanup();
  });

  const tls = { caFile: '', certFile: '', keyFile: '', serverName: '', insecureSkipVerify: false, minVersion: '' };

  it('verifies the server against ca_file and re-reads credentials_file on every scrape', async () => {
    writeFileSync(tokenFile, 'first\n');
    const db = new MemoryAppendable();
    const loop = new ScrapeLoop(
      makeTarget({ url, tls: { ...tls, caFile: ca }, auth: { kind: 'authorization', type: 'Bearer', credentials: '', credentialsFile: tokenFile } }),
      { appendable: db },
    );
    expect((await loop.scrapeOnce()).error).toBe('');
    expect(lastAuth).toBe('Bearer first');
    writeFileSync(tokenFile, 'second\n');
    await loop.scrapeOnce();
    expect(lastAuth).toBe('Bearer second');
    await loop.stop();
  });

  it('refuses an unknown CA unless insecure_skip_verify', async () => {
    const strict = new ScrapeLoop(makeTarget({ url, tls }), { appendable: new MemoryAppendable() });
    expect((await strict.scrapeOnce()).error).toMatch(/^Get "https:\/\/127\.0\.0\.1:\d+\/metrics": self.signed certificate/);
    await strict.stop();
    const lax = new ScrapeLoop(makeTarget({ url, tls: { ...tls, insecureSkipVerify: true } }), { appendable: new MemoryAppendable() });
    expect((await lax.scrapeOnce()).error).toBe('');
    await lax.stop();
  });

  it('sends the username from basic_auth.username_file (not an empty user)', async () => {
    const userFile = join(tmp.dir, 'user');
    writeFileSync(userFile, 'scraper\n');
    const loop = new ScrapeLoop(
      makeTarget({ url, tls: { ...tls, caFile: ca }, auth: { kind: 'basic', username: '', usernameFile: userFile, password: 'p', passwordFile: '' } }),
      { appendable: new MemoryAppendable() },
    );
    expect((await loop.scrapeOnce()).error).toBe('');
    expect(lastAuth).toBe('Basic ' + Buffer.from('scraper:p').toString('base64'));
    await loop.stop();
  });

  it('trusts an inline tls_config.ca', async () => {
    const loop = new ScrapeLoop(makeTarget({ url, tls: { ...tls, ca: readFileSync(ca, 'utf8') } }), { appendable: new MemoryAppendable() });
    expect((await loop.scrapeOnce()).error).toBe('');
    await loop.stop();
  });

  it('names an unreadable file in the error', async () => {
    const loop = new ScrapeLoop(makeTarget({ url, tls: { ...tls, caFile: '/nonexistent/ca.pem' } }), { appendable: new MemoryAppendable() });
    const r = await loop.scrapeOnce();
    expect(r.failure).toBe('config');
    expect(r.error).toMatch(/^unable to load specified CA cert \/nonexistent\/ca\.pem: ENOENT/);
    await loop.stop();
  });
});
