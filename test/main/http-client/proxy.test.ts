import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';
import { httpConfigSchema } from '../../../main/http-client/schema.js';
import { directConnection, proxyFor, type ProxySettings } from '../../../main/http-client/proxy.js';
import { httpRequest } from '../../../main/http-client/request.js';
import { ScrapeClient } from '../../../main/scrape/http.js';
import { opensslPath, selfSignedCert, tempDir } from '../helpers.js';
import { startRecordingProxy } from './recording-proxy.js';

const settings = (over: Partial<ProxySettings>): ProxySettings => ({ ...directConnection, ...over });
const decide = (p: ProxySettings, target: string, env: NodeJS.ProcessEnv = {}): string => {
  const u = proxyFor(p, new URL(target), env);
  return u === undefined ? 'direct' : `${u.protocol}//${u.host}`;
};

describe('proxyFor: which proxy a request uses (Prometheus ProxyConfig over x/net/http/httpproxy)', () => {
  // golang.org/x/net/http/httpproxy's proxyForURLTests: [HTTP_PROXY, HTTPS_PROXY, NO_PROXY, request, want].
  const envCases: ReadonlyArray<readonly [string, string, string, string, string]> = [
    ['127.0.0.1:8080', '', '', 'http://example.com', 'http://127.0.0.1:8080'],
    ['cache.corp.example.com:1234', '', '', 'http://example.com', 'http://cache.corp.example.com:1234'],
    ['cache.corp.example.com', '', '', 'http://example.com', 'http://cache.corp.example.com'],
    ['https://cache.corp.example.com', '', '', 'http://example.com', 'https://cache.corp.example.com'],
    ['http://127.0.0.1:8080', '', '', 'http://example.com', 'http://127.0.0.1:8080'],
    ['https://127.0.0.1:8080', '', '', 'http://example.com', 'https://127.0.0.1:8080'],
    // The scheme of the request picks the variable.
    ['http.proxy.tld', 'secure.proxy.tld', '', 'http://insecure.tld/', 'http://http.proxy.tld'],
    ['http.proxy.tld', 'secure.proxy.tld', '', 'https://secure.tld/', 'http://secure.proxy.tld'],
    ['http.proxy.tld', 'https://secure.proxy.tld', '', 'https://secure.tld/', 'https://secure.proxy.tld'],
    ['', '', '', 'http://example.com', 'direct'],
    ['proxy', '', 'example.com', 'http://example.com/', 'direct'],
    ['proxy', '', '.example.com', 'http://example.com/', 'http://proxy'],
    ['proxy', '', 'ample.com', 'http://example.com/', 'http://proxy'],
    ['proxy', '', 'example.com', 'http://foo.example.com/', 'direct'],
    ['proxy', '', '.foo.com', 'http://example.com/', 'http://proxy'],
  ];
  it.each(envCases)('HTTP_PROXY=%j HTTPS_PROXY=%j NO_PROXY=%j %s → %s', (httpProxy, httpsProxy, noProxy, target, want) => {
    expect(decide(settings({ fromEnvironment: true }), target, { HTTP_PROXY: httpProxy, HTTPS_PROXY: httpsProxy, NO_PROXY: noProxy })).toBe(want);
  });

  it('reads the lower-case variables too', () => {
    expect(decide(settings({ fromEnvironment: true }), 'https://a.example', { https_proxy: 'p:3128' })).toBe('http://p:3128');
  });

  // httpproxy's TestUseProxy: each host on port 80 against one no_proxy list; true = through the proxy.
  const noProxyList =
    'foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64';
  const useProxyCases: ReadonlyArray<readonly [string, boolean]> = [
    ['localhost', false],
    ['127.0.0.1', false],
    ['127.0.0.2', false],
    ['[::1]', false],
    ['[::2]', true],
    ['192.168.1.1', false],
    ['192.168.1.2', true],
    ['192.168.1.3', false],
    ['192.168.1.4', true],
    ['10.0.0.2', false],
    ['[2001:db8::52:0:1]', false],
    ['[2001:db8::52:0:2]', true],
    ['[2001:db8::52:0:3]', false],
    ['[2002:db8:a::123]', false],
    ['[fe80::424b:c8be:1643:a1b6]', true],
    ['barbaz.net', true],
    ['www.barbaz.net', false],
    ['foobar.com', false],
    ['www.foobar.com', false],
    ['foofoobar.com', true],
    ['baz.com', true],
    ['localhost.net', true],
    ['local.localhost', true],
    ['barbarbaz.net', true],
    ['wildcard.io', true],
    ['nested.wildcard.io', false],
    ['awildcard.io', true],
  ];
  it.each(useProxyCases)('no_proxy list: %s proxied = %s', (host, proxied) => {
    const p = settings({ url: 'http://proxy.example:3128', noProxy: noProxyList });
    expect(decide(p, `http://${host}:80/metrics`)).toBe(proxied ? 'http://proxy.example:3128' : 'direct');
  });

  it('no_proxy "*" sends nothing through the proxy; a malformed entry is skipped', () => {
    expect(decide(settings({ url: 'http://p:1', noProxy: '*' }), 'http://example.com')).toBe('direct');
    expect(decide(settings({ url: 'http://p:1', noProxy: ':1' }), 'http://example.com')).toBe('http://p:1');
  });

  it('proxy_url without no_proxy proxies everything, loopback included (Go http.ProxyURL)', () => {
    expect(decide(settings({ url: 'http://p:1' }), 'http://127.0.0.1:9100/metrics')).toBe('http://p:1');
    expect(decide(settings({ url: 'http://p:1', noProxy: 'example.com' }), 'http://127.0.0.1:9100/metrics')).toBe('direct');
  });

  it('refuses HTTP_PROXY in a CGI environment, as net/http does', () => {
    expect(() => decide(settings({ fromEnvironment: true }), 'http://a', { HTTP_PROXY: 'p', REQUEST_METHOD: 'GET' })).toThrow(/CGI/);
  });
});

