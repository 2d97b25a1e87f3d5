/** A remote-write receiver for tests: decodes what it gets with the same .proto, answers as scripted. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeWriteRequest, decodeWriteRequestV2, snappyUncompress, type PbMetadata, type PbTimeSeries } from '../../../main/remote/proto.js';

/** A 2.0 request as 1.0 series (symbols resolved), so tests compare both the same way. */
function fromV2(raw: Uint8Array): PbTimeSeries[] {
  const req = decodeWriteRequestV2(raw);
  const pairs = (refs: number[]) => Array.from({ length: refs.length / 2 }, (_, i) => ({ name: req.symbols[refs[2 * i]!]!, value: req.symbols[refs[2 * i + 1]!]! }));
  return req.timeseries.map((ts) => ({ labels: pairs(ts.labels_refs), samples: ts.samples, histograms: ts.histograms, exemplars: ts.exemplars.map((e) => ({ labels: pairs(e.labels_refs), value: e.value, timestamp: e.timestamp })) }));
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer this long after the request arrived (what it carried is taken first, as a slow receiver may). */
  delayMs?: number;
}

export class FakeReceiver {
  /** Accepted series, in arrival order. */
  readonly received: PbTimeSeries[] = [];
  readonly headers: http.IncomingHttpHeaders[] = [];
  /** Answers for the next requests; 204 once empty. */
  readonly script: Answer[] = [];
  /** Metadata of 1.0 metadata requests, in arrival order. */
  readonly metadata: PbMetadata[] = [];
  /** 2.0 series metadata as {type, help, unit}, by metric name. */
  readonly v2Metadata = new Map<string, { type: number; help: string; unit: string }>();
  requests = 0;
  /** Answer 415 to 2.0 requests, as a 1.0-only receiver. */
  only1 = false;
  /** Answer 400 to requests holding histograms, as a receiver without native histograms. */
  refuseHistograms = false;
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
        const v2 = (req.headers['content-type'] ?? '').includes('proto=io.prometheus.write.v2.Request');
        let answer = v2 && this.only1 ? { status: 415, body: 'unsupported\n' } : (this.script.shift() ?? { status: 204 });
        if (answer.status >= 200 && answer.status < 300) {
          const raw = snappyUncompress(Buffer.concat(chunks), 64 << 20);
          const series = v2 ? fromV2(raw) : decodeWriteRequest(raw).timeseries;
          if (v2) this.noteV2Metadata(raw);
          else this.metadata.push(...(decodeWriteRequest(raw).metadata ?? []));
          const samples = series.reduce((a, s) => a + s.samples.length, 0);
          const histograms = series.reduce((a, s) => a + (s.histograms?.length ?? 0), 0);
          const exemplars = series.reduce((a, s) => a + (s.exemplars?.length ?? 0), 0);
          if (this.prometheusLike && !this.inOrder(series)) answer = { status: 400, body: 'out of order sample\n' };
          else if (this.refuseHistograms && histograms > 0) answer = { status: 400, body: 'native histograms are disabled\n' };
          else {
            this.received.push(...series);
            if (v2) answer = { ...answer, headers: { ...answer.headers, 'X-Prometheus-Remote-Write-Samples-Written': String(samples), 'X-Prometheus-Remote-Write-Histograms-Written': String(histograms), 'X-Prometheus-Remote-Write-Exemplars-Written': String(exemplars) } };
          }
        }
        const send = () => {
          if (res.destroyed) return; // the sender gave up waiting
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body ?? '');
        };
        if (answer.delayMs !== undefined) setTimeout(send, answer.delayMs);
        else send();
        this.check();
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/api/v1/write`;
  }

  private noteV2Metadata(raw: Uint8Array): void {
    const req = decodeWriteRequestV2(raw);
    for (const ts of req.timeseries) {
      if (ts.metadata === null) continue;
      const name = req.symbols[ts.labels_refs[ts.labels_refs.findIndex((r, i) => i % 2 === 0 && req.symbols[r] === '__name__') + 1]!]!;
      this.v2Metadata.set(name, { type: ts.metadata.type, help: req.symbols[ts.metadata.help_ref]!, unit: req.symbols[ts.metadata.unit_ref]! });
    }
  }

  /** Histograms received, in arrival order. */
  histograms(): number {
    return this.received.reduce((a, s) => a + (s.histograms?.length ?? 0), 0);
  }

  exemplars(): number {
    return this.received.reduce((a, s) => a + (s.exemplars?.length ?? 0), 0);
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
