/**
 * `/api/v1/write` (`vigil serve --web.enable-remote-write-receiver`): Prometheus remote write 1.0
 * (`prometheus.WriteRequest`) and 2.0 (`io.prometheus.write.v2.Request`, chosen by the
 * Content-Type's `proto` parameter) into storage, answered as Prometheus answers. Float samples
 * and native histograms of one request are one storage transaction: a sample that is out of
 * order, a duplicate with another value, out of bounds or an invalid histogram rolls the whole
 * request back and answers 400 with Prometheus' error text, so storage never holds half a
 * request. Exemplars go to the in-memory exemplar ring after the commit (one it refuses costs
 * only itself). A 2.0 answer says what was written in X-Prometheus-Remote-Write-*-Written.
 */
import { DuplicateSampleError, OutOfBoundsError, OutOfOrderError, StorageError, type Appendable, type Appender, type Exemplar, type ExemplarAppender } from '../tsdb/interface.js';
import { normalizeLabels, type Label, type Labels } from '../tsdb/labels.js';
import { NativeHistogramError } from '../scrape/parse/native-histogram.js';
import { histogramFromProto, type PbHistogram } from './histogram-proto.js';
import { decodeWriteRequest, decodeWriteRequestV2, snappyUncompress } from './proto.js';

/** A decompressed request larger than this is refused (Prometheus' decodeReadLimit is 32 MiB too). */
const maxDecodedBytes = 32 << 20;

export interface ReceiveResult {
  readonly status: number;
  /** Plain-text body, as Go's http.Error writes it. */
  readonly text: string;
  readonly samples: number;
  readonly histograms: number;
  readonly exemplars: number;
  /** Response headers (2.0: what was written). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ReceiveOptions {
  /** The request's Content-Type (absent: 1.0, as Prometheus takes it). */
  readonly contentType?: string;
  /** Where received exemplars go; without it they are counted as not written. */
  readonly exemplars?: ExemplarAppender;
}

/** Storage that can also find a series by labels (exemplars of a series without samples in the request). */
type Storage = Appendable & { seriesRef?(labels: Labels): number };

const legacyName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Prometheus' sentinel texts for the append errors a sender cannot fix by retrying. */
function prometheusText(err: StorageError): string {
  if (err instanceof OutOfOrderError) return 'out of order sample';
  if (err instanceof DuplicateSampleError) return 'duplicate sample for timestamp';
  if (err instanceof OutOfBoundsError) return 'out of bounds';
  return err.message;
}

/** One series of either protocol, with strings resolved. */
interface Received {
  readonly labels: Label[];
  readonly samples: readonly { value: number; timestamp: number }[];
  readonly histograms: readonly PbHistogram[];
  readonly exemplars: readonly { labels: Label[]; value: number; timestamp: number }[];
}

type Protocol = '1.0' | '2.0';

/** The protocol a Content-Type asks for, or the 415 text when it is neither. */
function protocolOf(contentType: string | undefined): Protocol | string {
  if (contentType === undefined || contentType.trim() === '') return '1.0';
  const [media, ...params] = contentType.split(';').map((p) => p.trim());
  if (media!.toLowerCase() !== 'application/x-protobuf') return `unsupported Content-Type ${JSON.stringify(contentType)}: use application/x-protobuf`;
  const proto = params.find((p) => p.toLowerCase().startsWith('proto='))?.slice(6).replace(/^"|"$/g, '');
  if (proto === undefined || proto === 'prometheus.WriteRequest') return '1.0';
  if (proto === 'io.prometheus.write.v2.Request') return '2.0';
  return `unknown remote write protobuf message ${JSON.stringify(proto)}: this receiver takes prometheus.WriteRequest and io.prometheus.write.v2.Request`;
}

function symbol(symbols: readonly string[], ref: number): string {
  const s = symbols[ref];
  if (s === undefined) throw new RangeError(`symbol reference ${ref} is outside the ${symbols.length} symbols`);
  return s;
}

function pairs(symbols: readonly string[], refs: readonly number[]): Label[] {
  if (refs.length % 2 !== 0) throw new RangeError(`odd number of label references (${refs.length})`);
  const out: Label[] = [];
  for (let i = 0; i < refs.length; i += 2) out.push({ name: symbol(symbols, refs[i]!), value: symbol(symbols, refs[i + 1]!) });
  return out;
}

