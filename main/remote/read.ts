/**
 * `/api/v1/read`: Prometheus remote read. The response type is negotiated as Prometheus does: the
 * first of the request's `accepted_response_types` Vigil serves (none listed means SAMPLES).
 *
 * * SAMPLES: one snappy-compressed ReadResponse, refused past the sample limit.
 * * STREAMED_XOR_CHUNKS: `application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse`,
 *   a stream of frames (uvarint length, CRC-32 Castagnoli of the message, big-endian, then the
 *   ChunkedReadResponse), not compressed. Each frame holds chunks of one series (a series may
 *   span several frames) and the index of its query; a frame is cut once its chunks fill
 *   `max_bytes_in_frame` less the labels' size, so it overshoots by at most one chunk, as in
 *   Prometheus. Chunks are Prometheus' XOR bytes (./prom-xor.ts) of up to 120 samples each,
 *   encoded from the samples in [start, end].
 *
 * In both, external labels are added where a series lacks them, and a query's equality matcher
 * on an external label's own value matches series without that label (Prometheus'
 * filterExtLabelsFromMatchers), so a client adding its external labels still finds them.
 */
import { crc32c } from '@aws-crypto/crc32c';
import type { MatchOp } from '../../app/dialect/matcher.js';
import type { Matcher, Queryable, StoredSeries } from '../tsdb/interface.js';
import type { Labels } from '../tsdb/labels.js';
import { encodePromXor, samplesPerChunk } from './prom-xor.js';
import {
  chunkSize,
  decodeReadRequest,
  encodeChunkedReadResponse,
  encodeReadResponse,
  labelSize,
  snappyCompress,
  snappyUncompress,
  type PbChunk,
  type PbLabel,
  type PbTimeSeries,
  type ReadRequest,
} from './proto.js';

/** Prometheus' decodeReadLimit. */
const maxDecodedBytes = 32 << 20;
const ops: readonly MatchOp[] = ['=', '!=', '=~', '!~'];
const SAMPLES = 0;
const STREAMED_XOR_CHUNKS = 1;

export interface ReadOptions {
  readonly external: Readonly<Record<string, string>>;
  /** SAMPLES: most samples one request may return (--storage.remote.read-sample-limit). */
  readonly maxSamples: number;
  /** STREAMED_XOR_CHUNKS: --storage.remote.read-max-bytes-in-frame (Prometheus: 1 MiB). */
  readonly maxBytesInFrame: number;
}

export type ReadResult =
  | { readonly status: number; readonly body: Uint8Array; readonly contentType: string; readonly snappy: boolean }
  /** Frames to write in order; an error while producing one ends the response early. */
  | { readonly status: 200; readonly frames: AsyncIterable<Uint8Array>; readonly contentType: string };

const textAnswer = (status: number, text: string): ReadResult => ({ status, body: Buffer.from(text + '\n'), contentType: 'text/plain; charset=utf-8', snappy: false });

