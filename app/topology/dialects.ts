/**
 * What each mesh dialect's metrics mean as a service graph, and the PromQL for every figure.
 * The engine runs the grouped forms (one query per figure for the whole graph); the page builds
 * the same queries for one edge (`edgeQueries`) for its charts and for "Open in Explore", so
 * both show the same numbers.
 *
 * A dialect is a list of traffic parts: each part is one counter with matchers, grouped by the
 * labels naming its two ends (e.g. Linkerd: calls between meshed workloads from the caller's
 * outbound proxy, calls leaving the mesh by authority, unmeshed callers from the callee's
 * inbound proxy).
 */
import type { CustomDialect, TopologyDialectName } from '../api/topology.js';
import type { LabelMatcher } from '../dialect/matcher.js';
import { parseExpr } from '../promql/parser.js';

export interface End {
  name: string;
  /** Namespace, `external`, or null when the dialect has no namespaces. */
  group: string | null;
  kind: 'workload' | 'external';
}

/** The node id of an end: `group/name`, or the bare name without a group. */
export function nodeId(end: End): string {
  return end.group === null ? end.name : `${end.group}/${end.name}`;
}

const externalGroup = 'external';

export interface TrafficPart {
  /** What the part covers, for notes. */
  title: string;
  /** The request counter. */
  requests: string;
  /** Matchers every series of the part meets, PromQL syntax. */
  match: string[];
  /** Labels naming the two ends (grouping of every figure). */
  by: string[];
  /** How failures are counted: matchers for failed requests, for successful ones, or a separate counter. */
  failures: { kind: 'match'; match: string[] } | { kind: 'success'; match: string[] } | { kind: 'counter'; metric: string } | null;
  /** Latency histogram (`_bucket` series name), its matchers and unit → ms factor. */
  histogram: { metric: string; match: string[]; toMs: number } | null;
  /** Matchers selecting requests made over mTLS; null when the dialect does not say. */
  tls: string[] | null;
  /** The two ends of a group, or why it was ignored. */
  ends(labels: Readonly<Record<string, string>>): { src: End; dst: End } | { ignored: string };
}

/** A node's inbound latency over all its callers, as the callee sees it. */
export interface NodeLatency {
  metric: string;
  match: string[];
  toMs: number;
  by: string[];
  end(labels: Readonly<Record<string, string>>): End | null;
}

export interface Dialect {
  name: TopologyDialectName;
  /** The metric whose presence selects the dialect. */
  marker: string;
  parts: TrafficPart[];
  nodeLatency: NodeLatency | null;
}

const firstOf = (labels: Readonly<Record<string, string>>, names: string[]): string => {
  for (const n of names) if ((labels[n] ?? '') !== '') return labels[n]!;
  return '';
};
const workload = (name: string, group: string | null): End => ({ name, group, kind: 'workload' });
const external = (name: string): End => ({ name, group: externalGroup, kind: 'external' });

const linkerdSrc = ['deployment', 'statefulset', 'daemonset'];
const linkerdDst = ['dst_deployment', 'dst_statefulset', 'dst_daemonset'];

function linkerdSource(l: Readonly<Record<string, string>>): End | string {
  const name = firstOf(l, linkerdSrc);
  if (name === '') return 'no workload label (deployment, statefulset or daemonset)';
  if ((l['namespace'] ?? '') === '') return 'no namespace label';
  return workload(name, l['namespace']!);
}

