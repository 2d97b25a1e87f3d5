import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runProbe } from '../../../main/probe/runner.js';
import { tempDir } from '../helpers.js';
import { makePki, type Pki } from './fixtures-pki.js';
import { h2Server, httpServer, httpsServer, type Closable } from './fixtures-servers.js';
import { logText, moduleFrom, names, sample } from './helpers.js';

const opensslMissing = spawnSync('openssl', ['version']).status !== 0;

describe.skipIf(opensslMissing)('http prober against local HTTPS servers (openssl-generated chain)', () => {
  const tmp = tempDir('vigil-probe-http-');
  let pki: Pki;
  const servers: Record<string, Closable> = {};
  const url = (name: string, path = '/'): string => `https://127.0.0.1:${servers[name]!.port}${path}`;
  const secure = (): string => `prober: http\ntimeout: 5s\nhttp:\n  tls_config:\n    ca_file: ${pki.rootCrt}`;

  beforeAll(async () => {
    pki = makePki(tmp.dir);
    servers['good'] = await httpsServer(pki, 'leaf', ['int']);
    servers['expired'] = await httpsServer(pki, 'oldleaf', ['oldint']);
    servers['wronghost'] = await httpsServer(pki, 'wronghost', ['int']);
    servers['self'] = await httpsServer(pki, 'self', []);
    servers['tls12'] = await httpsServer(pki, 'leaf', ['int'], { maxVersion: 'TLSv1.2' });
    servers['plain'] = await httpServer();
    servers['h2'] = await h2Server(pki);
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()));
    tmp.cleanup();
  });

  it('verifies root → intermediate → leaf and reports blackbox TLS metrics plus per-certificate series', async () => {
    const r = await runProbe(moduleFrom(secure()), url('good'));
    expect(r.success, logText(r)).toBe(true);
    const leaf = new X509Certificate(pki.pem('leaf.crt'));
    const int = new X509Certificate(pki.pem('int.crt'));
    const root = new X509Certificate(pki.pem('root.crt'));
    const sec = (c: X509Certificate): number => Math.floor(Date.parse(c.validTo) / 1000);
    expect(sample(r, 'probe_http_status_code')).toBe(200);
    expect(sample(r, 'probe_http_ssl')).toBe(1);
    expect(sample(r, 'probe_http_version')).toBe(1.1);
    expect(sample(r, 'probe_http_content_length')).toBe(-1);
    expect(sample(r, 'probe_http_uncompressed_body_length')).toBe(3);
    expect(sample(r, 'probe_ip_protocol')).toBe(4);
    expect(sample(r, 'probe_ip_addr_hash')).toBe(3668918509);
    expect(sample(r, 'probe_ssl_earliest_cert_expiry')).toBe(sec(leaf));
    expect(sample(r, 'probe_ssl_last_chain_expiry_timestamp_seconds')).toBe(Math.min(sec(leaf), sec(int), sec(root)));
    expect(sample(r, 'probe_tls_version_info', { version: 'TLS 1.3' })).toBe(1);
    const info = r.samples.find((s) => s.name === 'probe_ssl_last_chain_info')!;
    expect(info.labels).toEqual({
      fingerprint_sha256: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
      subject: 'CN=localhost,OU=Probes,O=Vigil\\, Test,ST=Berlin,C=DE,1.2.840.113549.1.9.1=#0c0f6f7073406578616d706c652e636f6d',
      issuer: 'CN=Vigil Test Intermediate CA',
      subjectalternative: 'localhost',
      serialnumber: leaf.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    });
    const perCert = r.samples.filter((s) => s.name === 'probe_ssl_cert_not_after_timestamp_seconds');
    expect(perCert.map((s) => [s.labels['depth'], s.labels['issuer'], s.value])).toEqual([
      ['0', 'CN=Vigil Test Intermediate CA', sec(leaf)],
      ['1', 'CN=Vigil Test Root CA', sec(int)],
      ['2', 'CN=Vigil Test Root CA', sec(root)],
    ]);
    expect(r.certificates.map((c) => [c.depth, c.subject.slice(0, 12), c.notAfterMs])).toEqual([
      [0, 'CN=localhost', sec(leaf) * 1000],
      [1, 'CN=Vigil Tes', sec(int) * 1000],
    ]);
    expect(perCert[0]!.labels['serialnumber']).toBe(leaf.serialNumber.toLowerCase().replace(/^0+/, ''));
    for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer']) {
      expect(sample(r, 'probe_http_duration_seconds', { phase })).toBeGreaterThanOrEqual(0);
    }
  });

  it('with insecure_skip_verify emits no last-chain expiry and says why', async () => {
    const r = await runProbe(moduleFrom('prober: http\ntimeout: 5s\nhttp:\n  tls_config:\n    insecure_skip_verify: true'), url('self'));
    expect(r.success, logText(r)).toBe(true);
    expect(names(r)).not.toContain('probe_ssl_last_chain_expiry_timestamp_seconds');
    expect(names(r)).toContain('probe_ssl_earliest_cert_expiry');
    expect(logText(r)).toMatch(/insecure_skip_verify/);
  });

  it('fails on an expired intermediate and names it in the log', async () => {
    const r = await runProbe(moduleFrom(secure()), url('expired'));
    expect(r.success).toBe(false);
    expect(names(r)).not.toContain('probe_ssl_earliest_cert_expiry');
    expect(logText(r)).toMatch(/CN=Vigil Expired Intermediate CA.*EXPIRED at 2021-01-01/);
    // Vigil's per-certificate series still show the culprit's NotAfter.
    const depth1 = r.samples.find((s) => s.name === 'probe_ssl_cert_not_after_timestamp_seconds' && s.labels['depth'] === '1');
    expect(depth1?.value).toBe(Date.parse('2021-01-01T00:00:00Z') / 1000);
  });

  it('fails on a wrong host name and on a self-signed certificate', async () => {
    const wrong = await runProbe(moduleFrom(secure()), url('wronghost'));
    expect(wrong.success).toBe(false);
    expect(logText(wrong)).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|not in the cert's altnames|IP: 127\.0\.0\.1/);
    const self = await runProbe(moduleFrom(secure()), url('self'));
    expect(self.success).toBe(false);
    expect(logText(self)).toMatch(/SELF_SIGNED|self.signed/i);
  });

  it('reports TLS 1.2 from a TLS 1.2-only server, and min_version TLS13 refuses it', async () => {
    const r = await runProbe(moduleFrom(secure()), url('tls12'));
    expect(r.success, logText(r)).toBe(true);
    expect(sample(r, 'probe_tls_version_info', { version: 'TLS 1.2' })).toBe(1);
    const strict = await runProbe(moduleFrom(secure() + '\n    min_version: TLS13'), url('tls12'));
    expect(strict.success).toBe(false);
  });

  it('speaks HTTP/2 when ALPN offers it (enable_http2, the default) and HTTP/1.1 when disabled', async () => {
    const r = await runProbe(moduleFrom(secure()), url('h2', '/r1'));
    expect(r.success, logText(r)).toBe(true);
    expect(sample(r, 'probe_http_version')).toBe(2);
    expect(sample(r, 'probe_http_redirects')).toBe(2);
    expect(sample(r, 'probe_http_content_length')).toBe(5);
    const h1 = await runProbe(moduleFrom(secure() + '\n  enable_http2: false\n  valid_http_versions: ["HTTP/1.1"]'), url('h2'));
    expect(h1.success, logText(h1)).toBe(true);
    expect(sample(h1, 'probe_http_version')).toBe(1.1);
    const only2 = await runProbe(moduleFrom(secure() + '\n  valid_http_versions: ["HTTP/2.0"]'), url('good'));
    expect(only2.success).toBe(false);
    expect(logText(only2)).toMatch(/Invalid HTTP version number.*HTTP\/1\.1/);
  });

  it('follows a redirect chain and sums phases; no_follow_redirects stops at the 302', async () => {
    const r = await runProbe(moduleFrom(secure()), url('good', '/r1'));
    expect(r.success, logText(r)).toBe(true);
    expect(sample(r, 'probe_http_redirects')).toBe(2);
    expect(sample(r, 'probe_http_content_length')).toBe(5);
    const noFollow = await runProbe(moduleFrom(secure() + '\n  no_follow_redirects: true'), url('good', '/r1'));
    expect(noFollow.success).toBe(false);
    expect(sample(noFollow, 'probe_http_status_code')).toBe(302);
    const loop = await runProbe(moduleFrom(secure()), url('good', '/loop'));
    expect(loop.success).toBe(false);
    expect(logText(loop)).toMatch(/Stopped after 10 redirects/);
    expect(sample(loop, "probe_http_redirects")).toBe(11);
  });

  it('refuses redirects to file: and to link-local metadata addresses', async () => {
    const file = await runProbe(moduleFrom('prober: http\ntimeout: 5s'), `http://127.0.0.1:${servers['plain']!.port}/to-file`);
    expect(file.success).toBe(false);
    expect(logText(file)).toMatch(/scheme "file:"/);
    const meta = await runProbe(moduleFrom('prober: http\ntimeout: 5s'), `http://127.0.0.1:${servers['plain']!.port}/to-metadata`);
    expect(meta.success).toBe(false);
    expect(logText(meta)).toMatch(/link-local address 169\.254\.169\.254/);
  });

  it('keeps credentials on same-host redirects and drops them across hosts', async () => {
    const base = `http://127.0.0.1:${servers['plain']!.port}`;
    const m = moduleFrom('prober: http\ntimeout: 5s\nhttp:\n  preferred_ip_protocol: ip4\n  bearer_token: s3cret');
    const same = await runProbe(m, `${base}/to-auth-same-host`);
    expect(same.success, logText(same)).toBe(true);
    const other = await runProbe(m, `${base}/to-auth-other-host`);
    expect(sample(other, 'probe_http_status_code')).toBe(401);
    expect(sample(other, 'probe_http_redirects')).toBe(1);
  });

  it('trusts an inline tls_config.ca (blackbox reads Prometheus\' TLSConfig)', async () => {
    const r = await runProbe(moduleFrom(`prober: http\ntimeout: 5s\nhttp:\n  tls_config:\n    ca: ${JSON.stringify(pki.pem('root.crt'))}`), url('good'));
    expect(r.success, logText(r)).toBe(true);
  });

  it('authenticates with basic_auth.username_file and with OAuth2 client credentials', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      if (req.url === '/token') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"probe-token","token_type":"bearer","expires_in":3600}');
        return;
      }
      seen.push(req.headers.authorization ?? '');
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const userFile = join(tmp.dir, 'probe-user');
      writeFileSync(userFile, 'prober\n');
      const basic = await runProbe(moduleFrom(`prober: http\ntimeout: 5s\nhttp:\n  basic_auth:\n    username_file: ${userFile}\n    password: pw`), `${base}/`);
      expect(basic.success, logText(basic)).toBe(true);
      const oauth = await runProbe(moduleFrom(`prober: http\ntimeout: 5s\nhttp:\n  oauth2:\n    client_id: c\n    client_secret: s\n    token_url: ${base}/token`), `${base}/`);
      expect(oauth.success, logText(oauth)).toBe(true);
      expect(seen).toEqual([`Basic ${Buffer.from('prober:pw').toString('base64')}`, 'Bearer probe-token']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('a 503 fails with the status code recorded; valid_status_codes can accept it', async () => {
    const r = await runProbe(moduleFrom(secure()), url('good', '/503'));
    expect(r.success).toBe(false);
    expect(sample(r, 'probe_http_status_code')).toBe(503);
    expect(sample(r, 'probe_http_uncompressed_body_length')).toBe(5);
    expect(logText(r)).toMatch(/Invalid HTTP response status code.*503/);
    const ok = await runProbe(moduleFrom(secure() + '\n  valid_status_codes: [503]'), url('good', '/503'));
    expect(ok.success).toBe(true);
  });

  it('honours the timeout on a slow endpoint', async () => {
    const r = await runProbe(moduleFrom('prober: http\ntimeout: 700ms'), `http://127.0.0.1:${servers['plain']!.port}/slow`);
    expect(r.success).toBe(false);
    expect(logText(r)).toMatch(/timeout/i);
    // Not a timing assertion: the probe must not have waited for the 5 s response.
    expect(sample(r, 'probe_duration_seconds')).toBeLessThan(5);
  });

  it('applies body and header regexps and the body size limit', async () => {
    const base = `http://127.0.0.1:${servers['plain']!.port}`;
    const bodyOk = await runProbe(moduleFrom('prober: http\nhttp:\n  fail_if_body_not_matches_regexp: ["\\"status\\":\\"healthy\\""]'), `${base}/json`);
    expect(bodyOk.success, logText(bodyOk)).toBe(true);
    const bodyBad = await runProbe(moduleFrom('prober: http\nhttp:\n  fail_if_body_matches_regexp: ["healthy"]'), `${base}/json`);
    expect(bodyBad.success).toBe(false);
    expect(sample(bodyBad, 'probe_failed_due_to_regex')).toBe(1);
    expect(logText(bodyBad)).toMatch(/Body matched regular expression.*healthy/);
    const hdr = await runProbe(moduleFrom('prober: http\nhttp:\n  fail_if_header_not_matches:\n    - header: X-Build\n      regexp: "^v2"'), `${base}/fixed`);
    expect(hdr.success).toBe(false);
    expect(logText(hdr)).toMatch(/v1\.2\.3/);
    const big = await runProbe(moduleFrom('prober: http\nhttp:\n  body_size_limit: 1KB'), `${base}/big`);
    expect(big.success).toBe(false);
    expect(logText(big)).toMatch(/exceeds the limit of 1024 bytes/);
    const gz = await runProbe(moduleFrom('prober: http\nhttp:\n  compression: gzip\n  fail_if_body_not_matches_regexp: ["^compressed hello"]'), `${base}/gzip`);
    expect(gz.success, logText(gz)).toBe(true);
    expect(sample(gz, 'probe_http_uncompressed_body_length')).toBe(1700);
    expect(sample(gz, 'probe_http_content_length')).toBeLessThan(1700);
    const notSsl = await runProbe(moduleFrom('prober: http\nhttp:\n  fail_if_not_ssl: true'), `${base}/`);
    expect(notSsl.success).toBe(false);
  });

  it('never throws on unreachable or malformed targets', async () => {
    const refused = await runProbe(moduleFrom('prober: http\ntimeout: 2s'), 'http://127.0.0.1:1/');
    expect(refused.success).toBe(false);
    expect(logText(refused)).toMatch(/ECONNREFUSED/);
    const bad = await runProbe(moduleFrom('prober: http'), 'http://[::1');
    expect(bad.success).toBe(false);
  });
});
