// convert_classic_histograms_to_nhcb at the parser: classic histogram families of a page become
// custom-bucket native histograms (schema −53). Expected values are derived by hand from the pages.
import { describe, it, expect } from 'vitest';
import protobuf from 'protobufjs';
import { createParser, type HistogramOptions } from '../../../../main/scrape/parse/parser.js';
import { metricFamilyType } from '../../../../main/scrape/parse/protobuf.js';
import { ClassicHistogram, ClassicHistogramError } from '../../../../main/tsdb/classic-histogram.js';
import type { NativeHistogram } from '../../../../main/tsdb/interface.js';
import { openMetrics } from './collect.js';

interface Out {
  name: string;
  labels: Record<string, string>;
  value?: number;
  histogram?: NativeHistogram;
  error?: string;
  exemplar?: string;
  ts?: number | null;
}

const off: HistogramOptions = { nativeHistograms: false, alwaysScrapeClassic: false, bucketLimit: 0, minBucketFactor: 0 };
const convert: HistogramOptions = { ...off, convertClassicToNhcb: true };
const convertKeep: HistogramOptions = { ...convert, alwaysScrapeClassic: true };

function series(page: string | Uint8Array, opts: HistogramOptions, contentType = 'text/plain; version=0.0.4'): Out[] {
  const p = createParser(typeof page === 'string' ? Buffer.from(page) : page, contentType, opts);
  const out: Out[] = [];
  const ids = new Set<string>();
  for (let k = p.next(); k !== 'eof'; k = p.next()) {
    if (k !== 'series') continue;
    const labels = Object.fromEntries(p.labels().map((l) => [l.name, l.value]));
    const o: Out = { name: labels['__name__']!, labels, ts: p.timestamp() };
    delete labels['__name__'];
    const h = p.histogram?.() ?? null;
    const err = p.histogramError?.() ?? null;
    if (h !== null) o.histogram = h;
    else if (err !== null) o.error = err;
    else o.value = p.value();
    const ex = p.exemplar?.() ?? null;
    if (ex !== null) o.exemplar = `${ex.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${ex.value}`;
    // Every series of the page has its own cache key (body bytes).
    const id = Buffer.from(p.body.subarray(p.seriesIdStart(), p.seriesIdEnd())).toString('latin1');
    expect(ids.has(id), `cache key of ${o.name} repeats`).toBe(false);
    ids.add(id);
    out.push(o);
  }
  return out;
}

const page = `# HELP req_seconds Request latency.
# TYPE req_seconds histogram
req_seconds_bucket{path="/a",le="0.1"} 2
req_seconds_bucket{path="/a",le="0.5"} 5
req_seconds_bucket{path="/a",le="1"} 5
req_seconds_bucket{path="/a",le="+Inf"} 8
req_seconds_sum{path="/a"} 12.5
req_seconds_count{path="/a"} 8
req_seconds_bucket{path="/b",le="0.1"} 0
req_seconds_bucket{path="/b",le="0.5"} 1
req_seconds_bucket{path="/b",le="1"} 3
req_seconds_bucket{path="/b",le="+Inf"} 3
req_seconds_sum{path="/b"} 1.75
req_seconds_count{path="/b"} 3
# TYPE up_total counter
up_total 7
`;

// Bucket i covers (bounds[i-1], bounds[i]]: /a has 2 in (−Inf,0.1], 3 in (0.1,0.5], 0 in (0.5,1], 3 above 1.
const nhcbA: NativeHistogram = {
  schema: -53,
  zeroThreshold: 0,
  zeroCount: 0,
  count: 8,
  sum: 12.5,
  positive: [
    { index: 0, count: 2 },
    { index: 1, count: 3 },
    { index: 3, count: 3 },
  ],
  negative: [],
  customValues: [0.1, 0.5, 1],
  counterResetHint: 'unknown',
};
const nhcbB: NativeHistogram = {
  ...nhcbA,
  count: 3,
  sum: 1.75,
  positive: [
    { index: 1, count: 1 },
    { index: 2, count: 2 },
  ],
};

