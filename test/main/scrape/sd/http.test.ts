import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpSdConfig } from '../../../../main/config/schema-sd.js';
import { HttpDiscoverer } from '../../../../main/scrape/sd/http.js';

let server: Server;
let base = '';
let body: unknown = [];
let status = 200;
let contentType = 'application/json';
let lastHeaders: IncomingHttpHeaders = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    res.writeHead(status, { 'Content-Type': contentType });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
});

function cfg(over: Partial<HttpSdConfig> = {}): HttpSdConfig {
  return { url: `${base}/sd`, refresh_interval: 60_000, follow_redirects: true, enable_http2: true, ...over };
}

describe('HTTP SD against a local server', () => {
  it('reads groups, adds __meta_url, sends the refresh header and auth', async () => {
    body = [
      { targets: ['h:1', 'h:2'], labels: { env: 'prod' } },
      { targets: ['h:3'], labels: {} },
    ];
    status = 200;
    contentType = 'application/json; charset=utf-8';
    const d = new HttpDiscoverer(cfg({ authorization: { type: 'Bearer', credentials: 'tok', credentials_file: '' } }));
    const groups = await d.refresh();
    expect(groups).toEqual([
      { source: `${base}/sd:0`, targets: [{ __address__: 'h:1' }, { __address__: 'h:2' }], labels: { env: 'prod', __meta_url: `${base}/sd` } },
      { source: `${base}/sd:1`, targets: [{ __address__: 'h:3' }], labels: { __meta_url: `${base}/sd` } },
    ]);
    expect(lastHeaders['x-prometheus-refresh-interval-seconds']).toBe('60');
    expect(lastHeaders['authorization']).toBe('Bearer tok');

    // The server now lists one group: the second must be removed explicitly.
    body = [{ targets: ['h:1'] }];
    const next = await d.refresh();
    expect(next.map((g) => [g.source, g.targets.length])).toEqual([
      [`${base}/sd:0`, 1],
      [`${base}/sd:1`, 0],
    ]);
  });

  it.each([
    ['a non-200 status', () => ((status = 503), (contentType = 'application/json'), (body = [])), 'server returned HTTP status 503'],
    ['a wrong content type', () => ((status = 200), (contentType = 'text/plain'), (body = [])), 'unsupported content type "text/plain"'],
    ['invalid JSON', () => ((status = 200), (contentType = 'application/json'), (body = '[{')), 'invalid JSON'],
    ['a bad group', () => ((status = 200), (contentType = 'application/json'), (body = [{ targets: 'h:1' }])), 'targets must be a list'],
  ])('fails with a message naming the URL on %s', async (_n, setup, message) => {
    setup();
    const err = await new HttpDiscoverer(cfg()).refresh().catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(`HTTP SD ${base}/sd`);
    expect((err as Error).message).toContain(message);
  });

  it('a failed refresh in run() reports and sends nothing', async () => {
    status = 500;
    const ac = new AbortController();
    const errors: string[] = [];
    let sent = 0;
    const reported = new Promise<void>((done) => {
      void new HttpDiscoverer(cfg(), (e) => {
        errors.push(e.message);
        done();
      }).run(ac.signal, () => sent++);
    });
    await reported;
    ac.abort();
    expect(sent).toBe(0);
    expect(errors[0]).toContain('HTTP status 500');
  });
});
