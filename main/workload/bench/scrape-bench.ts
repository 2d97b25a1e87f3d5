/**
 * The scrape hot path without the network, for iterating on CPU per sample: W-fleet (docs/benchmarks.md) pages
 * (pre-rendered, optionally gzipped) → ScrapeLoop (parse, scrape cache, appender) → TSDB with its
 * worker. Prints CPU-seconds per 1 M samples over both threads. The live figure beside the peers
 * is `npm run bench:scrape`; this one only tells which change helps.
 *   node --expose-gc dist/main/workload/bench/scrape-bench.js [--targets 50] [--series 2000] [--rounds 12] [--gzip 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { TSDB } from '../../tsdb/db.js';
import { tuneGarbageCollector } from '../../util/gc-tuning.js';
import { labelsFromRecord, labelsKey } from '../../tsdb/labels.js';
import { buildTarget } from '../fleet.js';
import { PageRenderer } from '../exposition.js';
import { ScrapeLoop } from '../../scrape/loop.js';
import type { ScrapeTarget } from '../../scrape/target-types.js';
import { directConnection } from '../../http-client/proxy.js';

tuneGarbageCollector(); // as `vigil serve` does
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const num = (k: string, d: number): number => (args.has(k) ? Number(args.get(k)) : d);
const targets = num('targets', 50);
const seriesPer = num('series', 2000);
const rounds = num('rounds', 12);
const gzip = num('gzip', 1) === 1;

function target(i: number): ScrapeTarget {
  const url = `http://127.0.0.1:${20000 + i}/metrics`;
  const labels = labelsFromRecord({ job: 'fleet', instance: `127.0.0.1:${20000 + i}` });
  return {
    key: `fleet|${url}|${labelsKey(labels)}`,
    job: 'fleet',
    url,
    labels,
    discoveredLabels: labelsFromRecord({ __address__: `127.0.0.1:${20000 + i}`, job: 'fleet' }),
    interval: 5000,
    timeout: 4000,
    honorLabels: false,
    honorTimestamps: true,
    limits: { sampleLimit: 0, labelLimit: 0, labelNameLengthLimit: 0, labelValueLengthLimit: 0, bodySizeLimit: 0 },
    auth: { kind: 'none' },
    tls: { caFile: '', certFile: '', keyFile: '', serverName: '', insecureSkipVerify: false, minVersion: '' },
    proxy: directConnection,
    enableCompression: true,
    followRedirects: true,
    scrapeProtocols: ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'],
    histograms: { nativeHistograms: false, alwaysScrapeClassic: false, bucketLimit: 0, minBucketFactor: 0 },
    enableHttp2: true,
    metricRelabel: (l) => l,
    metricRelabelIsNoop: true,
    relabelSteps: () => [],
  };
}

// Pages for every round, rendered before timing (rendering is the generator's cost, not ours).
const pages: Buffer[][] = [];
const renderers = Array.from({ length: targets }, (_, t) => {
  const families = buildTarget({ seed: 1, target: t, series: seriesPer });
  return { families, r: new PageRenderer(families, 'prometheus') };
});
for (let r = 0; r < rounds; r++) {
  pages.push(
    renderers.map(({ families, r: renderer }) => {
      for (const f of families) for (const m of f.members) m.advance(5);
      const body = Buffer.from(renderer.render());
      return gzip ? gzipSync(body, { level: 1 }) : body;
    }),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-scrape-bench-'));
const db = await TSDB.open({ dir });
let round = 0;
let now = 1_700_000_000_000;
const loops = Array.from(
  { length: targets },
  (_, i) =>
    new ScrapeLoop(target(i), {
      appendable: db,
      now: () => now,
      fetch: async () => {
        const page = pages[round]![i]!;
        return { body: gzip ? gunzipSync(page) : page, contentType: 'text/plain; version=0.0.4; charset=utf-8' };
      },
    }),
);
const warm = 2;
let samples = 0;
let cpu0 = process.cpuUsage();
let t0 = performance.now();
for (round = 0; round < rounds; round++) {
  if (round === warm) {
    (globalThis as { gc?: () => void }).gc?.();
    cpu0 = process.cpuUsage();
    t0 = performance.now();
  }
  now += 5000;
  // Spread over the interval as real scrapes are: one target at a time, each awaited.
  for (const loop of loops) {
    const rep = await loop.scrapeOnce();
    if (!rep.up) throw new Error(`scrape failed: ${rep.error}`);
    if (round >= warm) samples += rep.counts.total;
  }
}
const cpu = process.cpuUsage(cpu0);
const secs = (cpu.user + cpu.system) / 1e6;
console.log(
  `scrape hot path (${targets} × ${seriesPer}, ${gzip ? 'gzip' : 'plain'}, ${rounds - warm} rounds): ${(secs / (samples / 1e6)).toFixed(3)} CPU-s per 1 M samples, ` +
    `${((performance.now() - t0) / 1000).toFixed(2)} s wall, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
);
await db.close();
rmSync(dir, { recursive: true, force: true });
