import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopologyResponse } from '../../../app/api/topology.js';
import { Engine } from '../../../main/engine.js';
import { importFile } from '../../../main/import/import-file.js';
import { silentLogger } from '../../../main/util/log.js';
import { dumpFamilies } from '../../../main/workload/dump.js';
import {
  istioDurationBucketsMs,
  latencyCdf,
  linkerdLatencyBucketsMs,
  meshFamilies,
  meshModel,
  otelServerBucketsSeconds,
  type MeshDialect,
  type MeshEdge,
} from '../../../main/workload/mesh.js';
import { tempDir } from '../helpers.js';

const stepMs = 15_000;
const samples = 9;
// Whole minutes, so the evaluation time is a sample time.
const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
const startMs = endMs - (samples - 1) * stepMs;

/** Prometheus' histogram_quantile over cumulative bucket rates (an independent re-statement). */
function expectedQuantile(q: number, bounds: readonly number[], cdf: (b: number) => number, toMs: number): number {
  const counts = bounds.map(cdf);
  const rank = q * 1; // the +Inf bucket holds all (share 1)
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! >= rank) {
      const lo = i === 0 ? 0 : bounds[i - 1]!;
      const below = i === 0 ? 0 : counts[i - 1]!;
      return (lo + ((bounds[i]! - lo) * (rank - below)) / (counts[i]! - below)) * toMs;
    }
  }
  return bounds.at(-1)! * toMs;
}

const bucketsOf: Record<MeshDialect, { bounds: readonly number[]; toMs: number }> = {
  linkerd: { bounds: linkerdLatencyBucketsMs, toMs: 1 },
  istio: { bounds: istioDurationBucketsMs, toMs: 1 },
  otel: { bounds: otelServerBucketsSeconds, toMs: 1000 },
};

function idsOf(d: MeshDialect, e: MeshEdge, nsOf: Map<string, string>): [string, string] {
  const ext = (n: string) => `external/${n}`;
  if (d === 'otel') return [e.kind === 'ingress' ? ext('user') : e.src, e.kind === 'egress' ? ext(e.dst) : e.dst];
  const src = e.kind === 'ingress' ? ext(d === 'linkerd' ? 'unmeshed' : 'unknown') : `${nsOf.get(e.src)}/${e.src}`;
  const dst = e.kind === 'egress' ? ext(e.dst) : `${nsOf.get(e.dst)}/${e.dst}`;
  return [src, dst];
}

const rel = (actual: number, expected: number) => Math.abs(actual - expected) / Math.max(1e-12, Math.abs(expected));

