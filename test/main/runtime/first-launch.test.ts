// First launch (no config file): the built-in config scrapes Vigil itself and this machine's
// /host/metrics through the normal scrape path (a target on the Targets page), and loads the
// shipped default rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { HttpServer } from '../../../main/api/http-server.js';
import { registerServeRoutes } from '../../../main/api/serve-routes.js';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { defaultConfigText } from '../../../main/config/default-config.js';
import { until } from '../interop/peers.js';
import { tempDir } from '../helpers.js';

describe('first launch with no config', () => {
  let engine: Engine | null = null;
  let server: HttpServer | null = null;
  let cleanup = (): void => {};

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile: null, shell: 'test', logger: silentLogger, inProcessStorage: true });
    server = new HttpServer({ api: engine.api, rendererDir: '/nonexistent', port: 0, logger: silentLogger });
    registerServeRoutes(server, engine);
    await server.listen();
    await engine.startCollection({ selfAddress: `127.0.0.1:${server.port}`, externalURL: server.url });
  }, 30_000);

  afterAll(async () => {
    await server?.close();
    await engine?.stop();
    cleanup();
  });

  it('quotes the host name and rule path as YAML strings', () => {
    const text = defaultConfigText('127.0.0.1:9', 'odd: "name"');
    expect(text).toContain('instance: "odd: \\"name\\""');
    expect(text).toMatch(/rule_files:\n {2}- ".*vigil-defaults\.rules\.yml"\n/);
  });

  it('scrapes this machine as job "node" and stores node_exporter-named series', async () => {
    const e = engine!;
    const host = await until(
      async () => {
        const t = await e.api.targets({});
        return t.activeTargets.find((x) => x.labels['job'] === 'node' && x.health === 'up') ?? null;
      },
      'the host target to be scraped successfully',
      20_000,
      200,
    );
    expect(host.scrapeUrl).toBe(`http://127.0.0.1:${server!.port}/host/metrics`);
    expect(host.labels['instance']).toBe(hostname());
    const r = await until(
      async () => {
        const q = await e.querySvc.query({ query: 'count by (mode) (node_cpu_seconds_total{job="node"})' });
        return q.result.resultType === 'vector' && q.result.samples.length > 0 ? q.result.samples : null;
      },
      'node_cpu_seconds_total in storage',
      20_000,
      200,
    );
    expect(r.map((s) => s.labels['mode']).sort()).toContain('idle');
    const ok = await e.querySvc.query({ query: 'min(node_scrape_collector_success{job="node",collector=~"cpu|meminfo|filesystem"})' });
    expect(ok.result.resultType === 'vector' ? ok.result.samples[0]?.v : null).toBe(1);
  });

  it("answers /api/v1/status/tsdb in Prometheus' shape and says what Vigil costs", async () => {
    const base = `http://127.0.0.1:${server!.port}`;
    const r = (await (await fetch(`${base}/api/v1/status/tsdb?limit=5`)).json()) as {
      status: string;
      data: { headStats: { numSeries: number }; seriesCountByMetricName: Array<{ name: string; value: number }>; seriesCountByLabelValuePair: Array<{ name: string; value: number }> };
    };
    expect(r.status).toBe('success');
    expect(r.data.headStats.numSeries).toBeGreaterThan(50);
    expect(r.data.seriesCountByMetricName).toHaveLength(5);
    expect(r.data.seriesCountByLabelValuePair.map((p) => p.name)).toContain('job=node');
    const values = r.data.seriesCountByMetricName.map((m) => m.value);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    const all = (await (await fetch(`${base}/api/v1/status/tsdb?limit=10000`)).json()) as typeof r;
    expect(all.data.seriesCountByMetricName.find((m) => m.name === 'node_cpu_seconds_total')?.value).toBeGreaterThanOrEqual(4);
    const bad = await fetch(`${base}/api/v1/status/tsdb?limit=0`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/limit must be an integer/);

    const status = await engine!.api.status({});
    expect(status.costs!.series).toBeGreaterThanOrEqual(r.data.headStats.numSeries);
    expect(status.costs!.storageBytes).toBeGreaterThan(0);
    expect(status.costs!.memory.map((m) => m.part)).toContain('JavaScript heap');
  });

  it("serves /host/metrics with node_exporter's collect[] filter", async () => {
    const base = `http://127.0.0.1:${server!.port}/host/metrics`;
    const only = await fetch(`${base}?collect[]=loadavg`);
    expect(only.status).toBe(200);
    expect(only.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await only.text();
    expect(text).toContain('# TYPE node_load1 gauge\n');
    expect(text).not.toContain('node_cpu_seconds_total');
    const bad = await fetch(`${base}?collect[]=nope`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/unknown or disabled collector "nope"/);
  });

  it('loads the shipped default rules', () => {
    const groups = engine!.alertingRuntime!.ruleManager.ruleGroups.map((g) => g.spec.name);
    expect(groups).toEqual(expect.arrayContaining(['this-machine', 'vigil', 'certificates']));
  });
});
