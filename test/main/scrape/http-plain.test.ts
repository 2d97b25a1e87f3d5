/**
 * The plain-HTTP scrape client (main/scrape/http-plain.ts) against raw sockets: body framings,
 * responses split at every byte, keep-alive reuse as Go's transport does it, and the retry it
 * makes when a reused connection was closed by the server.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ScrapeClient, type ScrapeRequest } from '../../../main/scrape/http.js';

interface RawServer {
  url: string;
  /** Connections accepted so far. */
  connections: number;
  /** Request heads received, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A server that answers each request head with `answer(i, socket)` (i counts requests over all connections). */
async function rawServer(answer: (i: number, socket: net.Socket) => void): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const srv: RawServer = { url: '', connections: 0, requests: [], close: async () => undefined };
  const server = net.createServer((socket) => {
    srv.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (d) => {
      pending += d.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        srv.requests.push(pending.slice(0, end));
        pending = pending.slice(end + 4);
        answer(srv.requests.length - 1, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  srv.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  srv.close = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return srv;
}

/** Writes `bytes` one byte per write with a tick between, so the client sees every split. */
async function trickle(socket: net.Socket, bytes: Buffer): Promise<void> {
  for (let i = 0; i < bytes.length; i++) {
    socket.write(bytes.subarray(i, i + 1));
    await new Promise((r) => setImmediate(r));
  }
}

const page = 'a{x="1"} 1\nb 2\n';
const req = (url: string, extra: Partial<ScrapeRequest> = {}): ScrapeRequest => ({ url, timeoutMs: 5000, bodySizeLimit: 0, userAgent: 'Vigil/test', ...extra });

let servers: RawServer[] = [];
let clients: ScrapeClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});
async function setup(answer: (i: number, socket: net.Socket) => void): Promise<{ srv: RawServer; client: ScrapeClient }> {
  const srv = await rawServer(answer);
  const client = new ScrapeClient();
  servers.push(srv);
  clients.push(client);
  return { srv, client };
}

describe('plain HTTP scrape client', () => {
  it('reads Content-Length, chunked and read-until-close bodies, each split at every byte', async () => {
    const gz = gzipSync(page);
    const chunked = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\na{x="\r\n${(page.length - 5).toString(16)}\r\n${page.slice(5)}\r\n0\r\nX-Trailer: 1\r\n\r\n`;
    const answers = [
      Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\nContent-Type: text/plain; version=0.0.4\r\n\r\n`), gz]),
      Buffer.from(chunked),
      Buffer.from(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n${page}`),
    ];
    const { srv, client } = await setup((i, socket) => {
      void trickle(socket, answers[i]!).then(() => {
        if (i === 2) socket.end();
      });
    });
    const got = [];
    for (let i = 0; i < answers.length; i++) {
      const r = await client.fetch(req(srv.url));
      got.push([r.body.toString(), r.contentType]);
    }
    expect(got).toEqual([
      [page, 'text/plain; version=0.0.4'],
      [page, 'text/plain'],
      [page, 'text/plain'],
    ]);
    // Kept alive through the first two; HTTP/1.0 without keep-alive ends the connection.
    expect(srv.connections).toBe(1);
    expect(srv.requests[0]).toMatch(/^GET \/metrics HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
    expect(srv.requests[0]).toContain('\r\nUser-Agent: Vigil/test\r\n');
    expect(srv.requests[0]).toContain('\r\nAccept-Encoding: gzip\r\n');
  });

  it('skips 1xx heads, reuses the connection, and opens a new one after Connection: close', async () => {
    const { srv, client } = await setup((i, socket) => {
      const close = i === 1 ? 'Connection: close\r\n' : '';
      socket.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n${close}Content-Length: ${page.length}\r\n\r\n${page}`);
      if (i === 1) socket.end();
    });
    for (let i = 0; i < 4; i++) expect((await client.fetch(req(srv.url))).body.toString()).toBe(page);
    expect(srv.connections).toBe(2);
  });

  it("keeps a connection past the server's Keep-Alive hint, as Go does, and leaves one the server closed while idle", async () => {
    const { srv, client } = await setup((i, socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: ${page.length}\r\n\r\n${page}`);
      if (i === 1) socket.end(); // an idle close: the client sees it before its next request
    });
    await client.fetch(req(srv.url));
    await client.fetch(req(srv.url));
    await new Promise((r) => setTimeout(r, 100));
    await client.fetch(req(srv.url));
    // Reused once despite timeout=1; after the idle close a new connection, not a retried request.
    expect([srv.connections, srv.requests.length]).toEqual([2, 3]);
  });

  it('sends the request again on a new connection when the server closed the reused one unanswered', async () => {
    const { srv, client } = await setup((i, socket) => {
      if (i === 1) socket.destroy(); // the server's idle close racing the request
      else socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${page.length}\r\n\r\n${page}`);
    });
    expect((await client.fetch(req(srv.url))).body.toString()).toBe(page);
    expect((await client.fetch(req(srv.url))).body.toString()).toBe(page);
    expect(srv.requests.length).toBe(3);
    expect(srv.connections).toBe(2);
  });

  it('fails as Go does: EOF before a response, unexpected EOF in the body, malformed heads and chunks, status errors', async () => {
    const answers: ((s: net.Socket) => void)[] = [
      (s) => s.destroy(),
      (s) => s.end(`HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort`),
      (s) => s.end('SSH-2.0-OpenSSH\r\n\r\n'),
      (s) => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
      (s) => s.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\ndown\n'),
      (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n'),
    ];
    const { srv, client } = await setup((i, socket) => answers[i]!(socket));
    const errors = [];
    for (let i = 0; i < answers.length; i++) errors.push(await client.fetch(req(srv.url)).then(() => null, (e: Error & { reason: string }) => [e.reason, e.message]));
    expect(errors).toEqual([
      ['network', `Get "${srv.url}": EOF`],
      ['network', 'unexpected EOF'],
      ['network', `Get "${srv.url}": malformed HTTP response "SSH-2.0-OpenSSH"`],
      ['network', 'http: malformed chunked encoding'],
      ['http_status', 'server returned HTTP status 503 Service Unavailable'],
      ['network', `Get "${srv.url}": http: message cannot contain multiple Content-Length headers; got "5" and "6"`],
    ]);
  });

  it('applies the body size limit to a stated Content-Length and to a chunked body as it arrives', async () => {
    const big = 'x'.repeat(5000);
    const answers = [
      `HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n${big}`,
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n${big}\r\n0\r\n\r\n`,
      `HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n${big}`,
    ];
    const { srv, client } = await setup((i, socket) => socket.write(answers[i]!));
    const limit = (bodySizeLimit: number) => client.fetch(req(srv.url, { bodySizeLimit })).then((r) => r.body.length, (e: Error & { reason: string }) => e.reason);
    expect([await limit(5000), await limit(4999), await limit(5001)]).toEqual(['body_size', 'body_size', 5000]);
  });

  it('a deadline or an abort cuts a response that stalls, naming the request before its head', async () => {
    const { srv, client } = await setup((i, socket) => {
      if (i === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab');
    });
    const timeout = await client.fetch(req(srv.url, { timeoutMs: 200 })).catch((e: Error & { reason: string }) => [e.reason, e.message]);
    expect(timeout).toEqual(['timeout', `Get "${srv.url}": context deadline exceeded`]);
    const ac = new AbortController();
    const aborted = client.fetch(req(srv.url, { signal: ac.signal })).catch((e: Error & { reason: string }) => [e.reason, e.message]);
    setTimeout(() => ac.abort(), 100);
    // Before or after the head arrived (a loaded machine decides), as Go words either.
    expect(await aborted).toEqual(['aborted', expect.stringMatching(/^(Get "[^"]+": )?context canceled$/)]);
  });

  it('gives each of two overlapping fetches its own connection and body', async () => {
    const bodies = ['first 1\n', 'second 2\n'];
    const held: net.Socket[] = [];
    const { srv, client } = await setup((i, socket) => {
      held.push(socket);
      if (i === 1) for (const [j, s] of held.entries()) s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${bodies[j]!.length}\r\n\r\n${bodies[j]}`);
    });
    const [a, b] = await Promise.all([client.fetch(req(srv.url)), client.fetch(req(srv.url))]);
    expect([a.body.toString(), b.body.toString()].sort()).toEqual(bodies);
    expect(srv.connections).toBe(2);
  });
});
