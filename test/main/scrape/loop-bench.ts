/**
 * Figures for the scrape hot path (not a test: no assertions, prints numbers).
 *   npx esbuild test/main/scrape/loop-bench.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=/tmp/loop-bench.mjs && node /tmp/loop-bench.mjs
 * Parse throughput over a 2,000-series W-fleet (docs/benchmarks.md) page, and CPU time per 1 M samples for the loop
 * path: parse + scrape cache + staleness tracking + append into a no-op Appender.
 */
import type { Appender } from '../../../main/tsdb/interface.js';
import { labelsFromRecord } from '../../../main/tsdb/labels.js';
import { ScrapeCache } from '../../../main/scrape/cache.js';
import { PageAppend } from '../../../main/scrape/loop-append.js';
import { createParser } from '../../../main/scrape/parse/parser.js';
import { buildTarget } from '../../../main/workload/fleet.js';
import { PageRenderer } from '../../../main/workload/exposition.js';

function pages(n: number, series: number, format: 'prometheus' | 'openmetrics'): Buffer[] {
  const families = buildTarget({ seed: 11, target: 3, series });
  const r = new PageRenderer(families, format);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    for (const f of families) for (const m of f.members) m.advance(5);
    out.push(Buffer.from(r.render()));
  }
  return out;
}

function cpuSeconds(fn: () => void): { cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, wall: (performance.now() - w0) / 1000 };
}

const noopAppender = (): Appender => {
  let next = 1;
  const refs = new Map<string, number>();
  return {
    append: (series, _t, _v) => {
      if (typeof series === 'number') return series;
      const k = series.map((l) => l.value).join('\xff');
      let r = refs.get(k);
      if (r === undefined) refs.set(k, (r = next++));
      return r;
    },
    commit: async () => {},
    rollback: () => {},
  };
};

for (const format of ['prometheus', 'openmetrics'] as const) {
  const ps = pages(10, 2000, format);
  const samplesPerPage = ps[0]!.toString().split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  const ct = format === 'openmetrics' ? 'application/openmetrics-text; version=1.0.0' : 'text/plain; version=0.0.4';

  // Warm up the JIT, then measure.
  const hot = (iters: number, withLabels: boolean) => {
    let sink = 0;
    for (let i = 0; i < iters; i++) {
      const p = createParser(ps[i % ps.length]!, ct);
      for (let k = p.next(); k !== 'eof'; k = p.next()) {
        if (k !== 'series') continue;
        sink += p.seriesId().length + p.value();
        if (withLabels) sink += p.labels().length;
      }
    }
    return sink;
  };
  hot(50, true);
  const iters = 500;
  const idOnly = cpuSeconds(() => hot(iters, false));
  const full = cpuSeconds(() => hot(iters / 5, true));
  console.log(
    `${format}: ${samplesPerPage} samples/page, ${ps[0]!.length} bytes; parse (id + value, cache-hit shape): ` +
      `${((samplesPerPage * iters) / idOnly.cpu / 1e6).toFixed(2)} M samples/s; parse with labels(): ` +
      `${((samplesPerPage * iters) / 5 / full.cpu / 1e6).toFixed(2)} M samples/s`,
  );

  // Loop path: 1 M samples = 500 scrapes of a 2,000-series page.
  const cache = new ScrapeCache();
  const settings = {
    cache,
    targetLabels: labelsFromRecord({ job: 'fleet', instance: 'host-3:9100' }),
    honorLabels: false,
    honorTimestamps: true,
    limits: { sampleLimit: 0, labelLimit: 0, labelNameLengthLimit: 0, labelValueLengthLimit: 0, bodySizeLimit: 0 },
  };
  const app = noopAppender();
  let t = 1_700_000_000_000;
  const scrape = (i: number) => {
    const run = new PageAppend(settings, app, createParser(ps[i % ps.length]!, ct), (t += 5000));
    run.step(Infinity);
    run.markVanished();
    cache.iterDone(true);
    return run.counts.added;
  };
  for (let i = 0; i < 50; i++) scrape(i);
  const scrapes = Math.ceil(1_000_000 / samplesPerPage);
  let samples = 0;
  const loop = cpuSeconds(() => {
    for (let i = 0; i < scrapes; i++) samples += scrape(i);
  });
  console.log(
    `${format}: loop path ${samples} samples in ${loop.cpu.toFixed(3)} CPU-s (${loop.wall.toFixed(3)} s wall) → ` +
      `${((loop.cpu / samples) * 1e6).toFixed(3)} CPU-s per 1 M samples`,
  );
}
