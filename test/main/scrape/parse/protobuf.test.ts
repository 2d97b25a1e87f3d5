/**
 * The protobuf exposition format: the descriptor matches metrics.proto, pages become the entries
 * Prometheus' protobuf parser gives, native histograms are decoded, checked and reduced, and a
 * scrape of a fixture server negotiates protobuf and stores the histograms in the TSDB.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import fc from 'fast-check';
import { metricsDescriptor } from '../../../../main/scrape/parse/metrics-descriptor.js';
import { createParser, ExpositionParseError, formatOf, type TextParser } from '../../../../main/scrape/parse/parser.js';
import { metricFamilyType, type ProtobufOptions } from '../../../../main/scrape/parse/protobuf.js';
import { limitResolution, schemaForFactor } from '../../../../main/scrape/parse/native-histogram.js';
import { ScrapeLoop } from '../../../../main/scrape/loop.js';
import { acceptHeader } from '../../../../main/scrape/protocols.js';
import { defaultProtocols } from '../../../../main/config/scrape-protocols.js';
import { TSDB } from '../../../../main/tsdb/db.js';
import { isStaleNaN, type NativeHistogram } from '../../../../main/tsdb/interface.js';
import { labelsFromRecord } from '../../../../main/tsdb/labels.js';
import { makeTarget } from '../loop-fixtures.js';
import { tempDir } from '../../helpers.js';

const Family = metricFamilyType;
const mediaType = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';

/** Delimited MetricFamily messages, as client_golang writes them. */
function page(...families: object[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const f of families) Family.encodeDelimited(Family.fromObject(f), w);
  return w.finish();
}

const on: ProtobufOptions = { nativeHistograms: true, alwaysScrapeClassic: false, bucketLimit: 0, minBucketFactor: 0 };

interface Got {
  kind: string;
  name?: string;
  labels?: Record<string, string>;
  value?: number;
  h?: NativeHistogram | null;
  err?: string | null;
}

function entries(p: TextParser): Got[] {
  const out: Got[] = [];
  for (let k = p.next(); k !== 'eof'; k = p.next()) {
    if (k === 'series') {
      const labels = Object.fromEntries(p.labels().map((l) => [l.name, l.value]));
      out.push({ kind: k, labels, value: p.value(), h: p.histogram!(), err: p.histogramError!() });
    } else if (k === 'type') out.push({ kind: k, name: p.metricType().name, value: 0, labels: { type: p.metricType().type } });
    else out.push({ kind: k, name: p.metricName() });
  }
  return out;
}

/** A client_golang-style request-duration histogram: native (schema 3, integer deltas) and classic buckets. */
const latency = {
  name: 'rpc_seconds',
  help: 'RPC latency',
  type: 4,
  metric: [
    {
      label: [{ name: 'path', value: '/a' }],
      histogram: {
        sample_count: 10,
        sample_sum: 3.5,
        bucket: [
          { cumulative_count: 4, upper_bound: 0.1 },
          { cumulative_count: 9, upper_bound: 1 },
        ],
        schema: 3,
        zero_threshold: 1e-128,
        zero_count: 1,
        positive_span: [
          { offset: -2, length: 2 },
          { offset: 3, length: 1 },
        ],
        positive_delta: [3, 1, -2], // counts 3, 4, 2
      },
    },
  ],
};

