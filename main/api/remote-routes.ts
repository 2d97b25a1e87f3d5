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
}

const text = (status: number, body: string) => ({ status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, body: body === '' ? '' : body + '\n' });

export function registerRemoteRoutes(server: HttpServer, engine: Engine, o: RemoteRouteOptions): void {
  const external = (): Record<string, string> => engine.collection?.config.current()?.global.external_labels ?? {};
  server.route('/api/v1/write', async (req, res, _url, body) => {
    let a = text(405, 'use POST');
    if (!o.remoteWriteReceiver) a = text(404, 'remote write receiver needs to be enabled with --web.enable-remote-write-receiver');
    else if (req.method === 'POST') {
      const r = await receiveWrite(body, engine.tsdb);
      if (r.status !== 204) engine.log.warn(`remote write request refused: ${r.text}`, { remote: req.socket.remoteAddress });
      a = text(r.status, r.text);
    }
    res.writeHead(a.status, a.headers).end(a.body);
  });
  server.route('/api/v1/read', async (req, res, _url, body) => {
    if (req.method !== 'POST') {
      const a = text(405, 'use POST');
      res.writeHead(a.status, a.headers).end(a.body);
      return;
    }
    const r = await remoteRead(body, engine.tsdb, external(), o.readSampleLimit ?? 50_000_000);
    const encoding = r.status === 200 ? { 'Content-Encoding': 'snappy' } : {};
    res.writeHead(r.status, { 'Content-Type': r.contentType, ...encoding, 'X-Content-Type-Options': 'nosniff' }).end(r.body);
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
