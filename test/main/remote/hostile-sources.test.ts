// Hostile remote data sources, played by a tiny HTTP server in the test: one that holds its answer,
// one that trickles bytes, one that answers too much. None may hold up this engine's own queries
// or another source; each request ends at its deadline, when the page cancels it or when the page's
// connection to `vigil serve` drops, with an error naming the source.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServer } from '../../../main/api/http-server.js';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';

const labels = JSON.stringify({ status: 'success', data: ['fast'] });
const answer = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { who: 'fast' }, value: [1, '1'] }] } });

/** A source whose behaviour each test sets; it records when a request's connection closed. */
class FakeSource {
  readonly server: http.Server;
  behaviour: 'answer' | 'hold' | 'trickle' | 'huge' = 'answer';
  /** Held requests: answering them releases the hold. */
  readonly held: http.ServerResponse[] = [];
  closedEarly = 0;
  requests = 0;
  private closeWaiters: (() => void)[] = [];

  constructor() {
    this.server = http.createServer((req, res) => {
      this.requests++;
      req.resume();
      res.on('close', () => {
        if (!res.writableEnded) {
          this.closedEarly++;
          for (const w of this.closeWaiters.splice(0)) w();
        }
      });
      switch (this.behaviour) {
        case 'answer':
          return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(req.url?.includes('/label') ? labels : answer);
        case 'hold':
          return void this.held.push(res);
        case 'trickle': {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write('{"status":"success","data":');
          const t = setInterval(() => res.write(' '), 20);
          res.on('close', () => clearInterval(t));
          return;
        }
        case 'huge':
          return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'string', result: [1, 'x'.repeat(10_000)] } }));
      }
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once a request's connection closes before it was answered. */
  nextEarlyClose(): Promise<void> {
    return new Promise((r) => this.closeWaiters.push(r));
  }

  release(): void {
    for (const res of this.held.splice(0)) res.writeHead(200, { 'Content-Type': 'application/json' }).end(answer);
  }

  close(): void {
    this.release();
    this.server.closeAllConnections();
    this.server.close();
  }
}

/** Whether a promise has settled yet (without waiting for it). */
function tracked<T>(p: Promise<T>): { p: Promise<T>; settled: () => boolean } {
  let done = false;
  const q = p.finally(() => (done = true));
  q.catch(() => {});
  return { p: q, settled: () => done };
}

