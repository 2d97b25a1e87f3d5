import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScrapeClient, type ScrapeHttpError } from '../../../main/scrape/http.js';
import { opensslPath, selfSignedCert, tempDir } from '../helpers.js';

const missing = !existsSync(opensslPath);
if (missing) console.warn(`skipping scrape HTTP/2 tests: ${opensslPath} is not installed`);

// Prometheus 2.42 (Debian) scrapes an https target that offers h2 over HTTP/2, and over HTTP/1.1
// with enable_http2: false — observed with a Node HTTP/2 server allowing both.
describe.skipIf(missing)('enable_http2 for scrapes', () => {
  const tmp = tempDir('vigil-scrape-h2-');
  const sockets = new Set<Socket>();
  const seen: string[] = [];
  let sessions = 0;
  let dual: http2.Http2SecureServer;
  let h1only: https.Server;
  let dualBase = '';
  let h1Base = '';
  let ca = '';

  beforeAll(async () => {
    const { key, cert } = selfSignedCert(tmp.dir, 'IP:127.0.0.1');
    ca = readFileSync(cert, 'utf8');
    dual = http2.createSecureServer({ key: readFileSync(key), cert: readFileSync(cert), allowHTTP1: true }, (req, res) => {
      seen.push(`${req.httpVersion} ${req.url} ${String(req.headers['x-prometheus-scrape-timeout-seconds'])}`);
      if (req.url === '/down') return void res.writeHead(503).end('down');
      if (req.url === '/silent') return; // never answers
      if (req.url === '/big') return void res.end('x'.repeat(5000));
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      if (req.url === '/gz') {
        res.setHeader('content-encoding', 'gzip');
        return void res.end(gzipSync('up 1\n'));
      }
      res.end('up 1\n');
    });
    dual.on('session', () => sessions++);
    dual.on('connection', (s: Socket) => sockets.add(s));
    await new Promise<void>((resolve) => dual.listen(0, '127.0.0.1', resolve));
    dualBase = `https://127.0.0.1:${(dual.address() as AddressInfo).port}`;
    h1only = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      seen.push(`${req.httpVersion} ${req.url}`);
      res.end('up 1\n');
    });
    await new Promise<void>((resolve) => h1only.listen(0, '127.0.0.1', resolve));
    h1Base = `https://127.0.0.1:${(h1only.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    h1only.closeAllConnections();
    await Promise.all([new Promise((r) => dual.close(r)), new Promise((r) => h1only.close(r))]);
    tmp.cleanup();
  });

  const client = (enableHttp2: boolean) => new ScrapeClient({ rejectUnauthorized: true, ca }, undefined, enableHttp2);
  const scrape = (c: ScrapeClient, url: string, over: { timeoutMs?: number; bodySizeLimit?: number } = {}) =>
    c.fetch({ url, timeoutMs: over.timeoutMs ?? 5000, bodySizeLimit: over.bodySizeLimit ?? 0, userAgent: 'Vigil-test' });

  it('scrapes over HTTP/2 and keeps one session for later scrapes', async () => {
    seen.length = 0;
    sessions = 0;
    const c = client(true);
    try {
      for (const path of ['/metrics', '/metrics', '/gz']) {
        const res = await scrape(c, dualBase + path);
        expect(res.body.toString()).toBe('up 1\n');
        expect(res.contentType).toBe('text/plain; version=0.0.4');
      }
    } finally {
      c.close();
    }
    expect(seen).toEqual(['2.0 /metrics 5', '2.0 /metrics 5', '2.0 /gz 5']);
    expect(sessions).toBe(1);
  });

  it('scrapes over HTTP/1.1 with enable_http2: false, and falls back to it when the server offers only http/1.1', async () => {
    seen.length = 0;
    const off = client(false);
    const on = client(true);
    try {
      await scrape(off, `${dualBase}/metrics`);
      await scrape(on, `${h1Base}/metrics`);
      await scrape(on, `${h1Base}/metrics`);
    } finally {
      off.close();
      on.close();
    }
    expect(seen).toEqual(['1.1 /metrics 5', '1.1 /metrics', '1.1 /metrics']);
  });

  it("fails over HTTP/2 with Prometheus' messages and reasons", async () => {
    const c = client(true);
    const failure = (p: Promise<unknown>) => p.then(() => null, (e: ScrapeHttpError) => [e.reason, e.message]);
    try {
      expect(await failure(scrape(c, `${dualBase}/down`))).toEqual(['http_status', 'server returned HTTP status 503 Service Unavailable']);
      expect(await failure(scrape(c, `${dualBase}/big`, { bodySizeLimit: 1000 }))).toEqual(['body_size', 'body size limit exceeded']);
      expect(await failure(scrape(c, `${dualBase}/silent`, { timeoutMs: 300 }))).toEqual(['timeout', `Get "${dualBase}/silent": context deadline exceeded`]);
      // The session survives a timed-out stream.
      expect((await scrape(c, `${dualBase}/metrics`)).body.toString()).toBe('up 1\n');
    } finally {
      c.close();
    }
  });
});
