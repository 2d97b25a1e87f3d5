import { describe, expect, it } from 'vitest';
import { histogramFromProto, histogramToProto } from '../../../main/remote/histogram-proto.js';
import { decodeWriteRequest, decodeWriteRequestV2, encodeLabels } from '../../../main/remote/proto.js';
import { encodeV1, encodeV1Metadata, encodeV2 } from '../../../main/remote/write-encode.js';
import { HistogramMarker } from '../../../main/tsdb/histogram-log.js';
import type { NativeHistogram } from '../../../main/tsdb/interface.js';

const intHist: NativeHistogram = {
  schema: 1,
  zeroThreshold: 0.001,
  zeroCount: 2,
  count: 17,
  sum: 42.5,
  positive: [
    { index: -2, count: 3 },
    { index: -1, count: 1 },
    { index: 3, count: 5 },
  ],
  negative: [{ index: 0, count: 6 }],
  customValues: [],
  counterResetHint: 'not_reset',
};
const floatHist: NativeHistogram = { ...intHist, count: 17.5, zeroCount: 2.5, counterResetHint: 'gauge', positive: [{ index: 7, count: 9 }], negative: [] };
const customHist: NativeHistogram = { schema: -53, zeroThreshold: 0, zeroCount: 0, count: 4, sum: 3, positive: [{ index: 0, count: 1 }, { index: 2, count: 3 }], negative: [], customValues: [0.5, 1, 2], counterResetHint: 'unknown' };
const labels = [{ name: '__name__', value: 'rpc_seconds' }, { name: 'job', value: 'a' }];

describe('remote write histograms, exemplars, metadata and 2.0 bodies', () => {
  it('an integer histogram goes out as spans + deltas and comes back equal', () => {
    const p = histogramToProto(intHist, 1000);
    expect(p.count_int).toBe(17);
    expect(p.positive_spans).toEqual([{ offset: -2, length: 2 }, { offset: 3, length: 1 }]);
    expect(p.positive_deltas).toEqual([3, -2, 4]);
    expect(p.positive_counts).toEqual([]);
    expect(p.reset_hint).toBe(2);
    const t = new Float64Array([1000, 2000, 3000]);
    const v = new Float64Array([HistogramMarker, HistogramMarker, HistogramMarker]);
    const body = encodeV1({ kind: 'histograms', series: [{ labels: encodeLabels(labels), ref: 5, t, v, hs: [intHist, floatHist, customHist], from: 0, to: 3 }] });
    const back = decodeWriteRequest(body).timeseries;
    expect(back).toHaveLength(1);
    expect(back[0]!.labels).toEqual(labels);
    expect(back[0]!.samples).toEqual([]);
    const hs = back[0]!.histograms!;
    expect(hs.map((h) => h.timestamp)).toEqual([1000, 2000, 3000]);
    expect(hs.map(histogramFromProto)).toEqual([intHist, floatHist, customHist]);
    expect(hs[1]!.count).toBe('count_float'); // not whole: sent as a float histogram
    expect(hs[0]!.count).toBe('count_int');
  });

  it('exemplars and metadata in 1.0 requests', () => {
    const ex = encodeV1({ kind: 'exemplars', series: [{ labels: encodeLabels(labels), ref: 5, exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 0.3, ts: 1500 }] }] });
    expect(decodeWriteRequest(ex).timeseries).toEqual([{ labels, samples: [], histograms: [], exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 0.3, timestamp: 1500 }] }]);
    const md = decodeWriteRequest(encodeV1Metadata([{ family: 'rpc_seconds', type: 'histogram', help: 'RPC latency.', unit: 'seconds' }, { family: 'x', type: 'bogus', help: '', unit: '' }]));
    expect(md.timeseries).toEqual([]);
    expect(md.metadata).toEqual([
      { type: 3, metric_family_name: 'rpc_seconds', help: 'RPC latency.', unit: 'seconds' },
      { type: 0, metric_family_name: 'x', help: '', unit: '' },
    ]);
  });

  it('a 2.0 request puts each string once in the symbols table, "" first, with per-series metadata', () => {
    const t = new Float64Array([1000, 2000, 1000]);
    const v = new Float64Array([1, 2, 3]);
    const other = [{ name: '__name__', value: 'up' }, { name: 'job', value: 'a' }];
    const byRef: Record<number, typeof labels> = { 5: labels, 6: other };
    const body = encodeV2(
      { kind: 'samples', series: [{ labels: new Uint8Array(), ref: 5, t, v, from: 0, to: 2 }, { labels: new Uint8Array(), ref: 6, t, v, from: 2, to: 3 }] },
      { labelsOf: (ref) => byRef[ref]!, metadataOf: (name) => (name === 'up' ? { family: 'up', type: 'gauge', help: 'Up.', unit: '' } : undefined) },
    );
    const req = decodeWriteRequestV2(body);
    expect(req.symbols[0]).toBe('');
    expect(new Set(req.symbols).size).toBe(req.symbols.length);
    const resolve = (refs: number[]) => refs.map((r) => req.symbols[r]);
    expect(resolve(req.timeseries[0]!.labels_refs)).toEqual(['__name__', 'rpc_seconds', 'job', 'a']);
    expect(resolve(req.timeseries[1]!.labels_refs)).toEqual(['__name__', 'up', 'job', 'a']);
    expect(req.timeseries[0]!.samples).toEqual([{ value: 1, timestamp: 1000 }, { value: 2, timestamp: 2000 }]);
    expect(req.timeseries[0]!.metadata).toBeNull();
    const md = req.timeseries[1]!.metadata!;
    expect([md.type, req.symbols[md.help_ref], req.symbols[md.unit_ref]]).toEqual([2, 'Up.', '']);
    const h = decodeWriteRequestV2(encodeV2({ kind: 'histograms', series: [{ labels: new Uint8Array(), ref: 5, t, v, hs: [intHist], from: 0, to: 1 }] }, { labelsOf: (ref) => byRef[ref]! }));
    expect(h.timeseries[0]!.histograms.map(histogramFromProto)).toEqual([intHist]);
  });

  it('a histogram whose spans do not match its buckets is refused with a message', () => {
    const p = { ...histogramToProto(intHist, 1), positive_deltas: [1] };
    expect(() => histogramFromProto(p)).toThrow(/positive spans need 3 buckets, have 1/);
  });
});
