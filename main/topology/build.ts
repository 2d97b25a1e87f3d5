/**
 * Builds the service graph at one time: runs each figure's grouped PromQL (app/topology/
 * dialects.ts) through the query service, joins the answers by group, merges groups into edges
 * between nodes, and sums nodes' inbound and outbound traffic. Whatever it cannot use (groups
 * with missing labels, self-calls, counter resets, histograms without `+Inf`, edges over the
 * cap) it skips and says so in `notes`; it never fails on the data.
 */
import { fromWire, type WireValue } from '../../app/api/query.js';
import type { Health, HealthThresholds, TopologyEdge, TopologyNode, Traffic } from '../../app/api/topology.js';
import { compileMatcher, type LabelMatcher } from '../../app/dialect/matcher.js';
import { nodeBucketsQuery, nodeId, partQueries, quantiles, type Dialect, type End, type PartQueries, type SplitRequests, type TrafficPart } from '../../app/topology/dialects.js';
import { bucketQuantile, parseGoFloat, type Bucket } from '../promql/mathutil.js';

interface Sample {
  labels: Record<string, string>;
  v: WireValue;
}

/** Runs one instant query; the caller turns errors into ones naming the topology. */
export type RunQuery = (query: string, time: number) => Promise<{ samples: Sample[]; ms: number }>;

export interface BuildOptions {
  run: RunQuery;
  dialect: Dialect;
  time: number;
  windowMs: number;
  thresholds: HealthThresholds;
  maxEdges: number;
}

export interface BuiltGraph {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  notes: string[];
  droppedEdges: number;
  queries: Array<{ query: string; ms: number; series: number }>;
}

/** Linkerd viz's classification of a success rate, with configurable thresholds. */
function healthOf(successRate: number | null, t: HealthThresholds): Health {
  if (successRate === null || !Number.isFinite(successRate)) return 'unknown';
  if (successRate < t.poor) return 'poor';
  if (successRate < t.warning) return 'warning';
  return 'good';
}

/** A group's key: its values of `by`, joined by NUL (which no exposition format can carry). */
function keyOf(by: readonly string[], labels: Readonly<Record<string, string>>): string {
  let k = labels[by[0]!] ?? '';
  for (let i = 1; i < by.length; i++) k += '\u0000' + (labels[by[i]!] ?? '');
  return k;
}
const finite = (v: number) => (Number.isFinite(v) ? v : null);
const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3));

interface EdgeAcc {
  src: End;
  dst: End;
  part: number;
  match: Record<string, string>;
  rps: number;
  /** Successful requests/s; null when the part does not count failures. */
  ok: number | null;
  tls: number | null;
  q: Array<number | null>;
  merged: number;
}