/** Linkerd proxy metrics (`response_total` counts answered requests, as Linkerd viz does). */
const linkerd: Dialect = {
  name: 'linkerd',
  marker: 'response_total',
  parts: [
    {
      title: 'calls between meshed workloads (outbound proxies)',
      requests: 'response_total',
      match: ['direction="outbound"', 'dst_namespace!=""'],
      by: ['namespace', ...linkerdSrc, 'dst_namespace', ...linkerdDst],
      failures: { kind: 'success', match: ['classification="success"'] },
      histogram: { metric: 'response_latency_ms_bucket', match: ['direction="outbound"', 'dst_namespace!=""'], toMs: 1 },
      tls: ['tls="true"'],
      ends(l) {
        const src = linkerdSource(l);
        if (typeof src === 'string') return { ignored: src };
        const dst = firstOf(l, linkerdDst);
        if (dst === '') return { ignored: 'no destination workload label (dst_deployment, dst_statefulset or dst_daemonset)' };
        return { src, dst: workload(dst, l['dst_namespace']!) };
      },
    },
    {
      title: 'calls leaving the mesh (outbound proxies, by authority)',
      requests: 'response_total',
      match: ['direction="outbound"', 'dst_namespace=""', 'authority!=""'],
      by: ['namespace', ...linkerdSrc, 'authority'],
      failures: { kind: 'success', match: ['classification="success"'] },
      histogram: { metric: 'response_latency_ms_bucket', match: ['direction="outbound"', 'dst_namespace=""', 'authority!=""'], toMs: 1 },
      tls: ['tls="true"'],
      ends(l) {
        const src = linkerdSource(l);
        if (typeof src === 'string') return { ignored: src };
        return { src, dst: external(l['authority']!.replace(/:\d+$/, '')) };
      },
    },
    {
      title: 'unmeshed callers (inbound proxies, no client identity)',
      requests: 'response_total',
      match: ['direction="inbound"', 'client_id=""', 'no_tls_reason="not_provided_by_remote"'],
      by: ['namespace', ...linkerdSrc],
      failures: { kind: 'success', match: ['classification="success"'] },
      histogram: { metric: 'response_latency_ms_bucket', match: ['direction="inbound"', 'client_id=""', 'no_tls_reason="not_provided_by_remote"'], toMs: 1 },
      tls: ['tls="true"'],
      ends(l) {
        const dst = linkerdSource(l);
        if (typeof dst === 'string') return { ignored: dst };
        return { src: external('unmeshed'), dst };
      },
    },
  ],
  nodeLatency: {
    metric: 'response_latency_ms_bucket',
    match: ['direction="inbound"'],
    toMs: 1,
    by: ['namespace', ...linkerdSrc],
    end: (l) => {
      const e = linkerdSource(l);
      return typeof e === 'string' ? null : e;
    },
  },
};

const istioUnknown = (v: string | undefined) => v === undefined || v === '' || v === 'unknown';

/** Istio standard metrics: the destination's report, the source's for calls leaving the mesh. */
const istio: Dialect = {
  name: 'istio',
  marker: 'istio_requests_total',
  parts: [
    {
      title: 'calls reported by the destination',
      requests: 'istio_requests_total',
      match: ['reporter="destination"'],
      by: ['source_workload', 'source_workload_namespace', 'destination_workload', 'destination_workload_namespace'],
      failures: { kind: 'match', match: ['response_code=~"5.."'] },
      histogram: { metric: 'istio_request_duration_milliseconds_bucket', match: ['reporter="destination"'], toMs: 1 },
      tls: ['connection_security_policy="mutual_tls"'],
      ends(l) {
        if (istioUnknown(l['destination_workload']) || istioUnknown(l['destination_workload_namespace'])) return { ignored: 'destination workload or namespace unknown or empty' };
        const src = istioUnknown(l['source_workload']) ? external('unknown') : istioUnknown(l['source_workload_namespace']) ? null : workload(l['source_workload']!, l['source_workload_namespace']!);
        if (src === null) return { ignored: 'source workload without namespace' };
        return { src, dst: workload(l['destination_workload']!, l['destination_workload_namespace']!) };
      },
    },
    {
      title: 'calls leaving the mesh (reported by the source)',
      requests: 'istio_requests_total',
      match: ['reporter="source"', 'destination_workload="unknown"'],
      by: ['source_workload', 'source_workload_namespace', 'destination_service_name'],
      failures: { kind: 'match', match: ['response_code=~"5.."'] },
      histogram: { metric: 'istio_request_duration_milliseconds_bucket', match: ['reporter="source"', 'destination_workload="unknown"'], toMs: 1 },
      tls: null,
      ends(l) {
        if (istioUnknown(l['source_workload']) || istioUnknown(l['source_workload_namespace'])) return { ignored: 'source workload or namespace unknown or empty' };
        if (istioUnknown(l['destination_service_name'])) return { ignored: 'no destination_service_name' };
        return { src: workload(l['source_workload']!, l['source_workload_namespace']!), dst: external(l['destination_service_name']!) };
      },
    },
  ],
  nodeLatency: {
    metric: 'istio_request_duration_milliseconds_bucket',
    match: ['reporter="destination"'],
    toMs: 1,
    by: ['destination_workload', 'destination_workload_namespace'],
    end: (l) => (istioUnknown(l['destination_workload']) || istioUnknown(l['destination_workload_namespace']) ? null : workload(l['destination_workload']!, l['destination_workload_namespace']!)),
  },
};

