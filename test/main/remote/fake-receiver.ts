/** A remote-write receiver for tests: decodes what it gets with the same .proto, answers as scripted. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeWriteRequest, snappyUncompress, type PbTimeSeries } from '../../../main/remote/proto.js';

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export class FakeReceiver {
  /** Accepted series, in arrival order. */
  readonly received: PbTimeSeries[] = [];
  readonly headers: http.IncomingHttpHeaders[] = [];
  /** Answers for the next requests; 204 once empty. */
  readonly script: Answer[] = [];
  requests = 0;
  /**
   * Answer as Prometheus' receiver: a request holding a sample older than its series' newest (or
   * at the same time with another value) is refused whole with 400 "out of order sample".
   */
  prometheusLike = false;
  private readonly newest = new Map<string, number>();
  private server: http.Server | null = null;
  private waiters: { until: () => boolean; resolve: () => void }[] = [];

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        this.headers.push(req.headers);
        let answer = this.script.shift() ?? { status: 204 };
        if (answer.status >= 200 && answer.status < 300) {
          const series = decodeWriteRequest(snappyUncompress(Buffer.concat(chunks), 64 << 20)).timeseries;
          if (this.prometheusLike && !this.inOrder(series)) answer = { status: 400, body: 'out of order sample\n' };
          else this.received.push(...series);
        }
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
        this.check();
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/api/v1/write`;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  private inOrder(series: PbTimeSeries[]): boolean {
    const next = new Map(this.newest);
    for (const ts of series) {
      const key = ts.labels.map((l) => `${l.name}=${l.value}`).join(',');
      for (const x of ts.samples) {
        if (x.timestamp <= (next.get(key) ?? -Infinity)) return false;
        next.set(key, x.timestamp);
      }
    }
    for (const [k, v] of next) this.newest.set(k, v);
    return true;
  }

  /** Samples received per series, keyed by the labels as `name=value,…`. */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const ts of this.received) {
      const key = ts.labels.map((l) => `${l.name}=${l.value}`).join(',');
      out.set(key, (out.get(key) ?? 0) + ts.samples.length);
    }
    return out;
  }

  total(): number {
    return this.received.reduce((a, s) => a + s.samples.length, 0);
  }

  /** Resolves once `until` holds after a request (or now). */
  waitFor(until: () => boolean): Promise<void> {
    if (until()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ until, resolve }));
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.until()) return true;
      w.resolve();
      return false;
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });
  }
}
