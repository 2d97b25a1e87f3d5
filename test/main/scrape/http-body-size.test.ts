import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScrapeClient } from '../../../main/scrape/http.js';

// A scraped page is kept by the scrape cache while it is parsed; a gzip page that inflated into
// one output chunk used to be a slice of that whole 1 MiB chunk (50 MiB for W-fleet's 50 targets).
describe('scraped bodies hold only their own bytes', () => {
  const page = Array.from({ length: 2000 }, (_, i) => `http_requests_total{handler="/h${i % 40}",code="200",i="${i}"} ${i}\n`).join('');
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      if (req.url === '/gz') res.setHeader('content-encoding', 'gzip');
      res.end(req.url === '/gz' ? gzipSync(page) : page);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a gzip page inflated in one chunk is not a slice of a larger buffer', async () => {
    const client = new ScrapeClient();
    for (const path of ['/gz', '/plain']) {
      const r = await client.fetch({ url: `${base}${path}`, timeoutMs: 5000, bodySizeLimit: 0, userAgent: 'Vigil-test' });
      expect(r.body.toString()).toBe(page);
      expect(r.body.buffer.byteLength).toBeLessThan(2 * page.length);
    }
  });
});