describe('protobuf exposition', () => {
  it('uses a descriptor generated from metrics.proto', () => {
    const text = readFileSync(new URL('../../../../main/scrape/parse/metrics.proto', import.meta.url), 'utf8');
    expect(protobuf.parse(text, { keepCase: true }).root.toJSON()).toEqual(metricsDescriptor);
  });

  it('is chosen by its media type only with proto and encoding as Prometheus sends them', () => {
    expect(formatOf(mediaType)).toBe('protobuf');
    expect(formatOf('application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited')).toBe('protobuf');
    expect(formatOf('application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text')).toBe('text');
  });

  it('gives counters, gauges, summaries and histograms as Prometheus parses them', () => {
    const body = page(
      { name: 'reqs_total', help: 'requests', type: 0, metric: [{ label: [{ name: 'code', value: '200' }], counter: { value: 7 } }] },
      { name: 'temp', type: 1, metric: [{ gauge: { value: -1.5 }, timestamp_ms: 1234 }] },
      { name: 'lat', type: 2, metric: [{ summary: { sample_count: 3, sample_sum: 1.5, quantile: [{ quantile: 0.5, value: 0.4 }] } }] },
      latency,
    );
    const got = entries(createParser(body, mediaType, on));
    const series = got.filter((g) => g.kind === 'series').map((g) => [g.labels!['__name__'], g.labels, g.value, g.h === null ? null : 'native']);
    expect(series).toEqual([
      ['reqs_total', { __name__: 'reqs_total', code: '200' }, 7, null],
      ['temp', { __name__: 'temp' }, -1.5, null],
      ['lat_count', { __name__: 'lat_count' }, 3, null],
      ['lat_sum', { __name__: 'lat_sum' }, 1.5, null],
      ['lat', { __name__: 'lat', quantile: '0.5' }, 0.4, null],
      ['rpc_seconds', { __name__: 'rpc_seconds', path: '/a' }, 0, 'native'],
    ]);
    const h = got.find((g) => g.h)!.h!;
    expect(h).toEqual({
      schema: 3,
      zeroThreshold: 1e-128,
      zeroCount: 1,
      count: 10,
      sum: 3.5,
      positive: [
        { index: -2, count: 3 },
        { index: -1, count: 4 },
        { index: 3, count: 2 },
      ],
      negative: [],
      customValues: [],
      counterResetHint: 'unknown',
    });
    expect(got.filter((g) => g.kind === 'type').map((g) => g.labels!['type'])).toEqual(['counter', 'gauge', 'summary', 'histogram']);
  });

  it('keeps classic series when native histograms are off, or always_scrape_classic_histograms asks', () => {
    const names = (o: ProtobufOptions) =>
      entries(createParser(page(latency), mediaType, o))
        .filter((g) => g.kind === 'series')
        .map((g) => `${g.labels!['__name__']}${g.labels!['le'] ? `{le=${g.labels!['le']}}` : ''}=${g.h ? 'h' : g.value}`);
    const classic = ['rpc_seconds_count=10', 'rpc_seconds_sum=3.5', 'rpc_seconds_bucket{le=0.1}=4', 'rpc_seconds_bucket{le=1}=9', 'rpc_seconds_bucket{le=+Inf}=10'];
    expect(names({ ...on, nativeHistograms: false })).toEqual(classic);
    expect(names(on)).toEqual(['rpc_seconds=h']);
    expect(names({ ...on, alwaysScrapeClassic: true })).toEqual(['rpc_seconds=h', ...classic]);
  });

  it('refuses a bad native histogram for its series only, and a malformed page with its offset', () => {
    const bad = (histogram: object) => ({ name: 'bad', type: 4, metric: [{ histogram }] });
    const cases: [object, RegExp][] = [
      [{ sample_count: 5, schema: 0, positive_span: [{ offset: 0, length: 2 }], positive_delta: [1, 1] }, /count 5 does not match the 3 observations/],
      [{ sample_count: 1, schema: 0, positive_span: [{ offset: 0, length: 2 }], positive_delta: [2, -3] }, /negative count/],
      [{ sample_count: 1, schema: 9, positive_span: [{ offset: 0, length: 1 }], positive_delta: [1] }, /schema 9 is outside/],
      [{ sample_count: 1, schema: 0, positive_span: [{ offset: 0, length: 3 }], positive_delta: [1] }, /spans need 3 buckets, have 1/],
    ];
    for (const [h, why] of cases) {
      const got = entries(createParser(page(bad(h), { name: 'ok', type: 1, metric: [{ gauge: { value: 1 } }] }), mediaType, on)).filter((g) => g.kind === 'series');
      expect(got[0]!.err).toMatch(why);
      expect(got[1]!.labels).toEqual({ __name__: 'ok' });
    }
    const good = page(latency);
    const cut = good.subarray(0, good.length - 3);
    expect(() => entries(createParser(cut, mediaType, on))).toThrow(ExpositionParseError);
    expect(() => entries(createParser(cut, mediaType, on))).toThrow(/malformed protobuf MetricFamily at byte 0/);
  });

  it('never throws anything but its parse error on random or mutated bytes', () => {
    const good = page(latency, { name: 'g', type: 1, metric: [{ gauge: { value: 1 } }] });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.tuple(fc.nat(), fc.nat(255), fc.nat()).map(([at, b, cut]) => {
        const x = good.slice(0, good.length - (cut % 4));
        if (x.length > 0) x[at % x.length] = b;
        return x;
      })), (bytes) => {
        try {
          entries(createParser(bytes, mediaType, { ...on, alwaysScrapeClassic: true, bucketLimit: 4 }));
        } catch (e) {
          expect(e).toBeInstanceOf(ExpositionParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reduces the schema until the buckets fit the bucket limit, and to the min bucket factor', () => {
    const h: NativeHistogram = {
      schema: 2,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 10,
      sum: 1,
      positive: [1, 2, 3, 4, 5].map((index) => ({ index, count: 2 })),
      negative: [],
      customValues: [],
      counterResetHint: 'unknown',
    };
    // Schema 2 → 1: indices 1,2 → 1; 3,4 → 2; 5 → 3.
    expect(limitResolution(h, 3, 0)).toMatchObject({ schema: 1, positive: [{ index: 1, count: 4 }, { index: 2, count: 4 }, { index: 3, count: 2 }] });
    expect(limitResolution(h, 2, 0)).toMatchObject({ schema: 0, positive: [{ index: 1, count: 8 }, { index: 2, count: 2 }] });
    expect(() => limitResolution({ ...h, schema: -4 }, 2, 0)).toThrow(/above native_histogram_bucket_limit 2/);
    expect(schemaForFactor(1.1)).toBe(2); // 2^(2^-2) ≈ 1.19 ≥ 1.1, 2^(2^-3) ≈ 1.09 < 1.1
    expect(schemaForFactor(2)).toBe(0);
    expect(limitResolution(h, 0, 2).schema).toBe(0);
    expect(limitResolution(h, 0, 1.01).schema).toBe(2);
  });
});

describe('scraping a protobuf target', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('asks for protobuf first with native histograms on, and stores them in the TSDB', async () => {
    let accept = '';
    let step = 0;
    const server = http.createServer((req, res) => {
      accept = String(req.headers['accept']);
      step++;
      const h = structuredClone(latency);
      h.metric[0]!.histogram.sample_count += step; // one more observation in the zero bucket per scrape
      h.metric[0]!.histogram.zero_count += step;
      if (accept.startsWith('application/vnd.google.protobuf')) {
        res.writeHead(200, { 'Content-Type': mediaType });
        const gauge = { name: 'up_extra', type: 1, metric: [{ gauge: { value: step } }] };
        // The fourth page lacks the histogram: its series gets a staleness marker.
        res.end(step <= 3 ? page(h, gauge) : page(gauge));
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end('up_extra 1\n');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const { dir, cleanup } = tempDir('vigil-proto-scrape-');
    cleanups.push(cleanup);
    const db = await TSDB.open({ dir, worker: false, retentionIntervalMs: 0 });
    cleanups.push(() => db.close());
    const target = makeTarget({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
      labels: labelsFromRecord({ job: 'proto', instance: 'a' }),
      scrapeProtocols: defaultProtocols(true),
      histograms: on,
    });
    const loop = new ScrapeLoop(target, { appendable: db, userAgent: 'Vigil/test' });
    for (let i = 0; i < 4; i++) {
      expect((await loop.scrapeOnce()).error).toBe('');
      await new Promise((r) => setTimeout(r, 5)); // distinct scrape timestamps
    }
    expect(accept).toBe(acceptHeader(defaultProtocols(true)));
    expect(accept.startsWith(`${mediaType};q=0.6,`)).toBe(true);
    const q = await db.querier(-Infinity, Infinity);
    const set = await q.select([{ op: '=', name: '__name__', value: 'rpc_seconds' }]);
    expect(set.series).toHaveLength(1);
    const s = set.series[0]!.samples();
    expect(s.h?.map((h) => h?.count)).toEqual([11, 12, 13, undefined]);
    expect(s.h?.map((h) => h?.zeroCount)).toEqual([2, 3, 4, undefined]);
    expect(isStaleNaN(s.v[3]!)).toBe(true);
    const g = await q.select([{ op: '=', name: '__name__', value: 'up_extra' }]);
    expect(Array.from(g.series[0]!.samples().v)).toEqual([1, 2, 3, 4]);
    // After a flush the marker is read back from the histogram chunk, not a float chunk.
    await db.flush();
    const again = (await (await db.querier(-Infinity, Infinity)).select([{ op: '=', name: '__name__', value: 'rpc_seconds' }])).series[0]!.samples();
    expect(again.h?.map((h) => h?.count)).toEqual([11, 12, 13, undefined]);
    expect(isStaleNaN(again.v[3]!)).toBe(true);
    const ro = new Database(join(dir, 'vigil.db'), { readonly: true });
    const stored = (await (await db.querier(-Infinity, Infinity)).select([{ op: '=', name: '__name__', value: 'rpc_seconds' }])).series[0]!;
    const ref = db.seriesRef(stored.labels);
    expect(ref).toBeGreaterThan(0);
    const encodings = ro.prepare('SELECT DISTINCT encoding FROM chunks WHERE series_ref = ?').pluck().all(ref);
    ro.close();
    expect(encodings).toEqual([3]); // one integer histogram chunk, marker included

  });
});
