// Vigil and Prometheus 2.42 scrape the same real node-exporter every second, side by side; the
// stored series sets (names and label sets) must be the same.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { missingPeers, startNodeExporter, startPrometheus, until, type Peer } from './peers.js';

const skip = missingPeers('prometheus', 'nodeExporter');

// No series are excused: Vigil writes the same five synthetic scrape_* series as Prometheus 2.42
// without `--enable-feature=extra-scrape-metrics` (measured: 512 series on each side, none
// differing). Any difference, including extra synthetic series, fails the test.
const key = (l: Record<string, string>): string =>
  JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));

describe.skipIf(skip !== '')(`node-exporter scraped by Vigil and Prometheus 2.42${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let exporter: Peer | null = null;
  let prom: Peer | null = null;
  let engine: Engine | null = null;
  let cleanup = (): void => {};
  let target = '';

  beforeAll(async () => {
    exporter = await startNodeExporter();
    target = exporter.url.replace('http://', '');
    const scrape = `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ['${target}']\n`;
    prom = await startPrometheus(scrape);
    const t = tempDir('vigil-node-interop-');
    cleanup = t.cleanup;
    const configFile = join(t.dir, 'vigil.yml');
    writeFileSync(configFile, scrape);
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
    await engine.startCollection({ selfAddress: '127.0.0.1:1', externalURL: 'http://127.0.0.1:1' });
  }, 30_000);

  afterAll(async () => {
    await engine?.stop();
    await prom?.stop();
    await exporter?.stop();
    cleanup();
  });

  it('stores the same series set', async () => {
    const e = engine!;
    const p = prom!;
    // A few successful scrapes on both sides.
    const scrapes = async (): Promise<number> => {
      const r = await e.querySvc.query({ query: 'count_over_time(up{job="node"}[1m]) and up{job="node"} == 1' });
      return r.result.resultType === 'vector' ? Number(r.result.samples[0]?.v ?? 0) : 0;
    };
    const promScrapes = async (): Promise<number> => {
      const r = (await (await fetch(`${p.url}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="node"}[1m]) and up{job="node"} == 1')}`)).json()) as {
        data: { result: Array<{ value: [number, string] }> };
      };
      return Number(r.data.result[0]?.value[1] ?? 0);
    };
    await until(async () => ((await scrapes()) >= 4 && (await promScrapes()) >= 4 ? true : null), '4 successful scrapes of node-exporter by both', 20_000, 250);

    // A window both have covered since the start; series that appear mid-window would show up in both.
    const end = Date.now() - 1500;
    const start = end - 2500;
    const promRes = (await (await fetch(`${p.url}/api/v1/series?match[]=${encodeURIComponent('{job="node"}')}&start=${start / 1000}&end=${end / 1000}`)).json()) as {
      status: string;
      data: Array<Record<string, string>>;
    };
    expect(promRes.status).toBe('success');
    const ours = await e.seriesLookup(['{job="node"}'], start, end);

    const promKeys = new Map(promRes.data.map((l) => [key(l), l]));
    const ourKeys = new Map(ours.map((l) => [key(l), l]));
    const onlyProm = [...promKeys.keys()].filter((k) => !ourKeys.has(k));
    const onlyOurs = [...ourKeys.keys()].filter((k) => !promKeys.has(k));

    // node-exporter gives hundreds of series; an empty comparison would prove nothing.
    expect(promKeys.size).toBeGreaterThan(100);
    expect({ onlyProm, onlyOurs }).toEqual({ onlyProm: [], onlyOurs: [] });
    expect([...ourKeys.keys()].some((k) => k.includes('"node_cpu_seconds_total"'))).toBe(true);
  }, 30_000);
});
