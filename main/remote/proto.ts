/**
 * Prometheus remote storage wire format: protobuf messages (prompb.proto, through protobufjs)
 * compressed with snappy's block format (snappyjs). Both libraries are pure JavaScript, so the
 * desktop build needs no native addon; snappyjs measured as fast as the native `snappy` package
 * on a 170 KB write request (≈0.9 ms to compress, ≈0.4 ms to uncompress).
 */
import protobuf from 'protobufjs';
import SnappyJS from 'snappyjs';
import { prompbDescriptor, writeV2Descriptor } from './proto-descriptor.js';
import type { PbHistogram } from './histogram-proto.js';

// int64 fields (timestamps) decode as JavaScript numbers rather than Long objects: millisecond
// times stay far below 2^53. This setting is global to protobufjs; main/scrape/parse/protobuf.ts
// (the protobuf exposition format) sets it the same way.
protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();

const root = protobuf.Root.fromJSON(prompbDescriptor);
const rootV2 = protobuf.Root.fromJSON(writeV2Descriptor);
/** `Name` in package prometheus (1.0), `v2.Name` in io.prometheus.write.v2. */
const type = (name: string): protobuf.Type => (name.startsWith('v2.') ? rootV2.lookupType(`io.prometheus.write.${name}`) : root.lookupType(`prometheus.${name}`));
const writeRequestType = type('WriteRequest');
const readRequestType = type('ReadRequest');
const readResponseType = type('ReadResponse');
const chunkedReadResponseType = type('ChunkedReadResponse');
const labelType = type('Label');
const chunkType = type('Chunk');

export interface PbLabel {
  name: string;
  value: string;
}
interface PbSample {
  value: number;
  timestamp: number;
}
interface PbExemplar {
  labels: PbLabel[];
  value: number;
  timestamp: number;
}
export interface PbTimeSeries {
  labels: PbLabel[];
  samples: PbSample[];
  /** Present when decoded; the sender's 1.0 requests carry one kind each. */
  histograms?: PbHistogram[];
  exemplars?: PbExemplar[];
}
export interface PbMetadata {
  type: number;
  metric_family_name: string;
  help: string;
  unit: string;
}
export interface WriteRequest {
  timeseries: PbTimeSeries[];
  metadata?: PbMetadata[];
}

/** LabelMatcher.Type: 0 EQ, 1 NEQ, 2 RE, 3 NRE. */
interface PbMatcher {
  type: number;
  name: string;
  value: string;
}
interface PbQuery {
  start_timestamp_ms: number;
  end_timestamp_ms: number;
  matchers: PbMatcher[];
}
export interface ReadRequest {
  queries: PbQuery[];
  /** ResponseType: 0 SAMPLES, 1 STREAMED_XOR_CHUNKS. */
  accepted_response_types: number[];
}

/** A chunk of STREAMED_XOR_CHUNKS; `type` 1 is XOR (./prom-xor.ts). */
export interface PbChunk {
  min_time_ms: number;
  max_time_ms: number;
  type: number;
  data: Uint8Array;
}

export interface ChunkedReadResponse {
  chunked_series: { labels: PbLabel[]; chunks: PbChunk[] }[];
  query_index: number;
}

export interface ReadResponse {
  results: { timeseries: PbTimeSeries[] }[];
}

function encode(t: protobuf.Type, msg: object): Uint8Array {
  return t.encode(msg).finish();
}

/**
 * Plain objects with every repeated field present (protobufjs leaves empty arrays out on decode);
 * `oneofs` names the member set of each oneof (a histogram's count_int or count_float).
 */
function decode<T>(t: protobuf.Type, bytes: Uint8Array): T {
  return t.toObject(t.decode(bytes), { arrays: true, defaults: true, longs: Number, enums: Number, oneofs: true }) as T;
}

/** Any message of either package by name (`TimeSeries`, `v2.Request`), from plain objects. */
export const encodeRaw = (name: string, msg: object): Uint8Array => encode(type(name), msg);

/** A 2.0 request as decoded: strings are indices into `symbols`. */
export interface WriteRequestV2 {
  symbols: string[];
  timeseries: {
    labels_refs: number[];
    samples: PbSample[];
    histograms: PbHistogram[];
    exemplars: { labels_refs: number[]; value: number; timestamp: number }[];
    metadata: { type: number; help_ref: number; unit_ref: number } | null;
    created_timestamp: number;
  }[];
}
export const decodeWriteRequestV2 = (b: Uint8Array): WriteRequestV2 => decode(type('v2.Request'), b);

