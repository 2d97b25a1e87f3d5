import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, maxRedirects, type HttpRequestOptions } from '../../../main/http-client/request.js';

interface Seen {
  host: string;
  path: string;
  method: string;
  auth: string;
  body: string;
}

const seen: Seen[] = [];
let server: http.Server;
let port = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      seen.push({ host: req.headers.host ?? '', path, method: req.method ?? '', auth: req.headers.authorization ?? '', body });
      const m = /^\/(\d{3})(\/.*)$/.exec(path);
      if (m) res.writeHead(Number(m[1]), { location: m[2]!.replace('/HOST/', `http://localhost:${port}/`) }).end();
      else if (path === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (path === '/file') res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      else if (path === '/big') res.end('x'.repeat(2000));
      else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const opts: HttpRequestOptions = { method: 'POST', headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' }, body: '{}', timeoutMs: 5000, maxBodyBytes: 1000, followRedirects: true };
const url = (path: string): URL => new URL(`http://127.0.0.1:${port}${path}`);

describe("httpRequest redirects, as Go's http.Client", () => {
  it('307 and 308 repeat the POST with its body; 301, 302 and 303 turn it into a GET without body', async () => {
    for (const [status, method, body] of [[307, 'POST', '{}'], [308, 'POST', '{}'], [301, 'GET', ''], [302, 'GET', ''], [303, 'GET', '']] as const) {
      seen.length = 0;
      const r = await httpRequest(url(`/${status}/done`), opts);
      expect(r.status).toBe(200);
      expect(seen[1]).toMatchObject({ path: '/done', method, body, auth: 'Bearer t' });
    }
  });

  it('drops Authorization when the host changes', async () => {
    seen.length = 0;
    await httpRequest(url('/307/HOST/done'), opts);
    expect(seen.map((s) => [s.host, s.auth])).toEqual([
      [`127.0.0.1:${port}`, 'Bearer t'],
      [`localhost:${port}`, ''],
    ]);
  });

  it(`stops after ${maxRedirects} redirects, refuses non-http schemes, and returns the 3xx when not following`, async () => {
    await expect(httpRequest(url('/loop'), opts)).rejects.toThrow('stopped after 10 redirects');
    await expect(httpRequest(url('/file'), opts)).rejects.toThrow('redirect to unsupported protocol scheme "file"');
    expect((await httpRequest(url('/302/done'), { ...opts, followRedirects: false })).status).toBe(302);
  });

  it('bounds the answer', async () => {
    await expect(httpRequest(url('/big'), opts)).rejects.toThrow('response larger than 1000 bytes');
  });
});
