/**
 * `/api/v1/read`: Prometheus remote read with the SAMPLES response type (a snappy-compressed
 * ReadResponse). Each query's matchers select series over [start, end]; external labels are
 * added where a series lacks them, as Prometheus does. STREAMED_XOR_CHUNKS is not served: a
 * client that accepts it also accepts SAMPLES (Prometheus' own client always lists both).
 */
import type { MatchOp } from '../../app/dialect/matcher.js';
import type { Matcher, Queryable } from '../tsdb/interface.js';
import type { Labels } from '../tsdb/labels.js';
import { decodeReadRequest, encodeReadResponse, snappyCompress, snappyUncompress, type PbTimeSeries, type ReadRequest } from './proto.js';

/** Prometheus' decodeReadLimit. */
const maxDecodedBytes = 32 << 20;
const ops: readonly MatchOp[] = ['=', '!=', '=~', '!~'];

export interface ReadResult {
  readonly status: number;
  readonly body: Uint8Array;
  readonly contentType: string;
}

const textAnswer = (status: number, text: string): ReadResult => ({ status, body: Buffer.from(text + '\n'), contentType: 'text/plain; charset=utf-8' });

function withExternal(labels: Labels, external: Readonly<Record<string, string>>): { name: string; value: string }[] {
  const out = labels.map((l) => ({ name: l.name, value: l.value }));
  for (const [name, value] of Object.entries(external)) if (value !== '' && !labels.some((l) => l.name === name)) out.push({ name, value });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function remoteRead(body: Uint8Array, storage: Queryable, external: Readonly<Record<string, string>>, maxSamples: number): Promise<ReadResult> {
  let req: ReadRequest;
  try {
    req = decodeReadRequest(snappyUncompress(body, maxDecodedBytes));
  } catch (err) {
    return textAnswer(400, (err as Error).message);
  }
  const accepted = req.accepted_response_types;
  if (accepted.length > 0 && !accepted.includes(0)) return textAnswer(400, 'none of the accepted response types is supported (Vigil serves SAMPLES)');
  const results: { timeseries: PbTimeSeries[] }[] = [];
  let total = 0;
  for (const query of req.queries) {
    const matchers: Matcher[] = [];
    for (const m of query.matchers) {
      const op = ops[m.type];
      if (op === undefined) return textAnswer(400, `invalid matcher type ${m.type}`);
      matchers.push({ op, name: m.name, value: m.value });
    }
    const start = query.start_timestamp_ms;
    const end = query.end_timestamp_ms;
    let timeseries: PbTimeSeries[];
    try {
      const q = await storage.querier(start, end);
      try {
        const set = await q.select(matchers, { start, end });
        timeseries = [];
        for (const s of set.series) {
          const { t, v } = s.samples();
          if (t.length === 0) continue;
          total += t.length;
          if (total > maxSamples) return textAnswer(400, `exceeded sample limit (${maxSamples})`);
          const samples = new Array<{ value: number; timestamp: number }>(t.length);
          for (let i = 0; i < t.length; i++) samples[i] = { value: v[i]!, timestamp: t[i]! };
          timeseries.push({ labels: withExternal(s.labels, external), samples });
        }
      } finally {
        q.close();
      }
    } catch (err) {
      return textAnswer(400, (err as Error).message);
    }
    results.push({ timeseries });
  }
  return { status: 200, body: snappyCompress(encodeReadResponse({ results })), contentType: 'application/x-protobuf' };
}