export async function buildTopology(o: BuildOptions): Promise<BuiltGraph> {
  const notes: string[] = [];
  const queries: BuiltGraph['queries'] = [];
  const run = async (query: string): Promise<Sample[]> => {
    const a = await o.run(query, o.time);
    queries.push({ query, ms: a.ms, series: a.samples.length });
    return a.samples;
  };

  // Every query of a part goes out at once, and the nodes' latency with them: the engine's
  // answers overlap instead of queueing one by one. The requests' answer has one series per
  // group, so its length tells whether the part is over the edge cap (then its figures are
  // asked again, filtered to the busiest edges); a separate count() of it would select and rate
  // every request series a second time.
  const nodeBuckets = o.dialect.nodeLatency === null ? null : run(nodeBucketsQuery(o.dialect.nodeLatency, o.windowMs));
  const figures = (pq: PartQueries) =>
    Promise.all([
      run(pq.split?.query ?? pq.rps),
      pq.split !== null || pq.failures === null ? null : run(pq.failures),
      pq.split !== null || pq.tls === null ? null : run(pq.tls),
      run(pq.resets),
      pq.buckets === null ? null : run(pq.buckets.query),
    ] as const);
  const started = o.dialect.parts.map((part) => {
    const q0 = partQueries(part, o.windowMs, null);
    return { q0, figures: figures(q0) };
  });
  // Answers not awaited yet must not become unhandled rejections when an earlier one fails.
  for (const s of started) s.figures.catch(() => {});
  nodeBuckets?.catch(() => {});

  const edges = new Map<string, EdgeAcc>();
  let capped = 0;
  for (const [pi, part] of o.dialect.parts.entries()) {
    const { q0, figures: unfiltered } = started[pi]!;
    let answers = await unfiltered;
    let pq = q0;
    let groups = requestGroups(part, pq.split, answers);
    const n = groups.length;
    if (n === 0) continue;
    if (n > o.maxEdges) {
      // Over the cap, every figure is filtered to the busiest groups inside the engine.
      capped += n - o.maxEdges;
      pq = partQueries(part, o.windowMs, o.maxEdges);
      answers = await figures(pq);
      groups = requestGroups(part, pq.split, answers);
    }
    const [, , , resets, buckets] = answers;
    const qMap = buckets === null ? null : bucketQuantiles(part.by, buckets, pq.buckets!.toMs);
    const resetCount = resets.length === 0 ? 0 : fromWire(resets[0]!.v);
    if (resetCount > 0) notes.push(`${part.requests} (${part.title}): ${resetCount} counter reset(s) in the window; rates account for them`);
    collect(pi, part, groups, qMap, edges, notes);
  }

  let list = [...edges.entries()];
  let droppedEdges = capped;
  if (list.length > o.maxEdges) {
    list.sort((a, b) => b[1].rps - a[1].rps);
    droppedEdges += list.length - o.maxEdges;
    list = list.slice(0, o.maxEdges);
  }
  if (droppedEdges > 0) {
    notes.push(`showing the ${o.maxEdges.toLocaleString('en')} busiest edges of ${(o.maxEdges + droppedEdges).toLocaleString('en')}; ${droppedEdges.toLocaleString('en')} left out (raise the edge limit or filter the data)`);
  }
  const unknownLatency = list.filter(([, e]) => e.rps > 0 && o.dialect.parts[e.part]!.histogram !== null && e.q.every((x) => x === null)).length;
  if (unknownLatency > 0) notes.push(`latency unknown for ${unknownLatency} edge(s): their histogram has no +Inf bucket, no observations in the window, or no series`);

  const outEdges: TopologyEdge[] = list.map(([id, e]) => {
    const successRate = e.ok === null || e.rps === 0 ? null : Math.min(1, Math.max(0, e.ok / e.rps));
    return {
      id,
      source: nodeId(e.src),
      target: nodeId(e.dst),
      health: healthOf(successRate, o.thresholds),
      part: e.part,
      match: e.match,
      rps: e.rps,
      successRate,
      p50: e.q[0] ?? null,
      p95: e.q[1] ?? null,
      p99: e.q[2] ?? null,
      mtls: e.tls === null || e.rps === 0 ? null : Math.min(1, e.tls / e.rps),
    };
  });

  const ends = new Map<string, End>();
  for (const [, e] of list) {
    ends.set(nodeId(e.src), e.src);
    ends.set(nodeId(e.dst), e.dst);
  }
  const latency = nodeLatencies(o.dialect, nodeBuckets === null ? [] : await nodeBuckets, ends);
  // Each node's edges, in and out, from one pass over the edges.
  const into = new Map<string, EdgeAcc[]>();
  const outOf = new Map<string, EdgeAcc[]>();
  const push = (m: Map<string, EdgeAcc[]>, id: string, e: EdgeAcc) => {
    const l = m.get(id);
    if (l === undefined) m.set(id, [e]);
    else l.push(e);
  };
  for (const [, e] of list) {
    push(into, nodeId(e.dst), e);
    push(outOf, nodeId(e.src), e);
  }
  const nodes: TopologyNode[] = [...ends.entries()].map(([id, end]) => {
    const inbound = sumTraffic(into.get(id) ?? [], latency.get(id) ?? null);
    const outbound = sumTraffic(outOf.get(id) ?? [], null);
    const side = inbound.rps > 0 ? inbound : outbound;
    return { id, name: end.name, group: end.group, kind: end.kind, inbound, outbound, health: healthOf(side.successRate, o.thresholds) };
  });
  nodes.sort((a, b) => a.id.localeCompare(b.id));
  outEdges.sort((a, b) => a.id.localeCompare(b.id));
  return { nodes, edges: outEdges, notes, droppedEdges, queries };
}