/** The OpenTelemetry Collector's service-graph connector (no namespaces; virtual nodes are external). */
const otel: Dialect = {
  name: 'otel',
  marker: 'traces_service_graph_request_total',
  parts: [
    {
      title: 'service-graph edges',
      requests: 'traces_service_graph_request_total',
      match: [],
      by: ['client', 'server', 'connection_type'],
      failures: { kind: 'counter', metric: 'traces_service_graph_request_failed_total' },
      histogram: { metric: 'traces_service_graph_request_server_seconds_bucket', match: [], toMs: 1000 },
      tls: null,
      ends(l) {
        const client = l['client'] ?? '';
        const server = l['server'] ?? '';
        if (client === '' || server === '') return { ignored: 'empty client or server label' };
        const virtual = l['connection_type'] === 'virtual_node';
        // A virtual client is a caller without a parent span ("user"); a virtual server, an
        // uninstrumented destination named after the client span's peer attributes.
        const clientIsVirtual = virtual && (client === 'user' || client === 'unknown');
        return {
          src: clientIsVirtual ? external(client) : workload(client, null),
          dst: virtual && !clientIsVirtual ? external(server) : workload(server, null),
        };
      },
    },
  ],
  nodeLatency: {
    metric: 'traces_service_graph_request_server_seconds_bucket',
    match: [],
    toMs: 1000,
    by: ['server'],
    end: (l) => ((l['server'] ?? '') === '' ? null : workload(l['server']!, null)),
  },
};

