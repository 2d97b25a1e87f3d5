import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';
import { ScrapeLoop } from '../../../main/scrape/loop.js';
import { buildTarget } from '../../../main/scrape/targets.js';
import { MemoryAppendable } from './loop-fixtures.js';

describe('scraping with oauth2 client credentials (prometheus.yml → target → scrape)', () => {
  let server: http.Server;
  let base = '';
  let tokens = 0;
  const scrapeAuth: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/token') {
          tokens++;
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `tok${tokens}`, token_type: 'bearer', expires_in: 3600 }));
          return;
        }
        scrapeAuth.push(req.headers.authorization ?? '');
        res.end('up_metric 1\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('fetches one token and sends it on every scrape until it expires', async () => {
    const r = parseConfig(
      `scrape_configs:\n  - job_name: j\n    oauth2: {client_id: c, client_secret: s, token_url: "http://${base}/token"}\n    static_configs: [{targets: ["${base}"]}]\n`,
      'p.yml',
    );
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const t = buildTarget(r.config.scrape_configs[0]!, { __address__: base }, {});
    if (t.kind !== 'active') throw new Error(t.kind);
    const loop = new ScrapeLoop(t.target, { appendable: new MemoryAppendable() });
    expect((await loop.scrapeOnce()).error).toBe('');
    expect((await loop.scrapeOnce()).error).toBe('');
    await loop.stop();
    expect(scrapeAuth).toEqual(['Bearer tok1', 'Bearer tok1']);
    expect(tokens).toBe(1);
  });
});