describe("proxy options are validated with Prometheus' messages", () => {
  const job = (fields: string) => `scrape_configs:\n  - job_name: a\n${fields}`;
  it.each([
    ['    no_proxy: example.com\n', 'if no_proxy is configured, proxy_url must also be configured'],
    ['    proxy_from_environment: true\n    proxy_url: http://p:1\n', 'if proxy_from_environment is configured, proxy_url must not be configured'],
    ['    proxy_from_environment: true\n    no_proxy: x\n', 'if proxy_from_environment is configured, no_proxy must not be configured'],
    ['    proxy_connect_header:\n      X-A: [b]\n', 'if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured'],
    ['    proxy_url: socks5://127.0.0.1:1080\n', 'unsupported proxy scheme "socks5" in proxy_url: Vigil speaks to http and https proxies'],
  ])('%j', (fields, message) => {
    const r = parseConfig(job(fields), 'p.yml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map(String).join('\n')).toContain(message);
  });

  it('receivers take proxy_url and proxy_connect_header from http_config', () => {
    const s = httpConfigSchema.parse({ proxy_url: 'http://p:3128', proxy_connect_header: { 'X-Tenant': ['t1', 't2'] } });
    expect(s.proxy).toEqual({ url: 'http://p:3128', noProxy: '', fromEnvironment: false, connectHeader: { 'X-Tenant': ['t1', 't2'] } });
  });
});

const noOpenssl = !existsSync(opensslPath);
if (noOpenssl) console.warn(`skipping proxied TLS scrapes: ${opensslPath} is not installed`);

describe('requests go through the proxy: scrapes (forward and CONNECT) and one-shot requests', () => {
  const tmp = tempDir('vigil-proxy-');
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let plain: http.Server;
  let secure: https.Server | undefined;
  let plainPort = 0;
  let securePort = 0;
  let ca = '';
  const bodies: string[] = [];

  beforeAll(async () => {
    proxy = await startRecordingProxy();
    plain = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.end(`up{auth="${req.headers.authorization ?? ''}"} 1\n`);
      });
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    plainPort = (plain.address() as AddressInfo).port;
    if (noOpenssl) return;
    const { key, cert } = selfSignedCert(tmp.dir, 'DNS:metrics.internal', 'metrics.internal');
    ca = cert;
    secure = https.createServer({ key: readFileSync(key), cert: readFileSync(ca) }, (_req, res) => res.end('tls_up 1\n'));
    await new Promise<void>((resolve) => secure!.listen(0, '127.0.0.1', resolve));
    securePort = (secure.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await proxy.close();
    plain.closeAllConnections();
    await new Promise((r) => plain.close(r));
    if (secure) {
      secure.closeAllConnections();
      await new Promise((r) => secure!.close(r));
    }
    tmp.cleanup();
  });

  const scrape = (client: ScrapeClient, url: string, authorization?: string) =>
    client.fetch({ url, timeoutMs: 5000, bodySizeLimit: 0, userAgent: 'Vigil-test', ...(authorization !== undefined ? { authorization } : {}) });

  it('sends an http scrape to the proxy in absolute form, with Proxy-Authorization from the proxy URL', async () => {
    proxy.seen.length = 0;
    const proxyUrl = proxy.url.replace('http://', 'http://user:p%40ss@');
    const client = new ScrapeClient(undefined, settings({ url: proxyUrl }));
    try {
      // metrics.internal does not resolve: only the proxy (which routes it to 127.0.0.1) can reach it.
      const res = await scrape(client, `http://metrics.internal:${plainPort}/metrics`, 'Bearer abc');
      expect(res.body.toString()).toBe('up{auth="Bearer abc"} 1\n');
    } finally {
      client.close();
    }
    expect(proxy.seen).toHaveLength(1);
    expect(proxy.seen[0]).toMatchObject({ method: 'GET', target: `http://metrics.internal:${plainPort}/metrics` });
    expect(proxy.seen[0]!.headers['proxy-authorization']).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });

  it.skipIf(noOpenssl)('tunnels an https scrape with CONNECT carrying proxy_connect_header, and verifies the target end to end', async () => {
    proxy.seen.length = 0;
    const client = new ScrapeClient({ rejectUnauthorized: true, ca: readFileSync(ca, 'utf8') }, settings({ url: proxy.url, connectHeader: { 'X-Tenant': ['blue'] } }));
    try {
      const res = await scrape(client, `https://metrics.internal:${securePort}/metrics`);
      expect(res.body.toString()).toBe('tls_up 1\n');
    } finally {
      client.close();
    }
    expect(proxy.seen.map((s) => [s.method, s.target, s.headers['x-tenant']])).toEqual([['CONNECT', `metrics.internal:${securePort}`, 'blue']]);
  });

  it.skipIf(noOpenssl)('fails an https scrape through the proxy whose certificate the CA does not sign', async () => {
    const client = new ScrapeClient({ rejectUnauthorized: true }, settings({ url: proxy.url }));
    try {
      await expect(scrape(client, `https://metrics.internal:${securePort}/metrics`)).rejects.toThrow(/certificate/);
    } finally {
      client.close();
    }
  });

  it('connects directly to a loopback target when no_proxy is set (httpproxy never proxies loopback)', async () => {
    proxy.seen.length = 0;
    const client = new ScrapeClient(undefined, settings({ url: proxy.url, noProxy: 'example.com' }));
    try {
      await scrape(client, `http://127.0.0.1:${plainPort}/metrics`);
    } finally {
      client.close();
    }
    expect(proxy.seen).toEqual([]);
  });

  it('uses HTTP_PROXY with proxy_from_environment', async () => {
    proxy.seen.length = 0;
    const before = process.env['HTTP_PROXY'];
    process.env['HTTP_PROXY'] = proxy.url;
    const client = new ScrapeClient(undefined, settings({ fromEnvironment: true }));
    try {
      await scrape(client, `http://node.internal:${plainPort}/metrics`);
    } finally {
      client.close();
      if (before === undefined) delete process.env['HTTP_PROXY'];
      else process.env['HTTP_PROXY'] = before;
    }
    expect(proxy.seen.map((s) => s.target)).toEqual([`http://node.internal:${plainPort}/metrics`]);
  });

  it('sends a one-shot request (HTTP SD, receivers, OAuth2) through the proxy with its body', async () => {
    proxy.seen.length = 0;
    bodies.length = 0;
    const res = await httpRequest(new URL(`http://receiver.internal:${plainPort}/hook`), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"alerts":[]}',
      timeoutMs: 5000,
      maxBodyBytes: 1000,
      followRedirects: true,
      proxy: settings({ url: proxy.url }),
    });
    expect(res.status).toBe(200);
    expect(proxy.seen.map((s) => [s.method, s.target])).toEqual([['POST', `http://receiver.internal:${plainPort}/hook`]]);
    expect(bodies).toEqual(['{"alerts":[]}']);
  });
});
