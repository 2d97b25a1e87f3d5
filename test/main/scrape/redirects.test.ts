import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScrapeClient, ScrapeHttpError, type ScrapeRequest } from '../../../main/scrape/http.js';

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; base: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('scrape redirects, as Prometheus follows them', () => {
  const seen: Array<{ url: string; auth: string | undefined }> = [];
  let a: { server: Server; base: string };
  let b: { server: Server; base: string };
  const client = new ScrapeClient();

  beforeAll(async () => {
    b = await listen((req, res) => {
      seen.push({ url: `b${req.url}`, auth: req.headers.authorization });
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end('other_host 1\n');
    });
    a = await listen((req, res) => {
      seen.push({ url: `a${req.url}`, auth: req.headers.authorization });
      const to = (location: string, status = 302) => res.writeHead(status, { Location: location }).end();
      if (req.url === '/metrics') return void res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end('up_here 1\n');
      if (req.url === '/old') return to('/metrics', 301);
      if (req.url === '/twice') return to('/old', 307);
      if (req.url === '/elsewhere') return to(`${b.base}/metrics`);
      if (req.url?.startsWith('/loop')) return to(`/loop${Number(req.url.slice(5) || 0) + 1}`);
      if (req.url === '/file') return to('file:///etc/passwd');
      if (req.url === '/metadata') return to('http://169.254.169.254/latest/meta-data/');
      if (req.url === '/metadata6') return to('http://[fe80::1]/');
      res.writeHead(404).end();
    });
  });
  afterAll(() => {
    client.close();
    a.server.close();
    b.server.close();
  });

  const request = (path: string, extra: Partial<ScrapeRequest> = {}): ScrapeRequest => ({ url: `${a.base}${path}`, timeoutMs: 5_000, bodySizeLimit: 0, userAgent: 'test', ...extra });
  const failure = async (path: string, extra: Partial<ScrapeRequest> = {}): Promise<ScrapeHttpError> => {
    try {
      await client.fetch(request(path, extra));
    } catch (err) {
      if (err instanceof ScrapeHttpError) return err;
      throw err;
    }
    throw new Error(`${path} was scraped`);
  };

  it('follows 301, 302, 307 and 308 to the page, keeping Authorization on the same host', async () => {
    seen.length = 0;
    const res = await client.fetch(request('/twice', { authorization: 'Bearer s3cret' }));
    expect(res.body.toString()).toBe('up_here 1\n');
    expect(seen).toEqual([
      { url: 'a/twice', auth: 'Bearer s3cret' },
      { url: 'a/old', auth: 'Bearer s3cret' },
      { url: 'a/metrics', auth: 'Bearer s3cret' },
    ]);
  });

  it('drops Authorization when the redirect leaves the host, as Go does', async () => {
    seen.length = 0;
    const res = await client.fetch(request('/elsewhere', { authorization: 'Bearer s3cret' }));
    expect(res.body.toString()).toBe('other_host 1\n');
    expect(seen).toEqual([
      { url: 'a/elsewhere', auth: 'Bearer s3cret' },
      { url: 'b/metrics', auth: undefined },
    ]);
  });

  it('stops after 10 redirects with Go’s message (naming the Location as sent)', async () => {
    seen.length = 0;
    const err = await failure('/loop');
    expect(err.message).toBe('Get "/loop10": stopped after 10 redirects');
    expect(seen).toHaveLength(10);
  });

  it('refuses a redirect to another scheme or into the link-local (cloud metadata) range', async () => {
    expect((await failure('/file')).message).toBe('Get "file:///etc/passwd": unsupported protocol scheme "file"');
    expect((await failure('/metadata')).message).toMatch(/^Get "http:\/\/169\.254\.169\.254\/latest\/meta-data\/": refusing to follow a redirect to link-local address 169\.254\.169\.254/);
    expect((await failure('/metadata6')).message).toMatch(/refusing to follow a redirect to link-local address fe80::1/);
  });

  it('with follow_redirects: false, a redirect is a failed scrape with the status', async () => {
    const err = await failure('/old', { followRedirects: false });
    expect(err.reason).toBe('http_status');
    expect(err.message).toBe('server returned HTTP status 301 Moved Permanently');
  });
});