describe.each(['linkerd', 'istio', 'otel'] as const)('topology from %s metrics with known traffic', (dialect) => {
  const model = meshModel(3);
  const nsOf = new Map(model.services.map((s) => [s.name, s.namespace]));
  let engine: Engine;
  let cleanup: () => void;
  let graph: TopologyResponse;

  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = join(t.dir, 'mesh.prom');
    dumpFamilies({ out: file, format: 'prometheus', samples, stepMs, startMs }, [meshFamilies(model, dialect, { startSec: 5000, integer: false })]);
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), shell: 'test', logger: silentLogger, inProcessStorage: true });
    const summary = await importFile(file, engine.tsdb, { format: 'prometheus' });
    expect(summary.rejected).toEqual({});
    graph = await engine.api.topology({ time: endMs, windowMs: 60_000 });
  }, 60_000);
  afterAll(async () => {
    await engine?.stop();
    cleanup?.();
  });

  it('detects the dialect from the metric names present', () => {
    expect(graph.available).toEqual([dialect]);
    expect(graph.dialect).toBe(dialect);
    expect(graph.notes).toEqual([]);
  });

  it('has every edge of the model with its rate (1e-6), success rate, mTLS share and latency quantiles', () => {
    expect(graph.edges).toHaveLength(model.edges.length);
    const { bounds, toMs } = bucketsOf[dialect];
    for (const e of model.edges) {
      const [src, dst] = idsOf(dialect, e, nsOf);
      const edge = graph.edges.find((x) => x.source === src && x.target === dst);
      expect(edge, `${src}->${dst}`).toBeDefined();
      expect(rel(edge!.rps, e.rps), `${edge!.id} rps`).toBeLessThan(1e-6);
      expect(edge!.successRate! - (1 - e.failRatio), `${edge!.id} success`).toBeCloseTo(0, 9);
      const cdf = (b: number) => latencyCdf(e, b * toMs);
      for (const [q, got] of [[0.5, edge!.p50], [0.95, edge!.p95], [0.99, edge!.p99]] as const) {
        expect(rel(got!, expectedQuantile(q, bounds, cdf, toMs)), `${edge!.id} p${q * 100}`).toBeLessThan(1e-6);
      }
      const mtls = dialect === 'otel' || (dialect === 'istio' && e.kind === 'egress') ? null : e.tlsRatio;
      if (mtls === null) expect(edge!.mtls).toBeNull();
      else expect(edge!.mtls!).toBeCloseTo(mtls, 9);
      expect(edge!.health).toBe(1 - e.failRatio < 0.9 ? 'poor' : 1 - e.failRatio < 0.95 ? 'warning' : 'good');
    }
  });

  it('sums nodes’ inbound and outbound traffic, groups namespaces and external callers', () => {
    const expectedIn = new Map<string, number>();
    const expectedOut = new Map<string, number>();
    for (const e of model.edges) {
      const [src, dst] = idsOf(dialect, e, nsOf);
      expectedIn.set(dst, (expectedIn.get(dst) ?? 0) + e.rps);
      expectedOut.set(src, (expectedOut.get(src) ?? 0) + e.rps);
    }
    const ids = new Set([...expectedIn.keys(), ...expectedOut.keys()]);
    expect(graph.nodes.map((n) => n.id).sort()).toEqual([...ids].sort());
    for (const n of graph.nodes) {
      expect(rel(n.inbound.rps, expectedIn.get(n.id) ?? 0) < 1e-6 || (n.inbound.rps === 0 && !expectedIn.has(n.id)), `${n.id} in`).toBe(true);
      expect(rel(n.outbound.rps, expectedOut.get(n.id) ?? 0) < 1e-6 || (n.outbound.rps === 0 && !expectedOut.has(n.id)), `${n.id} out`).toBe(true);
    }
    const mlScorer = graph.nodes.find((n) => n.name === 'ml-scorer')!;
    expect(mlScorer.health).toBe('poor');
    expect(mlScorer.group).toBe(dialect === 'otel' ? null : 'data');
    expect(graph.nodes.filter((n) => n.kind === 'external').every((n) => n.group === 'external')).toBe(true);
    expect(graph.nodes.some((n) => n.kind === 'external' && n.outbound.rps > 0)).toBe(true);
  });

  it('answers the same numbers as the per-edge queries the page opens in Explore', async () => {
    const { edgeQueries, dialectByName } = await import('../../../app/topology/dialects.js');
    const d = dialectByName(dialect, null)!;
    const edge = graph.edges.find((e) => e.target.endsWith('ml-scorer'))!;
    const qs = edgeQueries(d.parts[edge.part]!, edge.match, graph.windowMs);
    const one = async (q: string) => {
      const a = await engine.api.query({ query: q, time: endMs });
      return a.result.resultType === 'vector' ? Number(a.result.samples[0]!.v) : NaN;
    };
    expect(await one(qs.rps)).toBeCloseTo(edge.rps, 9);
    expect(await one(qs.successRate!)).toBeCloseTo(edge.successRate!, 9);
    expect(await one(qs.p95!)).toBeCloseTo(edge.p95!, 6);
  });

  it('selects each part’s request counter once for requests/s, failures and mTLS (one split query)', async () => {
    const { dialectByName, partQueries } = await import('../../../app/topology/dialects.js');
    const d = dialectByName(dialect, null)!;
    for (const part of d.parts) {
      const pq = partQueries(part, 60_000, null);
      const asked = graph.queries.filter((q) => q.query.includes(`(rate(${part.requests}`) && part.match.every((m) => q.query.includes(m)));
      if (dialect === 'otel') {
        // Failures come from another counter: nothing to split.
        expect(pq.split).toBeNull();
        continue;
      }
      expect(pq.split).not.toBeNull();
      // The split query only; the three separate ones are not run.
      expect(asked.map((q) => q.query).filter((q) => q === pq.rps || q === pq.failures || q === pq.tls)).toEqual([]);
      expect(asked.map((q) => q.query)).toContain(pq.split!.query);
    }
  });

  it('keeps the graph at "now" for requests without a time; a request with a time evaluates', async () => {
    // A window reaching back over the imported samples.
    const first = await engine.api.topology({ windowMs: 3_600_000 });
    expect(first.cached).toBe(false);
    expect(first.edges.length).toBe(graph.edges.length);
    expect(first.evalMs).toBeGreaterThan(0);
    const again = await engine.api.topology({ windowMs: 3_600_000 });
    expect(again.cached).toBe(true);
    expect(again.time).toBe(first.time);
    expect(again.edges).toEqual(first.edges);
    // Another shape of request is another graph; an explicit time is never served from the kept one.
    expect((await engine.api.topology({ windowMs: 3_000_000 })).cached).toBe(false);
    const timed = await engine.api.topology({ time: first.time, windowMs: 3_600_000 });
    expect(timed.cached).toBe(false);
    expect(timed.edges.map((e) => e.rps)).toEqual(first.edges.map((e) => e.rps));
  });
});

