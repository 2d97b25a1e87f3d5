import { existsSync, readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, type HttpRequestOptions } from '../../../main/http-client/request.js';
import { opensslPath, selfSignedCert, tempDir } from '../helpers.js';

const missing = !existsSync(opensslPath);
if (missing) console.warn(`skipping enable_http2 tests: ${opensslPath} is not installed`);

describe.skipIf(missing)('enable_http2 on one-shot requests (HTTP SD, receivers): h2 offered by ALPN, as Go does', () => {
  const tmp = tempDir('vigil-h2-');
  const servers: http2.Http2SecureServer[] = [];
  const sockets = new Set<Socket>();
  const seen: Array<{ version: string; method: string; body: string }> = [];
  let h2only = '';
  let both = '';
  let ca = '';

  beforeAll(async () => {
    const { key, cert } = selfSignedCert(tmp.dir, 'IP:127.0.0.1');
    ca = readFileSync(cert, 'utf8');
    const start = async (allowHTTP1: boolean): Promise<string> => {
      const server = http2.createSecureServer({ key: readFileSync(key), cert: readFileSync(cert), allowHTTP1 }, (req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          seen.push({ version: req.httpVersion, method: req.method, body });
          res.setHeader('content-type', 'application/json');
          res.end('{"ok":true}');
        });
      });
      servers.push(server);
      server.on('connection', (sock: Socket) => sockets.add(sock));
      server.on('secureConnection', (sock: Socket) => sockets.add(sock));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    };
    h2only = await start(false);
    both = await start(true);
  });
  afterAll(async () => {
    for (const sock of sockets) sock.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    tmp.cleanup();
  });

  const opts = (http2: boolean): HttpRequestOptions => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"alerts":[]}',
    tls: { rejectUnauthorized: true, ca },
    timeoutMs: 5000,
    maxBodyBytes: 1000,
    followRedirects: true,
    http2,
  });

  it('speaks HTTP/2 when enabled and the server picks h2, body and answer intact', async () => {
    seen.length = 0;
    const res = await httpRequest(new URL(h2only), opts(true));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body.toString()).toBe('{"ok":true}');
    expect(seen).toEqual([{ version: '2.0', method: 'POST', body: '{"alerts":[]}' }]);
  });

  it('speaks HTTP/1.1 with enable_http2: false, so an HTTP/2-only server refuses it', async () => {
    seen.length = 0;
    const res = await httpRequest(new URL(both), opts(false));
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ version: '1.1', method: 'POST', body: '{"alerts":[]}' }]);
    seen.length = 0;
    const refused = await httpRequest(new URL(h2only), opts(false)).catch((err: Error) => err);
    // Node's HTTP/2-only server answers a client without h2 with 403 (Go's drops the handshake).
    expect(refused instanceof Error || refused.status === 403).toBe(true);
    expect(seen).toEqual([]);
  });

  it('still verifies the certificate on the ALPN path', async () => {
    await expect(httpRequest(new URL(both), { ...opts(true), tls: { rejectUnauthorized: true } })).rejects.toThrow(/certificate/);
  });
});
