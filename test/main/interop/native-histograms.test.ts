// Vigil and Prometheus 2.42 (--enable-feature=native-histograms) scrape the same protobuf target
// serving a native histogram; histogram_count, histogram_sum, histogram_quantile and rate over
// what each stored must agree. The target stamps each histogram with its second (timestamp_ms)
// and derives the counts from it, so both store the same samples at the same times however their
// scrapes fall, and both are scraped twice a second so neither misses a second.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { Engine } from '../../../main/engine.js';
import { metricFamilyType } from '../../../main/scrape/parse/protobuf.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { missingPeers, startPrometheus, until, type Peer } from './peers.js';

const skip = missingPeers('prometheus');

const Family = metricFamilyType;
const mediaType = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';

/** The histogram of second `s` (counts grow with s): schema 1, positive buckets 0 and 1, negative bucket 1, a zero bucket. */
function pageAt(s: number, s0: number): Uint8Array {
  const k = s - s0 + 1;
  const family = {
    name: 'req_seconds',
    help: 'request duration',
    type: 4,
    metric: [
      {
        label: [{ name: 'path', value: '/x' }],
        timestamp_ms: s * 1000,
        histogram: {
          sample_count: 10 * k,
          sample_sum: 7.5 * k,
          schema: 1,
          zero_threshold: 0.001,
          zero_count: k,
          positive_span: [{ offset: 0, length: 2 }],
          positive_delta: [4 * k, 0], // 4k, 4k
          negative_span: [{ offset: 1, length: 1 }],
          negative_delta: [k],
        },
      },
    ],
  };
  const w = protobuf.Writer.create();
  Family.encodeDelimited(Family.fromObject(family), w);
  return w.finish();
}

describe.skipIf(skip !== '')(`native histograms scraped over protobuf by Vigil and Prometheus 2.42${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let prom: Peer | null = null;
  let engine: Engine | null = null;
  let server: http.Server | null = null;
  let cleanup = (): void => {};
  const accepts = new Set<string>();
  const s0 = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      accepts.add(String(req.headers['accept']).split(';')[0]!);
      res.writeHead(200, { 'Content-Type': mediaType });
      res.end(pageAt(Math.floor(Date.now() / 1000), s0));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const base = `global:\n  scrape_interval: 500ms\n  scrape_timeout: 500ms\nscrape_configs:\n  - job_name: nh\n`;
    const targets = `    static_configs:\n      - targets: ['${target}']\n`;
    prom = await startPrometheus(base + targets, ['--enable-feature=native-histograms']);
    const t = tempDir('vigil-nh-interop-');
    cleanup = t.cleanup;
    const configFile = join(t.dir, 'vigil.yml');
    writeFileSync(configFile, base + '    scrape_native_histograms: true\n' + targets);
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
    await engine.startCollection({ selfAddress: '127.0.0.1:1', externalURL: 'http://127.0.0.1:1' });
  }, 30_000);

  afterAll(async () => {
    await engine?.stop();
    await prom?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    cleanup();
  });

  it('agree on histogram_count, histogram_sum, histogram_quantile and rate', async () => {
    const e = engine!;
    const p = prom!;
    const ours = async (query: string, time: number): Promise<number | null> => {
      const r = await e.querySvc.query({ query, time });
      if (r.result.resultType !== 'vector' || r.result.samples.length !== 1) return null;
      return Number(r.result.samples[0]!.v);
    };
    const theirs = async (query: string, time: number): Promise<number | null> => {
      const r = (await (await fetch(`${p.url}/api/v1/query?query=${encodeURIComponent(query)}&time=${time / 1000}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
      return r.data.result.length === 1 ? Number(r.data.result[0]!.value[1]) : null;
    };
    // Wait for 8 seconds of samples on both sides, then evaluate half a second after a second
    // both have covered (so a window's edges never fall on a sample).
    await until(async () => ((await ours('count_over_time(req_seconds[20s])', Date.now())) ?? 0) >= 8 && ((await theirs('count_over_time(req_seconds[20s])', Date.now())) ?? 0) >= 8 ? true : null, '8 histogram samples on both sides', 25_000, 300);
    const time = (Math.floor(Date.now() / 1000) - 1) * 1000 + 500;
    const queries = [
      'histogram_count(req_seconds)',
      'histogram_sum(req_seconds)',
      // Ranks at bucket edges (cumulative k, 2k, 6k, 10k of 10k): inside a bucket Prometheus 2.42
      // interpolates linearly and Prometheus 3 (as Vigil) exponentially, and for q ≥ 0.5
      // Prometheus 3 walks down from the top (an edge between two buckets with a gap between
      // them then answers the upper bucket's lower bound), so only edges of adjacent buckets compare.
      'histogram_quantile(0.6, req_seconds)',
      'histogram_quantile(0.2, req_seconds)',
      'histogram_quantile(0.1, req_seconds)',
      'histogram_count(rate(req_seconds[5s]))',
      'histogram_sum(rate(req_seconds[5s]))',
      'histogram_quantile(0.6, rate(req_seconds[5s]))',
      'histogram_fraction(0, 2, req_seconds)',
    ];
    const rows: [string, number | null, number | null][] = [];
    for (const q of queries) rows.push([q, await ours(q, time), await theirs(q, time)]);
    for (const [q, a, b] of rows) {
      expect(a, `${q}: Vigil has no answer (Prometheus: ${b})`).not.toBeNull();
      expect(b, `${q}: Prometheus has no answer`).not.toBeNull();
      expect(Math.abs(a! - b!) <= 1e-9 * Math.max(1, Math.abs(b!)), `${q}: Vigil ${a}, Prometheus ${b}`).toBe(true);
    }
    // The counts grew with time: the comparison is not of two empty or constant answers.
    expect(rows[0]![1]!).toBeGreaterThan(10);
    expect([...accepts]).toEqual(['application/vnd.google.protobuf']);
  }, 40_000);
});