/** Splits a user's matcher text (`a="x", b=~"y"`) into matchers; commas inside quotes stay. */
function splitMatchers(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      cur += c;
      if (c === '\\') cur += text[++i] ?? '';
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
      cur += c;
    } else if (c === ',') {
      if (cur.trim() !== '') out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** A custom dialect from its saved definition. */
export function customDialect(c: CustomDialect): Dialect {
  const match = splitMatchers(c.match);
  const srcBy = [c.sourceLabel, ...(c.sourceNamespaceLabel ? [c.sourceNamespaceLabel] : [])];
  const dstBy = [c.destinationLabel, ...(c.destinationNamespaceLabel ? [c.destinationNamespaceLabel] : [])];
  const endOf = (l: Readonly<Record<string, string>>, name: string, nsLabel: string | undefined): End | null => {
    const v = l[name] ?? '';
    if (v === '') return null;
    return workload(v, nsLabel ? (l[nsLabel] ?? '') || null : null);
  };
  return {
    name: 'custom',
    marker: c.metric,
    parts: [
      {
        title: `${c.metric} by ${c.sourceLabel} → ${c.destinationLabel}`,
        requests: c.metric,
        match,
        by: [...srcBy, ...dstBy],
        failures: c.errorMatch ? { kind: 'match', match: splitMatchers(c.errorMatch) } : null,
        histogram: c.histogram ? { metric: c.histogram, match, toMs: c.histogramToMs ?? 1 } : null,
        tls: null,
        ends(l) {
          const src = endOf(l, c.sourceLabel, c.sourceNamespaceLabel);
          const dst = endOf(l, c.destinationLabel, c.destinationNamespaceLabel);
          if (src === null) return { ignored: `empty ${c.sourceLabel} label` };
          if (dst === null) return { ignored: `empty ${c.destinationLabel} label` };
          return { src, dst };
        },
      },
    ],
    nodeLatency: c.histogram ? { metric: c.histogram, match, toMs: c.histogramToMs ?? 1, by: dstBy, end: (l) => endOf(l, c.destinationLabel, c.destinationNamespaceLabel) } : null,
  };
}

export const builtinDialects: readonly Dialect[] = [linkerd, istio, otel];

export function dialectByName(name: TopologyDialectName, custom: CustomDialect | null): Dialect | null {
  if (name === 'custom') return custom === null ? null : customDialect(custom);
  return builtinDialects.find((d) => d.name === name) ?? null;
}

/** Prometheus' duration text for a window in ms (`90s`, `5m`). */
function windowText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const selector = (metric: string, matchers: readonly string[]) => (matchers.length === 0 ? metric : `${metric}{${matchers.join(',')}}`);
const rate = (metric: string, matchers: readonly string[], w: string) => `rate(${selector(metric, matchers)}[${w}])`;
const byClause = (by: readonly string[]) => `sum by (${by.join(', ')})`;

/** Exact-match matchers for a group's label values (empty values too: they mean "absent"). */
function equalMatchers(match: Readonly<Record<string, string>>): string[] {
  return Object.entries(match).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
}

/** The grouped queries the engine runs for one part (one answer row per group). */
export interface PartQueries {
  rps: string;
  /** Failed requests/s, successful requests/s, or null (see `TrafficPart.failures`). */
  failures: string | null;
  /**
   * Bucket rates by `le` and the group's labels: one query whose answer gives every quantile
   * (the engine applies histogram_quantile's bucket interpolation to it), in the histogram's unit.
   */
  buckets: { query: string; toMs: number } | null;
  tls: string | null;
  resets: string;
  /**
   * When set, requests/s, failures and mTLS all come from this one query (one select of the
   * request series instead of three), grouped by the ends and by the labels the failure and mTLS
   * matchers read; `rps`, `failures` and `tls` above are then not run. Null when the part has no
   * such figures, counts failures with another counter, or is capped (`keep`).
   */
  split: SplitRequests | null;
}

/** One grouped request-rate query from which requests/s, failures and mTLS are summed. */
export interface SplitRequests {
  query: string;
  /** The failure (or success, see `TrafficPart.failures`) matchers, on the split labels. */
  failures: LabelMatcher[] | null;
  tls: LabelMatcher[] | null;
}

/** Matcher texts as parsed matchers, or null when one does not parse or reads `__name__`. */
function parsedMatchers(texts: readonly string[]): LabelMatcher[] | null {
  if (texts.length === 0) return [];
  try {
    const e = parseExpr(`x{${texts.join(',')}}`);
    if (e.type !== 'vector') return null;
    // The one `__name__` matcher is the placeholder's; another means a matcher on the name.
    if (e.matchers.filter((m) => m.name === '__name__').length !== 1) return null;
    return e.matchers.filter((m) => m.name !== '__name__');
  } catch {
    return null;
  }
}

function splitRequests(part: TrafficPart, w: string): SplitRequests | null {
  const f = part.failures;
  if (f?.kind === 'counter' || (f === null && part.tls === null)) return null;
  const failures = f === null ? null : parsedMatchers(f.match);
  const tls = part.tls === null ? null : parsedMatchers(part.tls);
  if ((f !== null && failures === null) || (part.tls !== null && tls === null)) return null;
  const labels = [...new Set([...(failures ?? []), ...(tls ?? [])].map((m) => m.name))].filter((n) => !part.by.includes(n));
  return { query: `${byClause([...part.by, ...labels])} (${rate(part.requests, part.match, w)})`, failures, tls };
}

export const quantiles = [0.5, 0.95, 0.99] as const;

/**
 * The grouped queries of a part. `keep`, when set, is a filter (`topk(N, rps)`) applied to every
 * figure so a label explosion costs the answer no more than the N busiest edges.
 */
export function partQueries(part: TrafficPart, windowMs: number, keep: number | null): PartQueries {
  const w = windowText(windowMs);
  const by = byClause(part.by);
  const rps = `${by} (${rate(part.requests, part.match, w)})`;
  const filter = keep === null ? '' : ` and on (${part.by.join(', ')}) topk(${keep}, ${rps})`;
  const failures =
    part.failures === null
      ? null
      : part.failures.kind === 'counter'
        ? `${by} (${rate(part.failures.metric, part.match, w)})`
        : `${by} (${rate(part.requests, [...part.match, ...part.failures.match], w)})`;
  const h = part.histogram;
  return {
    rps: keep === null ? rps : `topk(${keep}, ${rps})`,
    failures: failures === null ? null : failures + filter,
    buckets: h === null ? null : { query: `sum by (le, ${part.by.join(', ')}) (${rate(h.metric, h.match, w)})${filter}`, toMs: h.toMs },
    tls: part.tls === null ? null : `${by} (${rate(part.requests, [...part.match, ...part.tls], w)})${filter}`,
    resets: `sum(resets(${selector(part.requests, part.match)}[${w}]))`,
    split: keep === null ? splitRequests(part, w) : null,
  };
}

/** The bucket rates of every node's inbound latency over all its callers (see `PartQueries.buckets`). */
export function nodeBucketsQuery(n: NodeLatency, windowMs: number): string {
  return `sum by (le, ${n.by.join(', ')}) (${rate(n.metric, n.match, windowText(windowMs))})`;
}

export interface FigureQueries {
  rps: string;
  successRate: string | null;
  p50: string | null;
  p95: string | null;
  p99: string | null;
  mtls: string | null;
}

/** The PromQL of each figure of one edge: what the page charts and opens in Explore. */
export function edgeQueries(part: TrafficPart, match: Readonly<Record<string, string>>, windowMs: number): FigureQueries {
  const w = windowText(windowMs);
  const m = [...part.match, ...equalMatchers(match)];
  const total = `sum(${rate(part.requests, m, w)})`;
  const f = part.failures;
  const successRate =
    f === null
      ? null
      : f.kind === 'success'
        ? `(sum(${rate(part.requests, [...m, ...f.match], w)}) or vector(0)) / ${total}`
        : `1 - (sum(${rate(f.kind === 'counter' ? f.metric : part.requests, f.kind === 'counter' ? m : [...m, ...f.match], w)}) or vector(0)) / ${total}`;
  const h = part.histogram;
  const quantile = (q: number) =>
    h === null ? null : `histogram_quantile(${q}, sum by (le) (${rate(h.metric, [...h.match, ...equalMatchers(match)], w)}))${h.toMs === 1 ? '' : ` * ${h.toMs}`}`;
  return {
    rps: total,
    successRate,
    p50: quantile(0.5),
    p95: quantile(0.95),
    p99: quantile(0.99),
    mtls: part.tls === null ? null : `(sum(${rate(part.requests, [...m, ...part.tls], w)}) or vector(0)) / ${total}`,
  };
}