function decode(body: Uint8Array, protocol: Protocol): Received[] | string {
  let raw: Uint8Array;
  try {
    raw = snappyUncompress(body, maxDecodedBytes);
  } catch (err) {
    return `snappy: corrupt input (${(err as Error).message})`;
  }
  if (protocol === '1.0') {
    try {
      return decodeWriteRequest(raw).timeseries.map((ts) => ({ labels: ts.labels, samples: ts.samples, histograms: ts.histograms ?? [], exemplars: ts.exemplars ?? [] }));
    } catch (err) {
      return `proto: cannot parse WriteRequest: ${(err as Error).message}`;
    }
  }
  try {
    const req = decodeWriteRequestV2(raw);
    return req.timeseries.map((ts) => ({
      labels: pairs(req.symbols, ts.labels_refs),
      samples: ts.samples,
      histograms: ts.histograms,
      exemplars: ts.exemplars.map((e) => ({ labels: pairs(req.symbols, e.labels_refs), value: e.value, timestamp: e.timestamp })),
    }));
  } catch (err) {
    return `proto: cannot parse io.prometheus.write.v2.Request: ${(err as Error).message}`;
  }
}

const labelsText = (labels: readonly Label[]): string => JSON.stringify(Object.fromEntries(labels.map((l) => [l.name, l.value])));

export async function receiveWrite(body: Uint8Array, storage: Storage, o: ReceiveOptions = {}): Promise<ReceiveResult> {
  const protocol = protocolOf(o.contentType);
  const answer = (status: number, text: string, n = { samples: 0, histograms: 0, exemplars: 0 }): ReceiveResult => ({
    status,
    text,
    ...n,
    headers:
      protocol === '2.0'
        ? { 'X-Prometheus-Remote-Write-Samples-Written': String(n.samples), 'X-Prometheus-Remote-Write-Histograms-Written': String(n.histograms), 'X-Prometheus-Remote-Write-Exemplars-Written': String(n.exemplars) }
        : {},
  });
  if (protocol !== '1.0' && protocol !== '2.0') return answer(415, protocol);
  const req = decode(body, protocol);
  if (typeof req === 'string') return answer(400, req);
  const app = storage.appender();
  let samples = 0;
  let histograms = 0;
  /** Per series of the request: its ref when this request appended to it. */
  const refs: (number | undefined)[] = [];
  const fail = (status: number, text: string): ReceiveResult => {
    app.rollback();
    return answer(status, text);
  };
  try {
    for (const ts of req) {
      const labels = ts.labels.map((l) => ({ name: l.name, value: l.value }));
      if (labels.length === 0 || labels.some((l) => !legacyName.test(l.name))) return fail(400, `invalid labels for series: ${labelsText(labels)}`);
      let ref: number | undefined;
      for (const s of ts.samples) {
        ref = app.append(ref ?? normalizeLabels(labels), s.timestamp, s.value);
        samples++;
      }
      if (ts.histograms.length > 0) {
        const appendHistogram = app.appendHistogram?.bind(app) as Appender['appendHistogram'];
        if (appendHistogram === undefined) return fail(400, 'native histograms are not supported by this storage');
        for (const p of ts.histograms) {
          ref = appendHistogram(ref ?? normalizeLabels(labels), p.timestamp, histogramFromProto(p));
          histograms++;
        }
      }
      refs.push(ref);
    }
  } catch (err) {
    if (err instanceof NativeHistogramError || err instanceof RangeError) return fail(400, `invalid histogram: ${err.message}`);
    if (err instanceof StorageError && err.kind !== 'unavailable') return fail(400, prometheusText(err));
    return fail(500, (err as Error).message);
  }
  try {
    await app.commit();
  } catch (err) {
    if (err instanceof StorageError && err.kind !== 'unavailable') return answer(400, prometheusText(err));
    return answer(500, (err as Error).message);
  }
  const exemplars = addExemplars(req, refs, storage, o.exemplars);
  return answer(204, '', { samples, histograms, exemplars });
}

/** Exemplars of the request into the ring, once their series exist; returns how many it kept. */
function addExemplars(req: readonly Received[], refs: readonly (number | undefined)[], storage: Storage, ring: ExemplarAppender | undefined): number {
  if (ring === undefined) return 0;
  // ExemplarStore counts what it refuses (out of order, labels too long); other rings keep all.
  const refused = (): number => (ring as { refused?: number }).refused ?? 0;
  const refusedBefore = refused();
  let offered = 0;
  req.forEach((ts, i) => {
    if (ts.exemplars.length === 0) return;
    const ref = refs[i] ?? storage.seriesRef?.(normalizeLabels(ts.labels)) ?? 0;
    if (ref === 0) return;
    for (const e of ts.exemplars) {
      const exemplar: Exemplar = { labels: normalizeLabels(e.labels), value: e.value, ts: e.timestamp };
      ring.addExemplar(ref, exemplar);
      offered++;
    }
  });
  return offered - (refused() - refusedBefore);
}