export const encodeWriteRequest = (w: WriteRequest): Uint8Array => encode(writeRequestType, w);
export const decodeWriteRequest = (b: Uint8Array): WriteRequest => decode(writeRequestType, b);
export const encodeReadRequest = (r: ReadRequest): Uint8Array => encode(readRequestType, r);
export const decodeReadRequest = (b: Uint8Array): ReadRequest => decode(readRequestType, b);
export const encodeReadResponse = (r: ReadResponse): Uint8Array => encode(readResponseType, r);
export const decodeReadResponse = (b: Uint8Array): ReadResponse => decode(readResponseType, b);
export const encodeChunkedReadResponse = (r: ChunkedReadResponse): Uint8Array => encode(chunkedReadResponseType, r);
export const decodeChunkedReadResponse = (b: Uint8Array): ChunkedReadResponse => decode(chunkedReadResponseType, b);
/** Encoded size of one Label / Chunk message (gogoproto's Size()), as Prometheus budgets frames. */
export const labelSize = (l: PbLabel): number => labelType.encode(l).len;
export const chunkSize = (c: PbChunk): number => chunkType.encode(c).len;

/** A series for `encodeWriteRequestFast`: its encoded labels section, samples [from, to) of t/v. */
export interface PreparedSeries {
  readonly labels: Uint8Array;
  /** The series' ref in storage (2.0 requests look its labels up by it). */
  readonly ref: number;
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
  readonly from: number;
  readonly to: number;
}

/**
 * The labels of a series as they appear inside an encoded TimeSeries (field 1, repeated Label),
 * written once by protobufjs and kept by the sender for as long as the series is sent.
 */
export function encodeLabels(labels: readonly PbLabel[]): Uint8Array {
  return type('TimeSeries').encode({ labels }).finish();
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 128) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/**
 * A WriteRequest for these series, written into one buffer sized in advance: the cached label
 * sections are copied and each sample costs 13–21 bytes of plain writes, no object. It is the
 * sender's hot path: with protobufjs' Writer (an object per field) `npm run bench:remote-write`
 * measured 7.9 extra CPU-s per 1 M samples sent and Vigil fell behind W-fleet; with this, 4.5. Only non-negative timestamps take this path;
 * test/main/remote/proto.test.ts decodes its output with protobufjs.
 */
export function encodeWriteRequestFast(series: readonly PreparedSeries[]): Uint8Array {
  for (const s of series) for (let i = s.from; i < s.to; i++) if (!(s.t[i]! >= 0)) return encodeSlow(series);
  let size = 0;
  const tsLen = new Array<number>(series.length);
  for (let k = 0; k < series.length; k++) {
    const s = series[k]!;
    let n = s.labels.length;
    for (let i = s.from; i < s.to; i++) n += 12 + varintLength(s.t[i]!);
    tsLen[k] = n;
    size += 1 + varintLength(n) + n;
  }
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  for (let k = 0; k < series.length; k++) {
    const s = series[k]!;
    buf[pos++] = 0x0a; // WriteRequest.timeseries = 1
    pos = writeVarint(buf, pos, tsLen[k]!);
    buf.set(s.labels, pos);
    pos += s.labels.length;
    for (let i = s.from; i < s.to; i++) {
      const t = s.t[i]!;
      buf[pos++] = 0x12; // TimeSeries.samples = 2
      buf[pos++] = 10 + varintLength(t);
      buf[pos++] = 0x09; // Sample.value = 1, fixed64
      buf.writeDoubleLE(s.v[i]!, pos);
      pos += 8;
      buf[pos++] = 0x10; // Sample.timestamp = 2, varint
      pos = writeVarint(buf, pos, t);
    }
  }
  if (pos !== size) throw new Error(`remote write encoder: wrote ${pos} of ${size} bytes`);
  return buf;
}

function encodeSlow(series: readonly PreparedSeries[]): Uint8Array {
  const timeseries = series.map((s) => {
    const { labels } = type('TimeSeries').toObject(type('TimeSeries').decode(s.labels)) as { labels: PbLabel[] };
    const samples: PbSample[] = [];
    for (let i = s.from; i < s.to; i++) samples.push({ value: s.v[i]!, timestamp: s.t[i]! });
    return { labels, samples };
  });
  return encodeWriteRequest({ timeseries });
}

/** Snappy block format (not the framed stream format), as remote write and read use. */
export function snappyCompress(b: Uint8Array): Uint8Array {
  return SnappyJS.compress(b);
}

/** Throws on a corrupt block or one that would expand beyond `maxBytes`. */
export function snappyUncompress(b: Uint8Array, maxBytes: number): Uint8Array {
  return SnappyJS.uncompress(b, maxBytes);
}
