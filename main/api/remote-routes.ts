/**
 * Remote storage endpoints of `vigil serve`: the remote-write receiver (off unless
 * `--web.enable-remote-write-receiver`), remote read and `/federate`. The logic is in
 * main/remote/; this file maps HTTP onto it.
 */
import type { Engine } from '../engine.js';
import { federate } from '../remote/federate.js';
import { remoteRead } from '../remote/read.js';
import { receiveWrite } from '../remote/receiver.js';
import type { HttpServer } from './http-server.js';

export interface RemoteRouteOptions {
  /** `--web.enable-remote-write-receiver`. */
  readonly remoteWriteReceiver: boolean;
  /** Most samples one remote read may return (Prometheus' --storage.remote.read-sample-limit). */
  readonly readSampleLimit?: number;
  /** Largest frame of a streamed remote read answer (Prometheus' --storage.remote.read-max-bytes-in-frame, 1 MiB). */
  readonly readMaxBytesInFrame?: number;
}

const text = (status: number, body: string) => ({ status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, body: body === '' ? '' : body + '\n' });

export function registerRemoteRoutes(server: HttpServer, engine: Engine, o: RemoteRouteOptions): void {
  const external = (): Record<string, string> => engine.collection?.config.current()?.global.external_labels ?? {};
  server.route('/api/v1/write', async (req, res, _url, body) => {
    let a = text(405, 'use POST');
    if (!o.remoteWriteReceiver) a = text(404, 'remote write receiver needs to be enabled with --web.enable-remote-write-receiver');
    else if (req.method === 'POST') {
      const ct = req.headers['content-type'];
      const r = await receiveWrite(body, engine.tsdb, { exemplars: engine.exemplars, ...(ct !== undefined ? { contentType: ct } : {}) });
      if (r.status !== 204) engine.log.warn(`remote write request refused: ${r.text}`, { remote: req.socket.remoteAddress });
      a = text(r.status, r.text);
      a = { ...a, headers: { ...a.headers, ...r.headers } };
    }
    res.writeHead(a.status, a.headers).end(a.body);
  });
  server.route('/api/v1/read', async (req, res, _url, body) => {
    if (req.method !== 'POST') {
      const a = text(405, 'use POST');
      res.writeHead(a.status, a.headers).end(a.body);
      return;
    }
    const r = await remoteRead(body, engine.tsdb, { external: external(), maxSamples: o.readSampleLimit ?? 50_000_000, maxBytesInFrame: o.readMaxBytesInFrame ?? 1 << 20 });
    if (!('frames' in r)) {
      res.writeHead(r.status, { 'Content-Type': r.contentType, ...(r.snappy ? { 'Content-Encoding': 'snappy' } : {}), 'X-Content-Type-Options': 'nosniff' }).end(r.body);
      return;
    }
    res.writeHead(200, { 'Content-Type': r.contentType, 'X-Content-Type-Options': 'nosniff' });
    try {
      for await (const f of r.frames) {
        if (!res.write(f))
          await new Promise((resolve) => {
            res.once('drain', resolve);
            res.once('close', resolve);
          });
        if (res.destroyed) return;
      }
      res.end();
    } catch (err) {
      // The status is sent: a cut stream (no final frame) is how Prometheus reports it too.
      engine.log.warn(`streamed remote read failed: ${(err as Error).message}`, { remote: req.socket.remoteAddress });
      res.destroy();
    }
  });
  server.route('/federate', async (_req, res, url) => {
    let sets;
    try {
      const match = url.searchParams.getAll('match[]');
      if (match.length === 0) throw new Error('no match[] parameter given');
      sets = engine.querySvc.matcherSets(match);
    } catch (err) {
      const a = text(400, (err as Error).message);
      res.writeHead(a.status, a.headers).end(a.body);
      return;
    }
    const out = await federate(engine.tsdb, sets, Date.now(), external());
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(out);
  });
}