describe('convert_classic_histograms_to_nhcb (parser)', () => {
  it('off: the classic series pass unchanged', () => {
    const out = series(page, off);
    const family = [...Array<string>(4).fill('req_seconds_bucket'), 'req_seconds_sum', 'req_seconds_count'];
    expect(out.map((o) => o.name)).toEqual([...family, ...family, 'up_total']);
    expect(out.some((o) => o.histogram !== undefined)).toBe(false);
  });

  it('on: one native histogram per label set under the base name, the classic series dropped', () => {
    const out = series(page, convert);
    expect(out).toEqual([
      { name: 'req_seconds', labels: { path: '/a' }, histogram: nhcbA, ts: null },
      { name: 'req_seconds', labels: { path: '/b' }, histogram: nhcbB, ts: null },
      { name: 'up_total', labels: {}, value: 7, ts: null },
    ]);
  });

  it('with always_scrape_classic_histograms the classic series are kept, each histogram after its own', () => {
    const out = series(page, convertKeep);
    expect(out.map((o) => (o.histogram ? `NH ${o.labels['path']}` : o.name))).toEqual([
      ...Array(4).fill('req_seconds_bucket'),
      'req_seconds_sum',
      'req_seconds_count',
      'NH /a',
      ...Array(4).fill('req_seconds_bucket'),
      'req_seconds_sum',
      'req_seconds_count',
      'NH /b',
      'up_total',
    ]);
    expect(out[6]!.histogram).toEqual(nhcbA);
    expect(out[13]!.histogram).toEqual(nhcbB);
  });

  it('a histogram whose buckets are not cumulative is an error for that family only', () => {
    const bad = page.replace('req_seconds_bucket{path="/a",le="1"} 5', 'req_seconds_bucket{path="/a",le="1"} 4');
    const out = series(bad, convert);
    expect(out.map((o) => o.name)).toEqual(['req_seconds', 'req_seconds', 'up_total']);
    expect(out[0]!.histogram).toBeUndefined();
    expect(out[0]!.error).toBe('classic histogram req_seconds not converted to a native histogram: buckets are not cumulative: le=1 counts 4, less than le=0.5 with 5');
    expect(out[1]!.histogram).toEqual(nhcbB);
  });

  it('_count disagreeing with the +Inf bucket is an error', () => {
    const out = series(page.replace('req_seconds_count{path="/b"} 3', 'req_seconds_count{path="/b"} 4'), convert);
    expect(out[0]!.histogram).toEqual(nhcbA);
    expect(out[1]!.error).toMatch(/count 4 differs from the \+Inf bucket's 3/);
  });

  it('without a +Inf bucket the count closes the histogram (as Prometheus); a count below the buckets is an error', () => {
    const noInf = page.replace('req_seconds_bucket{path="/a",le="+Inf"} 8\n', '');
    expect(series(noInf, convert)[0]!.histogram).toEqual(nhcbA);
    const low = noInf.replace('req_seconds_count{path="/a"} 8', 'req_seconds_count{path="/a"} 4');
    expect(series(low, convert)[0]!.error).toMatch(/count 4 is less than bucket le=1 with 5 \(and there is no \+Inf bucket\)/);
    // Neither _count nor +Inf: the highest bucket is the count.
    const bare = noInf.replace('req_seconds_count{path="/a"} 8\n', '');
    expect(series(bare, convert)[0]!.histogram).toEqual({ ...nhcbA, count: 5, positive: nhcbA.positive.slice(0, 2) });
  });

  it('only families typed histogram convert, and only their own _bucket/_count/_sum', () => {
    const untyped = `# TYPE other_bucket gauge
other_bucket{le="1"} 3
# TYPE h histogram
h_bucket{le="1"} 1
h_bucket{le="+Inf"} 2
h_count 2
h_sum 3
hx_count 9
`;
    const out = series(untyped, convert);
    expect(out.map((o) => [o.name, o.histogram?.count ?? o.value])).toEqual([
      ['other_bucket', 3],
      ['h', 2],
      ['hx_count', 9],
    ]);
  });

  it('OpenMetrics: timestamps and the latest exemplar of the buckets go to the histogram', () => {
    const om = `# TYPE rpc_seconds histogram
rpc_seconds_bucket{le="0.25"} 1 1700000000.000 # {trace_id="aaa"} 0.2 1699999999.0
rpc_seconds_bucket{le="1"} 4 1700000000.000 # {trace_id="bbb"} 0.7 1699999999.5
rpc_seconds_bucket{le="+Inf"} 4 1700000000.000
rpc_seconds_count 4 1700000000.000
rpc_seconds_sum 1.9 1700000000.000
# EOF
`;
    const out = series(om, convert, openMetrics);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ name: 'rpc_seconds', ts: 1_700_000_000_000, exemplar: 'trace_id=bbb 0.7' });
    expect(out[0]!.histogram).toMatchObject({ count: 4, sum: 1.9, customValues: [0.25, 1], positive: [{ index: 0, count: 1 }, { index: 1, count: 3 }] });
  });

  it('protobuf: a classic-only histogram converts; one with native buckets stays native', () => {
    const w = protobuf.Writer.create();
    const fam = (name: string, histogram: object) => metricFamilyType.encodeDelimited(metricFamilyType.fromObject({ name, type: 4, metric: [{ histogram }] }), w);
    fam('classic_seconds', { sample_count: 3, sample_sum: 2, bucket: [{ upper_bound: 1, cumulative_count: 1 }, { upper_bound: 2, cumulative_count: 3 }] });
    fam('native_seconds', { sample_count: 2, sample_sum: 1, schema: 0, zero_threshold: 0.001, zero_count: 0, positive_span: [{ offset: 0, length: 1 }], positive_delta: [2], bucket: [{ upper_bound: 1, cumulative_count: 2 }] });
    const body = w.finish();
    const ct = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
    const out = series(body, { ...convertKeep, nativeHistograms: true }, ct);
    const summary = out.map((o) => `${o.name}${o.labels['le'] ? `{le=${o.labels['le']}}` : ''} ${o.histogram ? `schema ${o.histogram.schema} count ${o.histogram.count}` : o.value}`);
    expect(summary).toEqual([
      'classic_seconds_count 3',
      'classic_seconds_sum 2',
      'classic_seconds_bucket{le=1} 1',
      'classic_seconds_bucket{le=2} 3',
      'classic_seconds_bucket{le=+Inf} 3',
      'classic_seconds schema -53 count 3',
      'native_seconds schema 0 count 2',
      'native_seconds_count 2',
      'native_seconds_sum 1',
      'native_seconds_bucket{le=1} 2',
      'native_seconds_bucket{le=+Inf} 2',
    ]);
    expect(out[5]!.histogram!.customValues).toEqual([1, 2]);
  });
});