function withExternal(labels: Labels, external: Readonly<Record<string, string>>): PbLabel[] {
  const out = labels.map((l) => ({ name: l.name, value: l.value }));
  for (const [name, value] of Object.entries(external)) if (value !== '' && !labels.some((l) => l.name === name)) out.push({ name, value });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

interface Query {
  readonly start: number;
  readonly end: number;
  readonly matchers: Matcher[];
}

function queriesOf(req: ReadRequest, external: Readonly<Record<string, string>>): Query[] | string {
  const out: Query[] = [];
  for (const query of req.queries) {
    const matchers: Matcher[] = [];
    for (const m of query.matchers) {
      const op = ops[m.type];
      if (op === undefined) return `invalid matcher type ${m.type}`;
      const ext = external[m.name];
      matchers.push(op === '=' && ext !== undefined && ext !== '' && ext === m.value ? { op, name: m.name, value: '' } : { op, name: m.name, value: m.value });
    }
    out.push({ start: query.start_timestamp_ms, end: query.end_timestamp_ms, matchers });
  }
  return out;
}

async function select(storage: Queryable, q: Query, each: (s: StoredSeries) => void): Promise<void> {
  const querier = await storage.querier(q.start, q.end);
  try {
    const set = await querier.select(q.matchers, { start: q.start, end: q.end });
    for (const s of set.series) each(s);
  } finally {
    querier.close();
  }
}

export async function remoteRead(body: Uint8Array, storage: Queryable, o: ReadOptions): Promise<ReadResult> {
  let req: ReadRequest;
  try {
    req = decodeReadRequest(snappyUncompress(body, maxDecodedBytes));
  } catch (err) {
    return textAnswer(400, (err as Error).message);
  }
  const accepted = req.accepted_response_types.length === 0 ? [SAMPLES] : req.accepted_response_types;
  const type = accepted.find((t) => t === SAMPLES || t === STREAMED_XOR_CHUNKS);
  if (type === undefined) return textAnswer(400, `server does not support any of the requested response types: ${JSON.stringify(accepted)}; supported: SAMPLES, STREAMED_XOR_CHUNKS`);
  const queries = queriesOf(req, o.external);
  if (typeof queries === 'string') return textAnswer(400, queries);
  return type === SAMPLES ? samples(queries, storage, o) : { status: 200, frames: frames(queries, storage, o), contentType: 'application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse' };
}

async function samples(queries: readonly Query[], storage: Queryable, o: ReadOptions): Promise<ReadResult> {
  const results: { timeseries: PbTimeSeries[] }[] = [];
  let total = 0;
  for (const q of queries) {
    const timeseries: PbTimeSeries[] = [];
    try {
      await select(storage, q, (s) => {
        const { t, v } = s.samples();
        if (t.length === 0) return;
        total += t.length;
        if (total > o.maxSamples) throw new SampleLimit();
        const out = new Array<{ value: number; timestamp: number }>(t.length);
        for (let i = 0; i < t.length; i++) out[i] = { value: v[i]!, timestamp: t[i]! };
        timeseries.push({ labels: withExternal(s.labels, o.external), samples: out });
      });
    } catch (err) {
      return textAnswer(400, err instanceof SampleLimit ? `exceeded sample limit (${o.maxSamples})` : (err as Error).message);
    }
    results.push({ timeseries });
  }
  return { status: 200, body: snappyCompress(encodeReadResponse({ results })), contentType: 'application/x-protobuf', snappy: true };
}

class SampleLimit extends Error {}

/** One frame: uvarint length, CRC-32C (big-endian) of the message, the message. */
function frame(msg: Uint8Array): Uint8Array {
  const head: number[] = [];
  let n = msg.length;
  while (n >= 128) {
    head.push((n & 127) | 128);
    n >>>= 7;
  }
  head.push(n);
  const out = Buffer.allocUnsafe(head.length + 4 + msg.length);
  out.set(head, 0);
  out.writeUInt32BE(crc32c(msg), head.length);
  out.set(msg, head.length + 4);
  return out;
}

/** Prometheus' StreamChunkedReadResponses over every query, one series' chunks per frame. */
async function* frames(queries: readonly Query[], storage: Queryable, o: ReadOptions): AsyncGenerator<Uint8Array> {
  for (let qi = 0; qi < queries.length; qi++) {
    const q = queries[qi]!;
    const series: StoredSeries[] = [];
    await select(storage, q, (s) => void series.push(s));
    for (const s of series) {
      const labels = withExternal(s.labels, o.external);
      const maxData = o.maxBytesInFrame - labels.reduce((n, l) => n + labelSize(l), 0);
      const { t, v } = s.samples();
      let left = maxData;
      let chunks: PbChunk[] = [];
      for (let from = 0; from < t.length; from += samplesPerChunk) {
        const to = Math.min(t.length, from + samplesPerChunk);
        const chunk: PbChunk = { min_time_ms: t[from]!, max_time_ms: t[to - 1]!, type: 1, data: encodePromXor(t, v, from, to) };
        chunks.push(chunk);
        left -= chunkSize(chunk);
        if (left > 0 && to < t.length) continue;
        yield frame(encodeChunkedReadResponse({ chunked_series: [{ labels, chunks }], query_index: qi }));
        chunks = [];
        left = maxData;
      }
    }
  }
}
