// The exemplar channels of the contract: queryExemplars answers what a scrape stored (numbers and
// ms, as the renderer's overlay wants), with a bad query as a bad_request naming it; setTracingUrl
// saves a `${traceId}` template in setup.json (kept over a restart) and refuses one without it.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { until } from '../interop/peers.js';
import { traceIdOf, tracingLink, tracingUrlProblem } from '../../../app/tracing-url.js';
import { loadExemplarMarks } from '../../../renderer/charts/exemplar-marks.js';

const page = `# TYPE rpc_seconds histogram
rpc_seconds_bucket{le="0.5"} 3 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 0.42 1700000000.5
rpc_seconds_bucket{le="+Inf"} 4 # {trace_id="00f067aa0ba902b7"} 1.25 1700000001.0
rpc_seconds_count 4
rpc_seconds_sum 2.5
# EOF
`;

describe('exemplar channels', () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('queryExemplars returns the scraped exemplars; setTracingUrl validates and persists', async () => {
    const server = http.createServer((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
      res.end(page);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const configFile = join(dir, 'vigil.yml');
    writeFileSync(configFile, `global:\n  scrape_interval: 500ms\n  scrape_timeout: 500ms\nscrape_configs:\n  - job_name: rpc\n    static_configs:\n      - targets: ['127.0.0.1:${(server.address() as AddressInfo).port}']\n`);
    const data = join(dir, 'data');
    let engine = await Engine.start({ dataDir: data, configFile, shell: 'test', logger: silentLogger, inProcessStorage: true });
    await engine.startCollection({ selfAddress: '127.0.0.1:9', externalURL: 'http://127.0.0.1:9' });

    const r = await until(async () => {
      const a = await engine.api.queryExemplars({ query: 'histogram_quantile(0.9, rate(rpc_seconds_bucket[1m]))', start: 1_699_999_000_000, end: 1_700_000_002_000 });
      return a.series.length === 2 ? a : null;
    }, 'two bucket series with exemplars');
    const byLe = Object.fromEntries(r.series.map((s) => [s.seriesLabels['le'], s]));
    expect(byLe['0.5']!.seriesLabels).toMatchObject({ __name__: 'rpc_seconds_bucket', job: 'rpc' });
    expect(byLe['0.5']!.exemplars).toEqual([{ labels: { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }, value: 0.42, t: 1_700_000_000_500 }]);
    expect(byLe['+Inf']!.exemplars).toEqual([{ labels: { trace_id: '00f067aa0ba902b7' }, value: 1.25, t: 1_700_000_001_000 }]);
    // Outside the range: none.
    expect((await engine.api.queryExemplars({ query: 'rpc_seconds_bucket', start: 0, end: 1000 })).series).toEqual([]);
    await expect(engine.api.queryExemplars({ query: 'rate(', start: 0, end: 1 })).rejects.toMatchObject({ kind: 'bad_request', where: 'queryExemplars' });

    // The renderer's loader: one good and one bad query give the good one's marks and an error naming the bad.
    const loaded = await loadExemplarMarks(engine.api, ['rpc_seconds_bucket{le="0.5"}', 'sum('], 1_699_999_000_000, 1_700_000_002_000);
    expect(loaded.marks.map((m) => [m.series, m.value, m.t])).toEqual([['rpc_seconds_bucket{instance="' + r.series[0]!.seriesLabels['instance'] + '", job="rpc", le="0.5"}', 0.42, 1_700_000_000_500]]);
    expect(loaded.errors).toHaveLength(1);
    expect(loaded.errors[0]).toMatch(/^exemplars of sum\(:/);

    expect((await engine.api.setup({})).settings.tracingUrl).toBe('');
    await expect(engine.api.setTracingUrl({ url: 'http://jaeger:16686/trace/' })).rejects.toMatchObject({ kind: 'bad_request', message: expect.stringMatching(/no \$\{traceId\} placeholder/) });
    const saved = await engine.api.setTracingUrl({ url: ' http://127.0.0.1:16686/trace/${traceId} ' });
    expect(saved.settings.tracingUrl).toBe('http://127.0.0.1:16686/trace/${traceId}');
    expect(JSON.parse(readFileSync(join(data, 'setup.json'), 'utf8')).tracingUrl).toBe('http://127.0.0.1:16686/trace/${traceId}');
    await engine.stop();
    engine = await Engine.start({ dataDir: data, configFile, shell: 'test', logger: silentLogger, inProcessStorage: true });
    cleanups.push(() => engine.stop());
    await engine.startCollection({ selfAddress: '127.0.0.1:9', externalURL: 'http://127.0.0.1:9' });
    expect((await engine.api.setup({})).settings.tracingUrl).toBe('http://127.0.0.1:16686/trace/${traceId}');
  }, 30_000);
});

describe('tracing URL templates', () => {
  it('accepts http(s) templates with the placeholder and builds links', () => {
    expect(tracingUrlProblem('')).toBeNull();
    expect(tracingUrlProblem('https://tempo.example/explore?trace=${traceId}')).toBeNull();
    expect(tracingUrlProblem('ftp://x/${traceId}')).toMatch(/not an http/);
    expect(tracingUrlProblem('javascript:alert(1)//${traceId}')).toMatch(/not an http/);
    expect(tracingUrlProblem('http://x/trace')).toMatch(/no \$\{traceId\}/);
    expect(tracingLink('http://zipkin:9411/zipkin/traces/${traceId}', 'a b/c')).toBe('http://zipkin:9411/zipkin/traces/a%20b%2Fc');
    expect(tracingLink('', 'abc')).toBeNull();
    expect(traceIdOf({ traceID: 'x1' })).toBe('x1');
    expect(traceIdOf({ trace_id: 'a', traceID: 'b' })).toBe('a');
    expect(traceIdOf({ span_id: 's' })).toBeNull();
  });
});