describe('ClassicHistogram', () => {
  it('takes buckets in any order and ignores a repeated bound', () => {
    const h = new ClassicHistogram();
    h.setBucket(Infinity, 10);
    h.setBucket(1, 4);
    h.setBucket(0.5, 1);
    h.setBucket(1, 4);
    h.setCount(10);
    h.setSum(6);
    expect(h.toNative()).toMatchObject({ count: 10, sum: 6, customValues: [0.5, 1], positive: [{ index: 0, count: 1 }, { index: 1, count: 3 }, { index: 2, count: 6 }] });
  });

  it('refuses negative and NaN counts and a bucket out of order with its neighbours', () => {
    const cases: [string, (h: ClassicHistogram) => void, RegExp][] = [
      ['negative bucket', (h) => h.setBucket(1, -1), /bucket le=1 has count -1/],
      ['NaN bucket', (h) => h.setBucket(1, NaN), /bucket le=1 has count NaN/],
      ['negative count', (h) => h.setCount(-2), /count -2 must be a non-negative number/],
      [
        'inserted above its upper neighbour',
        (h) => {
          h.setBucket(1, 2);
          h.setBucket(2, 5);
          h.setBucket(1.5, 6);
        },
        /le=1.5 counts 6, more than le=2 with 5/,
      ],
    ];
    for (const [what, fill, re] of cases) {
      const h = new ClassicHistogram();
      fill(h);
      expect(() => h.toNative(), what).toThrow(ClassicHistogramError);
      expect(() => h.toNative(), what).toThrow(re);
    }
  });
});
