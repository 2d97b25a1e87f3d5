// Prometheus' XOR chunk codec and streamed frames: round trips over every timestamp bucket and
// odd values, Go's trailing byte, and frames that are cut or damaged named as such.
import { crc32c } from '@aws-crypto/crc32c';
import { describe, expect, it } from 'vitest';
import { decodePromXor, encodePromXor } from '../../../main/remote/prom-xor.js';
import { seriesOfFrames } from '../../../main/remote/read-frames.js';
import { encodeChunkedReadResponse } from '../../../main/remote/proto.js';
import { StaleNaN } from '../../../main/tsdb/interface.js';

const hex = (v: Float64Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');

describe('Prometheus XOR chunks', () => {
  it('round-trips timestamps in every delta-of-delta bucket (and the 64-bit escape) and values bit for bit', () => {
    const deltas = [1, 1, 2, 8000, 8193, 70_000, 600_000, 3_000_000_000, 5, -0 + 7];
    const t = new Float64Array(deltas.length + 1);
    t[0] = -1_000_000;
    for (let i = 0; i < deltas.length; i++) t[i + 1] = t[i]! + deltas[i]!;
    const v = Float64Array.from([0, -0, 1.5, 1.5, StaleNaN, NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, 42]);
    const bytes = encodePromXor(t, v, 0, t.length);
    expect((bytes[0]! << 8) | bytes[1]!).toBe(t.length);
    const back = decodePromXor(bytes);
    expect([...back.t]).toEqual([...t]);
    expect(hex(back.v)).toBe(hex(v));
    // A part of the arrays.
    const part = decodePromXor(encodePromXor(t, v, 3, 7));
    expect([...part.t]).toEqual([...t.subarray(3, 7)]);
    expect(hex(part.v)).toBe(hex(v.subarray(3, 7)));
  });

  it('ends with the empty byte Go leaves after a whole-byte write (a one-sample chunk: header, varint, 8 bytes, 0)', () => {
    const one = encodePromXor(Float64Array.of(1000), Float64Array.of(1), 0, 1);
    expect(Buffer.from(one).toString('hex')).toBe('0001' + 'd00f' + '3ff0000000000000' + '00');
    expect([...decodePromXor(one).t]).toEqual([1000]);
  });

  it('refuses a truncated chunk', () => {
    const t = Float64Array.from({ length: 50 }, (_, i) => i * 15_000);
    const v = Float64Array.from({ length: 50 }, (_, i) => Math.sin(i));
    const bytes = encodePromXor(t, v, 0, 50);
    expect(() => decodePromXor(bytes.subarray(0, bytes.length - 20))).toThrow(/truncated/);
  });
});

describe('streamed frames', () => {
  const frame = (msg: Uint8Array, crc = crc32c(msg)) => {
    const head = Buffer.alloc(5);
    let n = msg.length;
    let k = 0;
    while (n >= 128) {
      head[k++] = (n & 127) | 128;
      n >>>= 7;
    }
    head[k++] = n;
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc);
    return Buffer.concat([head.subarray(0, k), c, msg]);
  };
  const labels = [{ name: '__name__', value: 'x' }];
  const chunk = (from: number, n: number) => {
    const t = Float64Array.from({ length: n }, (_, i) => from + i * 1000);
    return { min_time_ms: t[0]!, max_time_ms: t[n - 1]!, type: 1, data: encodePromXor(t, Float64Array.from(t), 0, n) };
  };

  it('joins a series split over frames and keeps queries apart', () => {
    const body = Buffer.concat([
      frame(encodeChunkedReadResponse({ chunked_series: [{ labels, chunks: [chunk(0, 3)] }], query_index: 0 })),
      frame(encodeChunkedReadResponse({ chunked_series: [{ labels, chunks: [chunk(3000, 2)] }], query_index: 0 })),
      frame(encodeChunkedReadResponse({ chunked_series: [{ labels, chunks: [chunk(0, 1)] }], query_index: 1 })),
    ]);
    const got = seriesOfFrames(body, 2);
    expect(got.map((q) => q.map((s) => s.samples.map((x) => x.timestamp)))).toEqual([[[0, 1000, 2000, 3000, 4000]], [[0]]]);
  });

  it('names a damaged or cut frame', () => {
    const msg = encodeChunkedReadResponse({ chunked_series: [{ labels, chunks: [chunk(0, 3)] }], query_index: 0 });
    expect(() => seriesOfFrames(frame(msg, crc32c(msg) ^ 1), 1)).toThrow('frame 1: CRC-32C mismatch');
    const whole = frame(msg);
    expect(() => seriesOfFrames(Buffer.concat([whole, whole.subarray(0, whole.length - 3)]), 1)).toThrow(/frame 2: cut short/);
    expect(() => seriesOfFrames(frame(encodeChunkedReadResponse({ chunked_series: [], query_index: 3 })), 1)).toThrow('frame 1: query index 3 of 1 queries');
  });
});