/** One label group of a part's requests: requests/s, and its failed (or successful) and mTLS requests/s. */
interface RequestGroup {
  key: string;
  labels: Readonly<Record<string, string>>;
  rps: number;
  /** null when the part does not count them. */
  failures: number | null;
  tls: number | null;
}

type FigureAnswers = readonly [Sample[], Sample[] | null, Sample[] | null, Sample[], Sample[] | null];

/**
 * The request groups of a part from its answers: the requests/s, failures and mTLS answers
 * joined by group, or the one split answer summed by group (a split group counts as failed or
 * over mTLS when its labels meet those matchers, as the separate queries would have selected it).
 */
function requestGroups(part: TrafficPart, split: SplitRequests | null, answers: FigureAnswers): RequestGroup[] {
  const [rps, failures, tls] = answers;
  const out = new Map<string, RequestGroup>();
  if (split !== null) {
    const meets = (ms: LabelMatcher[], labels: Readonly<Record<string, string>>) => ms.every((m) => compileMatcher(m).matches(labels[m.name] ?? ''));
    for (const s of rps) {
      const key = keyOf(part.by, s.labels);
      const v = fromWire(s.v);
      let g = out.get(key);
      if (g === undefined) {
        g = { key, labels: s.labels, rps: 0, failures: split.failures === null ? null : 0, tls: split.tls === null ? null : 0 };
        out.set(key, g);
      }
      g.rps += v;
      if (split.failures !== null && meets(split.failures, s.labels)) g.failures! += v;
      if (split.tls !== null && meets(split.tls, s.labels)) g.tls! += v;
    }
    return [...out.values()];
  }
  const byKey = (samples: Sample[] | null) => (samples === null ? null : new Map(samples.map((s) => [keyOf(part.by, s.labels), fromWire(s.v)])));
  const failMap = byKey(failures);
  const tlsMap = byKey(tls);
  return rps.map((s) => {
    const key = keyOf(part.by, s.labels);
    return { key, labels: s.labels, rps: fromWire(s.v), failures: failMap === null ? null : (failMap.get(key) ?? 0), tls: tlsMap === null ? null : (tlsMap.get(key) ?? 0) };
  });
}

function collect(pi: number, part: TrafficPart, groups: RequestGroup[], qMap: Map<string, number[]> | null, edges: Map<string, EdgeAcc>, notes: string[]): void {
  const ignored = new Map<string, { n: number; rps: number }>();
  const ignore = (reason: string, r: number) => {
    const x = ignored.get(reason) ?? { n: 0, rps: 0 };
    ignored.set(reason, { n: x.n + 1, rps: x.rps + r });
  };
  let merged = 0;
  for (const s of groups) {
    const r = s.rps;
    if (!Number.isFinite(r)) continue;
    const ends = part.ends(s.labels);
    if ('ignored' in ends) {
      ignore(ends.ignored, r);
      continue;
    }
    const src = nodeId(ends.src);
    const dst = nodeId(ends.dst);
    if (src === dst) {
      ignore(`self-call of ${src}`, r);
      continue;
    }
    const key = s.key;
    const f = s.failures ?? 0;
    const ok = part.failures === null ? null : part.failures.kind === 'success' ? f : r - f;
    const tls = s.tls;
    const row = qMap?.get(key);
    const q = quantiles.map((_, i) => finite(row?.[i] ?? NaN));
    const id = `${src}->${dst}`;
    const prev = edges.get(id);
    if (prev === undefined) {
      const match: Record<string, string> = {};
      for (const b of part.by) match[b] = s.labels[b] ?? '';
      edges.set(id, { src: ends.src, dst: ends.dst, part: pi, match, rps: r, ok, tls, q, merged: 0 });
    } else {
      // Several label groups naming the same two ends (e.g. two authorities of one service):
      // counts add up; quantiles cannot, the worst is kept.
      merged++;
      prev.rps += r;
      prev.ok = prev.ok === null || ok === null ? null : prev.ok + ok;
      prev.tls = prev.tls === null || tls === null ? null : prev.tls + tls;
      prev.q = prev.q.map((x, i) => (x === null ? (q[i] ?? null) : q[i] == null ? x : Math.max(x, q[i]!)));
      prev.merged++;
    }
  }
  for (const [reason, x] of ignored) {
    notes.push(`${part.requests} (${part.title}): ${x.n} group(s) ignored, ${reason} (${fmt(x.rps)} req/s)`);
  }
  if (merged > 0) notes.push(`${part.requests} (${part.title}): ${merged} label group(s) merged into edges they share ends with; their latency shows the slowest group`);
}

