/** `GET /host/metrics`: one collection as Prometheus text, with node_exporter's `collect[]`/`exclude[]` parameters. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CollectorFilterError } from './filter.js';
import type { HostCollector } from './host-collector.js';

export const hostMetricsPath = '/host/metrics';

export async function serveHostMetrics(host: HostCollector, _req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  let body: string;
  try {
    body = await host.render(url.searchParams.getAll('collect[]'), url.searchParams.getAll('exclude[]'));
  } catch (err) {
    if (!(err instanceof CollectorFilterError)) throw err;
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${err.message}\n`);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
}
