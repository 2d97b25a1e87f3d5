import { request as httpRequest } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine.js';
import { HttpServer } from '../../main/api/http-server.js';
import { silentLogger } from '../../main/util/log.js';
import { tempDir } from './helpers.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('vigil serve HTTP server', () => {
  const tmp = tempDir();
  let engine: Engine;
  let server: HttpServer;
  let port: number;
  const json = { 'Content-Type': 'application/json' };

  beforeAll(async () => {
    const rendererDir = join(tmp.dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Vigil</title>');
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'assets', 'index-C4ohhu_a.js'), 'export {};');
    writeFileSync(join(rendererDir, 'assets', 'notes.js'), 'export {};');
    writeFileSync(join(tmp.dir, 'secret.txt'), 'do not serve');
    engine = await Engine.start({ dataDir: join(tmp.dir, 'data'), shell: 'test', logger: silentLogger });
    server = new HttpServer({ api: engine.api, rendererDir, port: 0, logger: silentLogger });
    await server.listen();
    port = server.port;
  });
  afterAll(async () => {
    await server.close();
    await engine.stop();
    tmp.cleanup();
  });

  it('answers status() over POST /api/vigil/status', async () => {
    const reply = await send(port, { method: 'POST', path: '/api/vigil/status', headers: json, body: '{}' });
    expect(reply.status).toBe(200);
    const status = JSON.parse(reply.body) as { startTimeMs: number; dataDir: string };
    expect(status.startTimeMs).toBe(engine.startTimeMs);
    expect(status.dataDir).toBe(engine.dataDir);
  });

  it('refuses a foreign Origin with a clear error, and keeps serving', async () => {
    const reply = await send(port, {
      method: 'POST',
      path: '/api/vigil/status',
      headers: { ...json, Origin: 'https://evil.example' },
      body: '{}',
    });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body)).toMatchObject({ kind: 'forbidden', message: expect.stringMatching(/Origin "https:\/\/evil.example"/) });
    const after = await send(port, { method: 'POST', path: '/api/vigil/status', headers: { ...json, Origin: `http://127.0.0.1:${port}` }, body: '{}' });
    expect(after.status).toBe(200);
  });

  it('refuses a rebinding Host header', async () => {
    const reply = await send(port, { path: '/', headers: { Host: `attacker.example:${port}` } });
    expect(reply.status).toBe(403);
    expect(reply.body).toMatch(/Host header/);
  });

  it('refuses a malformed payload with the field that is wrong', async () => {
    const reply = await send(port, { method: 'POST', path: '/api/vigil/status', headers: json, body: '{"drop":"tables"}' });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ kind: 'bad_request', message: expect.stringMatching(/invalid request for status/) });
  });

  it('refuses JSON that does not parse', async () => {
    const reply = await send(port, { method: 'POST', path: '/api/vigil/status', headers: json, body: '{nope' });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ kind: 'bad_request' });
  });

  it('refuses an unknown channel', async () => {
    const reply = await send(port, { method: 'POST', path: '/api/vigil/shutdown', headers: json, body: '{}' });
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.body)).toMatchObject({ kind: 'unknown_channel', message: expect.stringMatching(/unknown API channel "shutdown"/) });
  });

  it('refuses a non-JSON content type (no cross-site form posts)', async () => {
    const reply = await send(port, { method: 'POST', path: '/api/vigil/status', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(reply.status).toBe(415);
  });

  it('serves the renderer with a strict CSP and never leaves its root', async () => {
    const index = await send(port, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(index.headers['cache-control']).toBe('no-cache');
    // Build outputs named by their content hash are kept by the browser; anything else is asked again.
    expect((await send(port, { path: '/assets/index-C4ohhu_a.js' })).headers['cache-control']).toMatch(/immutable/);
    expect((await send(port, { path: '/assets/notes.js' })).headers['cache-control']).toBe('no-cache');
    const escape = await send(port, { path: '/../secret.txt' });
    expect(escape.body).not.toMatch(/do not serve/);
    const encoded = await send(port, { path: '/%2e%2e/secret.txt' });
    expect(encoded.body).not.toMatch(/do not serve/);
  });

  it('still answers after all the bad requests', async () => {
    const reply = await send(port, { method: 'POST', path: '/api/vigil/status', headers: json, body: '{}' });
    expect(reply.status).toBe(200);
  });

  it('refuses to bind anything but loopback without a web config', () => {
    expect(() => new HttpServer({ api: engine.api, rendererDir: tmp.dir, port: 0, host: '0.0.0.0', logger: silentLogger })).toThrow(/without a web config/);
  });
});

describe('server-sent engine events', () => {
  it('streams events to a loopback client and refuses a foreign origin', async () => {
    const tmp = tempDir();
    const engine = await Engine.start({ dataDir: join(tmp.dir, 'data'), shell: 'test', logger: silentLogger });
    const server = new HttpServer({ api: engine.api, rendererDir: tmp.dir, port: 0, logger: silentLogger, subscribe: (l) => engine.events.subscribe(l) });
    await server.listen();
    try {
      const got = await new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/api/vigil/events' }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
            if (text.includes('connected')) engine.events.emit({ type: 'alertsChanged' });
            if (text.includes('alertsChanged')) {
              resolve(text);
              req.destroy();
            }
          });
        });
        req.on('error', reject);
        req.end();
      });
      expect(got).toContain('data: {"type":"alertsChanged"}');
      const foreign = await send(server.port, { path: '/api/vigil/events', headers: { Origin: 'https://evil.example' } });
      expect(foreign.status).toBe(403);
    } finally {
      await server.close();
      await engine.stop();
      tmp.cleanup();
    }
  });
});
