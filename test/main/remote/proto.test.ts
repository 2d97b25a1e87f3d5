import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { prompbDescriptor, writeV2Descriptor } from '../../../main/remote/proto-descriptor.js';
import {
  decodeReadRequest,
  decodeWriteRequest,
  encodeReadRequest,
  encodeLabels,
  encodeWriteRequest,
  encodeWriteRequestFast,
  snappyCompress,
  snappyUncompress,
  type WriteRequest,
} from '../../../main/remote/proto.js';

describe('remote storage protobuf', () => {
  it('the descriptor module is the .proto file', () => {
    const text = readFileSync(new URL('../../../main/remote/prompb.proto', import.meta.url), 'utf8');
    expect(protobuf.parse(text, { keepCase: true }).root.toJSON()).toEqual(prompbDescriptor);
    const v2 = readFileSync(new URL('../../../main/remote/write-v2.proto', import.meta.url), 'utf8');
    expect(protobuf.parse(v2, { keepCase: true }).root.toJSON()).toEqual(writeV2Descriptor);
  });

  it('a write request survives encode → snappy → uncompress → decode, NaN bits and large times included', () => {
    const stale = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;
    const w: WriteRequest = {
      timeseries: [
        { labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'a' }], samples: [{ value: 1, timestamp: 1_700_000_000_123 }, { value: stale, timestamp: 1_700_000_015_123 }] },
        { labels: [{ name: '__name__', value: 'x' }], samples: [{ value: -0.5, timestamp: 0 }] },
      ],
    };
    const wire = snappyCompress(encodeWriteRequest(w));
    const back = decodeWriteRequest(snappyUncompress(wire, 1 << 20));
    expect(back.timeseries.map((s) => s.labels)).toEqual(w.timeseries.map((s) => s.labels));
    expect(back.timeseries[0]!.samples.map((s) => s.timestamp)).toEqual([1_700_000_000_123, 1_700_000_015_123]);
    const bits = new BigUint64Array(Float64Array.of(back.timeseries[0]!.samples[1]!.value).buffer)[0];
    expect(bits).toBe(0x7ff0000000000002n);
    expect(back.timeseries[1]!.samples).toEqual([{ value: -0.5, timestamp: 0 }]);
  });

  it('the fast encoder of the sender writes the message the reflection encoder writes, for any sub-range of samples', () => {
    const stale = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;
    const labels = [{ name: '__name__', value: 'up' }, { name: 'instance', value: 'hôst:9100' }, { name: 'job', value: '' }];
    const t = [0, 1, 1_700_000_000_000, 2 ** 52];
    const v = [0, -0, stale, 1.5e-300];
    const fast = encodeWriteRequestFast([
      { labels: encodeLabels(labels), ref: 1, t, v, from: 0, to: 4 },
      { labels: encodeLabels(labels.slice(0, 1)), ref: 2, t, v, from: 1, to: 3 },
    ]);
    const slow = encodeWriteRequest({
      timeseries: [
        { labels, samples: t.map((ts, i) => ({ timestamp: ts, value: v[i]! })) },
        { labels: labels.slice(0, 1), samples: [1, 2].map((i) => ({ timestamp: t[i]!, value: v[i]! })) },
      ],
    });
    // The reflection encoder leaves zero values out; the fast one writes them: same message.
    const back = decodeWriteRequest(fast);
    expect(back).toEqual(decodeWriteRequest(slow));
    expect(back.timeseries[1]!.samples).toHaveLength(2);
    expect(back.timeseries[0]!.samples.map((x) => x.timestamp)).toEqual(t);
    expect(Object.is(back.timeseries[0]!.samples[1]!.value, -0)).toBe(true);
    // Timestamps before 1970 take protobufjs' path (10-byte two's-complement varints).
    const old = decodeWriteRequest(encodeWriteRequestFast([{ labels: encodeLabels(labels), ref: 1, t: [-5, 7], v: [1, 2], from: 0, to: 2 }]));
    expect(old.timeseries[0]!.samples).toEqual([{ timestamp: -5, value: 1 }, { timestamp: 7, value: 2 }]);
    expect(old.timeseries[0]!.labels).toEqual(labels);
  });

  it('rejects bytes that are not snappy, and blocks larger than the limit', () => {
    expect(() => snappyUncompress(Buffer.from('definitely not snappy at all'), 1 << 20)).toThrow();
    const big = snappyCompress(new Uint8Array(5000));
    expect(() => snappyUncompress(big, 1000)).toThrow();
  });

  it('read requests round-trip with matchers and response types', () => {
    const r = { queries: [{ start_timestamp_ms: 1, end_timestamp_ms: 2, matchers: [{ type: 2, name: 'job', value: 'a.*' }] }], accepted_response_types: [1, 0] };
    const back = decodeReadRequest(encodeReadRequest(r));
    expect(back.queries[0]!.matchers).toEqual(r.queries[0]!.matchers);
    expect(back.accepted_response_types).toEqual([1, 0]);
    expect(back.queries[0]!.start_timestamp_ms).toBe(1);
  });
});
