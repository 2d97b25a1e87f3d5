import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScrapeClient } from '../../../main/scrape/http.js';

// A scraped page is kept by the scrape cache while it is parsed; a gzip page that inflated into
// one output chunk used to be a slice of that whole 1 MiB chunk (50 MiB for W-fleet's 50 targets).
describe('scraped bodies hold only their own bytes', () => {
  const page = Array.from({ length: 2000 }, (_, i) => `http_requests_total{handler="/h${i % 40}",code="200",i="${i}"} ${i}\n`).join('');
  const big = 'x'.repeat(3 * 1024 * 1024 + 17);
  const tail = 'y\n';
  const bodies: Record<string, Buffer> = {
    // Past the 2 MiB synchronous cap: inflated on the thread pool, whole.
    '/big': gzipSync(big),
    // Two gzip members: the last trailer (ISIZE) states 2 bytes, so the capped synchronous try
    // overruns and the pool inflates the page whole.
    '/lying': Buffer.concat([gzipSync(big), gzipSync(tail)]),
  };
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      if (req.url === '/plain') return res.end(page);
      res.setHeader('content-encoding', 'gzip');
      res.end(bodies[req.url ?? ''] ?? gzipSync(page));
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

  it('inflates pages past the synchronous cap, also when the gzip trailer understates their size', async () => {
    const client = new ScrapeClient();
    for (const [path, text] of [['/big', big], ['/lying', big + tail]]) {
      const r = await client.fetch({ url: `${base}${path}`, timeoutMs: 10_000, bodySizeLimit: 0, userAgent: 'Vigil-test' });
      expect(r.body.length, path).toBe(text!.length);
      expect(r.body.equals(Buffer.from(text!)), path).toBe(true);
    }
  });

  it('a body size limit stops the inflate on either path', async () => {
    const client = new ScrapeClient();
    for (const [path, limit] of [['/gz', 1000], ['/big', 2.5 * 1024 * 1024], ['/lying', 1024 * 1024], ['/lying', 2.5 * 1024 * 1024]] as const) {
      await expect(client.fetch({ url: `${base}${path}`, timeoutMs: 10_000, bodySizeLimit: limit, userAgent: 'Vigil-test' }), `${path} ${limit}`).rejects.toMatchObject({ reason: 'body_size' });
    }
  });
});
