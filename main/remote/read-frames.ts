/**
 * Reading a STREAMED_XOR_CHUNKS answer (the frames ./read.ts writes and Prometheus serves): each
 * frame's length and CRC-32C are checked, its ChunkedReadResponse decoded, and the XOR chunks of
 * a series (consecutive frames with the same labels and query index) joined into one series.
 */
import { crc32c } from '@aws-crypto/crc32c';
import { decodePromXor } from './prom-xor.js';
import { decodeChunkedReadResponse, type PbLabel, type PbTimeSeries } from './proto.js';

/** Decodes every frame of `body` into series per query index; throws naming the bad frame. */
export function seriesOfFrames(body: Uint8Array, queries: number): PbTimeSeries[][] {
  const out: PbTimeSeries[][] = Array.from({ length: queries }, () => []);
  let pos = 0;
  let frameNo = 0;
  let last: { key: string; query: number; series: PbTimeSeries } | null = null;
  while (pos < body.length) {
    frameNo++;
    let len = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (pos >= body.length || i > 4) throw new Error(`frame ${frameNo}: bad length`);
      const b = body[pos++]!;
      len += (b & 127) * mul;
      mul *= 128;
      if (b < 128) break;
    }
    if (pos + 4 + len > body.length) throw new Error(`frame ${frameNo}: cut short (${body.length - pos - 4} of ${len} bytes)`);
    const crc = ((body[pos]! << 24) | (body[pos + 1]! << 16) | (body[pos + 2]! << 8) | body[pos + 3]!) >>> 0;
    const msg = body.subarray(pos + 4, pos + 4 + len);
    pos += 4 + len;
    if (crc32c(msg) !== crc) throw new Error(`frame ${frameNo}: CRC-32C mismatch`);
    const r = decodeChunkedReadResponse(msg);
    const query = r.query_index;
    if (!(query >= 0 && query < queries)) throw new Error(`frame ${frameNo}: query index ${query} of ${queries} queries`);
    for (const cs of r.chunked_series) {
      const key = labelKey(cs.labels);
      let series: PbTimeSeries;
      if (last !== null && last.key === key && last.query === query) series = last.series;
      else {
        series = { labels: cs.labels, samples: [] };
        out[query]!.push(series);
        last = { key, query, series };
      }
      for (const c of cs.chunks) {
        if (c.type !== 1) throw new Error(`frame ${frameNo}: chunk encoding ${c.type} (only XOR is read)`);
        const { t, v } = decodePromXor(c.data);
        for (let i = 0; i < t.length; i++) series.samples.push({ timestamp: t[i]!, value: v[i]! });
      }
    }
  }
  return out;
}

const labelKey = (labels: readonly PbLabel[]): string => labels.map((l) => `${l.name}\xff${l.value}`).join('\xfe');