describe('topology from bad input', () => {
  let engine: Engine;
  let cleanup: () => void;
  let dir: string;
  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    dir = t.dir;
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), shell: 'test', logger: silentLogger, inProcessStorage: true });
    const lines: string[] = ['# TYPE traces_service_graph_request_total counter'];
    const series = (labels: string, value: (i: number) => number) => {
      for (let i = 0; i < samples; i++) lines.push(`traces_service_graph_request_total{${labels}} ${value(i)} ${startMs + i * stepMs}`);
    };
    series('client="a",server="b",connection_type=""', (i) => 1000 + 15 * i); // 1 req/s
    series('client="",server="b",connection_type=""', (i) => 15 * i); // missing client
    series('client="a",server="a",connection_type=""', (i) => 30 * i); // self-call
    series('client="c",server="b",connection_type=""', (i) => (i < 6 ? 100 + 15 * i : 15 * (i - 5))); // a counter reset inside the window
    // A label explosion: 300 edges from x to y0..y299, rates 0.01..3 req/s.
    for (let k = 0; k < 300; k++) series(`client="x",server="y${k}",connection_type=""`, (i) => 0.15 * (k + 1) * i);
    lines.push('# TYPE traces_service_graph_request_server_seconds histogram');
    // A histogram without +Inf for a→b.
    for (const le of ['0.1', '1']) for (let i = 0; i < samples; i++) lines.push(`traces_service_graph_request_server_seconds_bucket{client="a",server="b",connection_type="",le="${le}"} ${le === '1' ? 15 * i : 7 * i} ${startMs + i * stepMs}`);
    const file = join(t.dir, 'bad.prom');
    writeFileSync(file, lines.join('\n') + '\n');
    await importFile(file, engine.tsdb, { format: 'prometheus' });
  }, 60_000);
  afterAll(async () => {
    await engine?.stop();
    cleanup?.();
  });

  it('reports missing labels, self-calls, resets and histograms without +Inf in notes, and caps edges', async () => {
    const g = await engine.api.topology({ time: endMs, windowMs: 60_000, maxEdges: 50 });
    expect(g.dialect).toBe('otel');
    expect(g.edges).toHaveLength(50);
    // 304 label groups: 301 good edges, one without client, one self-call, one that reset.
    expect(g.droppedEdges).toBe(304 - 50);
    // The busiest edges are the ones kept.
    expect(Math.min(...g.edges.map((e) => e.rps))).toBeGreaterThan(2.5 - 1e-9);
    expect(g.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/showing the 50 busiest edges of 304; 254 left out/),
        expect.stringMatching(/counter reset/),
      ]),
    );
    const all = await engine.api.topology({ time: endMs, windowMs: 60_000 });
    expect(all.droppedEdges).toBe(0);
    expect(all.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/1 group\(s\) ignored, empty client or server label \(1\.00 req\/s\)/),
        expect.stringMatching(/1 group\(s\) ignored, self-call of a \(2\.00 req\/s\)/),
        expect.stringMatching(/counter reset/),
        expect.stringMatching(/latency unknown for \d+ edge\(s\): their histogram has no \+Inf bucket/),
      ]),
    );
    const ab = all.edges.find((e) => e.id === 'a->b')!;
    expect(ab.rps).toBeCloseTo(1, 9);
    expect(ab.p50).toBeNull();
    const cb = all.edges.find((e) => e.id === 'c->b')!;
    expect(cb.rps).toBeCloseTo(1, 6);
  });

  it('saves a custom dialect in topology.json and uses it; refuses matchers that do not parse', async () => {
    const custom = { metric: 'traces_service_graph_request_total', sourceLabel: 'client', destinationLabel: 'server', match: 'client!="x"' };
    await engine.api.saveTopologySettings({ custom, thresholds: { warning: 0.99, poor: 0.5 } });
    expect(await engine.api.topologySettings({})).toEqual({ custom, thresholds: { warning: 0.99, poor: 0.5 } });
    const g = await engine.api.topology({ time: endMs, windowMs: 60_000, dialect: 'custom' });
    expect(g.available).toContain('custom');
    expect(g.edges.map((e) => e.id).sort()).toEqual(['a->b', 'c->b']);
    expect(g.edges[0]!.successRate).toBeNull();
    await expect(engine.api.saveTopologySettings({ custom: { ...custom, match: 'client=~' }, thresholds: { warning: 0.95, poor: 0.9 } })).rejects.toThrow(/topology \(custom\)/);
    await expect(engine.api.saveTopologySettings({ custom: { ...custom, errorMatch: 'code=~"("' }, thresholds: { warning: 0.95, poor: 0.9 } })).rejects.toThrow(/topology \(custom\)/);
    expect((await engine.api.topologySettings({})).custom).toEqual(custom);
    // Failures by a regex on a label the groups do not have: counted from the one split query,
    // equal to what the separate failure query gives.
    await engine.api.saveTopologySettings({ custom: { ...custom, match: '', errorMatch: 'connection_type=~"v.*|"' }, thresholds: { warning: 0.95, poor: 0.9 } });
    const split = await engine.api.topology({ time: endMs, windowMs: 60_000, dialect: 'custom' });
    const xy = split.edges.find((e) => e.id === 'x->y7')!;
    const failed = await engine.api.query({ query: 'sum(rate(traces_service_graph_request_total{client="x",server="y7",connection_type=~"v.*|"}[1m]))', time: endMs });
    const failedRps = failed.result.resultType === 'vector' ? Number(failed.result.samples[0]!.v) : NaN;
    expect(failedRps).toBeGreaterThan(0);
    expect(xy.successRate).toBeCloseTo(1 - failedRps / xy.rps, 9);
    expect(split.queries.filter((q) => q.query.includes('rate(traces_service_graph_request_total')).map((q) => q.query)).toEqual([
      'sum by (client, server, connection_type) (rate(traces_service_graph_request_total[1m]))',
    ]);
    writeFileSync(join(dir, 'data', 'topology.json'), '{"custom": 3}');
    await expect(engine.api.topology({ time: endMs })).rejects.toThrow(/topology\.json: .*fix or delete the file/);
  });
});