/**
 * histogram_quantile for each group of bucket rates (`sum by (le, …)` answers) and each of
 * `quantiles`, with the engine's own bucket interpolation, times `toMs`. Groups without a `+Inf`
 * bucket or without observations get NaN, as in PromQL; series without a valid `le` are ignored.
 */
function bucketQuantiles(by: readonly string[], samples: Sample[], toMs: number): Map<string, number[]> {
  const groups = new Map<string, Bucket[]>();
  // A histogram has a few dozen distinct bounds: each `le` text is parsed once.
  const bounds = new Map<string, number>();
  for (const s of samples) {
    const le = s.labels['le'];
    if (le === undefined) continue;
    let upperBound = bounds.get(le);
    if (upperBound === undefined) bounds.set(le, (upperBound = parseGoFloat(le)));
    if (Number.isNaN(upperBound)) continue;
    const key = keyOf(by, s.labels);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [{ upperBound, count: fromWire(s.v) }]);
    else list.push({ upperBound, count: fromWire(s.v) });
  }
  const out = new Map<string, number[]>();
  for (const [key, buckets] of groups) out.set(key, quantiles.map((q) => bucketQuantile(q, buckets).value * toMs));
  return out;
}

function nodeLatencies(dialect: Dialect, samples: Sample[], ends: Map<string, End>): Map<string, Array<number | null>> {
  const out = new Map<string, Array<number | null>>();
  const n = dialect.nodeLatency;
  if (n === null || ends.size === 0) return out;
  const labelsOf = new Map<string, Readonly<Record<string, string>>>();
  for (const s of samples) labelsOf.set(keyOf(n.by, s.labels), s.labels);
  for (const [key, qs] of bucketQuantiles(n.by, samples, n.toMs)) {
    const end = n.end(labelsOf.get(key)!);
    if (end === null) continue;
    const id = nodeId(end);
    if (!ends.has(id)) continue;
    out.set(id, qs.map(finite));
  }
  return out;
}

function sumTraffic(list: EdgeAcc[], latency: Array<number | null> | null): Traffic {
  const rps = list.reduce((a, e) => a + e.rps, 0);
  const withOk = list.filter((e) => e.ok !== null);
  const okRps = withOk.reduce((a, e) => a + e.rps, 0);
  const withTls = list.filter((e) => e.tls !== null);
  const tlsRps = withTls.reduce((a, e) => a + e.rps, 0);
  return {
    rps,
    successRate: okRps === 0 ? null : withOk.reduce((a, e) => a + e.ok!, 0) / okRps,
    p50: latency?.[0] ?? null,
    p95: latency?.[1] ?? null,
    p99: latency?.[2] ?? null,
    mtls: tlsRps === 0 ? null : withTls.reduce((a, e) => a + e.tls!, 0) / tlsRps,
  };
}
