// convert_classic_histograms_to_nhcb end to end: a target serves a classic histogram in the text
// format, the engine scrapes it into the SQLite TSDB, and PromQL's histogram functions over the
// stored custom-bucket histogram give the values derived by hand from the page (Prometheus 2.42,
// the Debian peer, predates NHCB, so there is no differential run).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { until } from '../interop/peers.js';

// 10 observations: 2 ≤ 0.1, 6 in (0.1, 0.5], 0 in (0.5, 1], 2 above 1; `bad` is not cumulative.
const page = `# TYPE req_seconds histogram
req_seconds_bucket{le="0.1"} 2
req_seconds_bucket{le="0.5"} 8
req_seconds_bucket{le="1"} 8
req_seconds_bucket{le="+Inf"} 10
req_seconds_sum 4.5
req_seconds_count 10
# TYPE bad_seconds histogram
bad_seconds_bucket{le="1"} 5
bad_seconds_bucket{le="2"} 3
bad_seconds_bucket{le="+Inf"} 5
bad_seconds_count 5
# TYPE plain gauge
plain 42
`;

describe('convert_classic_histograms_to_nhcb scraped into the TSDB', () => {
  let engine: Engine | null = null;
  let server: http.Server | null = null;
  let cleanup = (): void => {};

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(page);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const t = tempDir('vigil-nhcb-');
    cleanup = t.cleanup;
    const configFile = join(t.dir, 'vigil.yml');
    // Global on; the "both" job keeps the classic series too.
    writeFileSync(
      configFile,
      `global:\n  scrape_interval: 500ms\n  scrape_timeout: 500ms\n  convert_classic_histograms_to_nhcb: true\nscrape_configs:\n` +
        `  - job_name: nhcb\n    static_configs:\n      - targets: ['${target}']\n` +
        `  - job_name: both\n    always_scrape_classic_histograms: true\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
    await engine.startCollection({ selfAddress: '127.0.0.1:1', externalURL: 'http://127.0.0.1:1' });
  }, 30_000);

  afterAll(async () => {
    await engine?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    cleanup();
  });

  const values = async (query: string): Promise<Record<string, number>> => {
    const r = await engine!.querySvc.query({ query, time: Date.now() });
    if (r.result.resultType !== 'vector') throw new Error(`${query}: ${r.result.resultType}`);
    return Object.fromEntries(r.result.samples.map((s) => [s.labels['job'] ?? '', Number(s.v)]));
  };

  it('stores the histogram under its base name and PromQL reads it', async () => {
    await until(async () => (Object.keys(await values('histogram_count(req_seconds)')).length === 2 ? true : null), 'both jobs scraped', 15_000, 200);
    expect(await values('histogram_count(req_seconds)')).toEqual({ nhcb: 10, both: 10 });
    expect(await values('histogram_sum(req_seconds)')).toEqual({ nhcb: 4.5, both: 4.5 });
    // Rank 5 of 10 lies in (0.1, 0.5], 3 of its 6: 0.1 + 0.4 · 3/6.
    const q = await values('histogram_quantile(0.5, req_seconds)');
    expect(Object.keys(q).sort()).toEqual(['both', 'nhcb']);
    for (const v of Object.values(q)) expect(v).toBeCloseTo(0.3, 12);
    // 8 of 10 observations are ≤ 0.5.
    expect(await values('histogram_fraction(0, 0.5, req_seconds)')).toEqual({ nhcb: 0.8, both: 0.8 });
    // The classic series: only where always_scrape_classic_histograms keeps them, and there the
    // classic quantile agrees with the native one.
    expect(await values('count by (job) (req_seconds_bucket)')).toEqual({ both: 4 });
    const classic = await values('histogram_quantile(0.5, req_seconds_bucket)');
    expect(Object.keys(classic)).toEqual(['both']);
    expect(classic['both']).toBeCloseTo(0.3, 12);
    // The bad family is refused (not stored as a histogram) while the rest of the page is kept.
    expect(await values('count by (job) ({__name__=~"bad_seconds.*", job="nhcb"})')).toEqual({});
    expect(await values('plain')).toEqual({ nhcb: 42, both: 42 });
    // nhcb: the histogram, the refused bad_seconds, plain; both: also the 6 + 4 classic series.
    expect(await values('scrape_samples_scraped')).toEqual({ nhcb: 3, both: 13 });
  }, 30_000);
});
