import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchApi } from '../../../app/api/channels.js';
import { parseExpr } from '../../../app/promql/parser.js';
import { HttpServer } from '../../../main/api/http-server.js';
import { MetadataStore } from '../../../main/api/metadata-store.js';
import { registerPromApi } from '../../../main/api/prom-api.js';
import { EngineQueryService } from '../../../main/api/query-service-impl.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import { silentLogger } from '../../../main/util/log.js';

/** A raw request over a socket, so what the server does to the connection is visible. */
function raw(port: number, head: string, body: Buffer | string = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let text = '';
    sock.on('data', (c: Buffer) => (text += c.toString()));
    sock.on('error', (e) => (text === '' ? reject(e) : undefined));
    sock.on('close', () => {
      const m = /^HTTP\/1\.1 (\d+)/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    sock.write(head);
    sock.end(body);
  });
}

describe('requests over the limits answer 413 / 431 / 400, never 500 or a dropped connection', () => {
  let server: HttpServer;
  let port = 0;
  const big = 'a'.repeat(2 * 1024 * 1024);
  beforeAll(async () => {
    const service = new EngineQueryService(new PromQLEngine({ parse: (x) => parseExpr(x) }), new MemoryStorage(), new MetadataStore());
    server = new HttpServer({ api: { status: async () => ({}) } as unknown as WorkbenchApi, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerPromApi(server, { queries: service, series: { series: async () => [] }, formatQuery: (x) => x, buildInfo: () => ({}) });
    port = (await server.listen(), server.port);
  });
  afterAll(() => server.close());

  it('POST /api/v1/query with a 2 MB form body: 413 with Prometheus error JSON', async () => {
    const body = `query=${big}`;
    const r = await raw(port, `POST /api/v1/query HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`, body);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text)).toMatchObject({ status: 'error', errorType: 'bad_data', error: expect.stringMatching(/POST \/api\/v1\/query: request body exceeds the limit of 1048576 bytes/) });
  });

  it('GET /api/v1/query with a 2 MB query string: 431 naming the limit and POST', async () => {
    const r = await raw(port, `GET /api/v1/query?query=${big} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    expect(r.status).toBe(431);
    expect(JSON.parse(r.text)).toMatchObject({ status: 'error', errorType: 'bad_data', error: expect.stringMatching(/exceed 1048576 bytes; send long queries with POST/) });
  });

  it('a query longer than the contract allows but inside the body limit: 400 bad_data', async () => {
    const body = `query=${'a'.repeat(300 * 1024)}`;
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errorType: 'bad_data', error: expect.stringMatching(/query is 307200 characters long, over the limit of 262144/) });
  });

  it('the contract API with a body over its limit (room for the largest dashboard): 413 in the contract error shape', async () => {
    const body = JSON.stringify({ query: 'x'.repeat(33 * 2 ** 20) });
    const r = await raw(port, `POST /api/vigil/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text)).toMatchObject({ kind: 'bad_request', message: expect.stringMatching(/request body exceeds the limit/) });
  });

  it('a body declared far over the limit is refused at once, without reading it', async () => {
    const r = await raw(port, `POST /api/v1/query HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${1 << 30}\r\n\r\n`, 'query=up');
    expect(r.status).toBe(413);
  });

  it('the server still answers afterwards', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=1`);
    expect(res.status).toBe(200);
  });
});