describe('hostile remote sources', () => {
  const slow = new FakeSource();
  const fast = new FakeSource();
  let engine: Engine;
  let serve: HttpServer;
  let slowUid = '';
  let fastUid = '';
  let cleanup = (): void => {};
  const cancels: string[] = [];

  beforeAll(async () => {
    const t = tempDir('vigil-hostile-');
    cleanup = t.cleanup;
    const configFile = join(t.dir, 'vigil.yml');
    writeFileSync(configFile, 'scrape_configs: []\n');
    // Short limits so the test does not wait 30 s; the behaviour is the same at the defaults.
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile, shell: 'test', inProcessStorage: true, logger: silentLogger, remoteSourceLimits: { timeoutMs: 1500, maxAnswerBytes: 1024 } });
    slowUid = (await engine.api.saveRemoteSource({ name: 'Slow', kind: 'prometheus', url: await slow.listen(), auth: { kind: 'none' } })).uid;
    fastUid = (await engine.api.saveRemoteSource({ name: 'Fast', kind: 'prometheus', url: await fast.listen(), auth: { kind: 'none' } })).uid;
    // The served contract records the cancels that reach the engine.
    const api = new Proxy(engine.api, {
      get: (target, key, receiver): unknown =>
        key === 'cancelQuery' ? (r: { queryId: string }) => (cancels.push(r.queryId), target.cancelQuery(r)) : Reflect.get(target, key, receiver),
    });
    serve = new HttpServer({ api, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    await serve.listen();
  });
  afterAll(async () => {
    await serve?.close();
    slow.close();
    fast.close();
    await engine?.stop();
    cleanup();
  });

  it('a source that holds its answer slows neither this engine nor another source', async () => {
    slow.behaviour = 'hold';
    const held = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => tracked(engine.api.query({ query: `up + ${i}`, time: 1000, source: slowUid })));
    while (slow.held.length < held.length) await new Promise((r) => setTimeout(r, 5));
    // Eight requests held by one source; the other source and the engine still answer now.
    const other = await engine.api.query({ query: 'up', time: 1000, source: fastUid });
    expect(other.result).toEqual({ resultType: 'vector', samples: [{ labels: { who: 'fast' }, t: 1000, v: 1 }] });
    expect((await engine.api.labelValues({ name: 'who', source: fastUid })).values).toEqual(['fast']);
    expect((await engine.api.query({ query: '1 + 1', time: 1000 })).result).toEqual({ resultType: 'scalar', t: 1000, v: 2 });
    expect(held.every((h) => !h.settled())).toBe(true);
    slow.release();
    for (const h of held) expect((await h.p).result.resultType).toBe('vector');
  });

  it('a source that never answers is stopped at the deadline, with an error naming it', async () => {
    slow.behaviour = 'hold';
    const closed = slow.nextEarlyClose();
    await expect(engine.api.query({ query: 'up', time: 1000, source: slowUid })).rejects.toMatchObject({ kind: 'unavailable', errorType: 'timeout', message: expect.stringMatching(/^source "Slow" \(http:\/\/127\.0\.0\.1:\d+\) did not answer within 1\.5 s/) });
    await closed;
  });

  it('a source that trickles bytes is stopped at the deadline too (an idle timeout alone never fires)', async () => {
    slow.behaviour = 'trickle';
    const closed = slow.nextEarlyClose();
    await expect(engine.api.labelNames({ source: slowUid })).rejects.toMatchObject({ errorType: 'timeout', message: expect.stringMatching(/source "Slow".*did not answer within 1\.5 s/) });
    await closed;
  });

  it('an answer over the size limit is dropped with an error naming the source', async () => {
    fast.behaviour = 'huge';
    try {
      await expect(engine.api.query({ query: 'x', time: 1000, source: fastUid })).rejects.toMatchObject({ kind: 'bad_request', message: expect.stringMatching(/^source "Fast" answered more than 1024 bytes/) });
    } finally {
      fast.behaviour = 'answer';
    }
    expect((await engine.api.query({ query: 'up', time: 1000, source: fastUid })).result.resultType).toBe('vector');
  });

  it('cancelQuery (the page moved on) ends the request at the source', async () => {
    slow.behaviour = 'hold';
    const closed = slow.nextEarlyClose();
    const before = slow.requests;
    const q = tracked(engine.api.queryRange({ query: 'up', start: 0, end: 60_000, step: 15_000, source: slowUid, queryId: 'page-1' }));
    while (slow.requests === before) await new Promise((r) => setTimeout(r, 5));
    expect(await engine.api.cancelQuery({ queryId: 'page-1' })).toEqual({ cancelled: true });
    await expect(q.p).rejects.toMatchObject({ errorType: 'canceled', message: 'source "Slow": query was canceled' });
    await closed;
  });

  it('a page whose connection to `vigil serve` drops (navigation, reload) stops its query at the source', async () => {
    slow.behaviour = 'hold';
    const closed = slow.nextEarlyClose();
    const page = new AbortController();
    const res = fetch(`http://127.0.0.1:${serve.port}/api/vigil/query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'up', time: 1000, source: slowUid, queryId: 'page-2' }),
      signal: page.signal,
    });
    res.catch(() => {});
    const before = slow.requests;
    while (slow.requests === before) await new Promise((r) => setTimeout(r, 5));
    page.abort();
    await closed;
    // Stopped by the dropped connection, not by the deadline.
    expect(cancels).toEqual(['page-2']);
  });
});
