/**
 * W-mesh: a demo service mesh of ~30 services (fan-out, retries, one failing dependency, one
 * slow edge, external callers and calls leaving the mesh) exposed with the exact label sets of a
 * mesh dialect: Linkerd proxy metrics, Istio standard metrics or the OpenTelemetry Collector's
 * service-graph connector. The traffic is a model (`meshModel`): every edge has a constant
 * request rate, failure ratio, mTLS ratio and an exponential latency distribution, and every
 * counter is exactly `rate × elapsed`, so tests compute expected figures from the model alone.
 * Deterministic for a seed (the seed varies the rates within ±20 %).
 */
import type { Family, Member } from './fleet.js';
import { mixSeed, mulberry32 } from './prng.js';

export const meshDialects = ['linkerd', 'istio', 'otel'] as const;
export type MeshDialect = (typeof meshDialects)[number];

interface MeshService {
  name: string;
  namespace: string;
}

type EdgeKind = 'mesh' | 'ingress' | 'egress';

export interface MeshEdge {
  /** Calling workload; for `ingress`, the external caller (not a mesh service). */
  src: string;
  /** Called workload; for `egress`, an external host. */
  dst: string;
  kind: EdgeKind;
  /** Requests per second (attempts, retries included). */
  rps: number;
  /** Fraction of requests that fail (5xx / classification="failure"). */
  failRatio: number;
  /** Fraction of requests sent over mTLS. */
  tlsRatio: number;
  /** Mean of the exponential latency distribution, ms. */
  latencyMeanMs: number;
  /** What the edge stands for in the demo (failing dependency, slow edge, retries…). */
  note?: string;
}

export interface MeshModel {
  services: MeshService[];
  edges: MeshEdge[];
}

const ns: Record<string, string[]> = {
  edge: ['web', 'api-gateway', 'auth'],
  shop: ['catalog', 'cart', 'checkout', 'payment', 'shipping', 'pricing', 'inventory', 'recommendations', 'reviews', 'search', 'orders', 'currency', 'user-profile', 'notifications', 'email', 'ads'],
  data: ['ml-scorer', 'search-index', 'postgres', 'redis', 'kafka', 'object-store', 'feature-store'],
  ops: ['audit-log', 'rate-limiter', 'config-service'],
};

/** The external caller (browsers, partners) in front of the mesh. */
const externalCaller = 'internet';

// [src, dst, rps, failRatio, latencyMeanMs, note?]; tls 1 unless listed in `partialTls`.
type Row = [string, string, number, number, number, string?];
const rows: Row[] = [
  [externalCaller, 'web', 40, 0.002, 20],
  [externalCaller, 'api-gateway', 25, 0.004, 30],
  ['web', 'api-gateway', 30, 0.003, 25],
  ['api-gateway', 'auth', 55, 0.001, 4],
  ['api-gateway', 'rate-limiter', 55, 0, 2],
  ['api-gateway', 'catalog', 20, 0.002, 15],
  ['api-gateway', 'cart', 12, 0.002, 12],
  ['api-gateway', 'checkout', 4, 0.01, 90],
  ['api-gateway', 'search', 10, 0.003, 60],
  ['api-gateway', 'user-profile', 8, 0.001, 8],
  ['api-gateway', 'recommendations', 9, 0.02, 70],
  ['api-gateway', 'orders', 3, 0.002, 20],
  ['auth', 'redis', 55, 0, 1],
  ['auth', 'user-profile', 5, 0.001, 6],
  ['auth', 'audit-log', 2, 0, 3],
  ['catalog', 'pricing', 20, 0.001, 5],
  ['catalog', 'inventory', 20, 0.002, 6],
  ['catalog', 'reviews', 6, 0.004, 12],
  ['catalog', 'postgres', 20, 0.0005, 4],
  ['catalog', 'redis', 15, 0, 1],
  ['catalog', 'object-store', 4, 0.001, 35],
  ['cart', 'redis', 24, 0, 1, 'fan-out: two reads per cart request'],
  ['cart', 'pricing', 12, 0.001, 5],
  ['cart', 'inventory', 12, 0.002, 6],
  ['checkout', 'cart', 4, 0.002, 12],
  ['checkout', 'payment', 4.8, 0.2, 180, 'retries: 20 % of attempts fail and are retried'],
  ['checkout', 'shipping', 4, 0.003, 25],
  ['checkout', 'orders', 4, 0.002, 20],
  ['checkout', 'currency', 4, 0.001, 3],
  ['checkout', 'notifications', 4, 0.001, 10],
  ['checkout', 'inventory', 4, 0.002, 6],
  ['payment', 'api.stripe.com', 4.6, 0.02, 250, 'leaves the mesh'],
  ['payment', 'audit-log', 4.8, 0, 3],
  ['payment', 'postgres', 4.8, 0.0005, 4],
  ['shipping', 'postgres', 4, 0.0005, 4],
  ['shipping', 'kafka', 4, 0, 3],
  ['orders', 'postgres', 7, 0.0005, 5],
  ['orders', 'kafka', 7, 0, 3],
  ['search', 'search-index', 10, 0.004, 700, 'the slow edge'],
  ['search', 'ads', 10, 0.003, 15],
  ['recommendations', 'ml-scorer', 9, 0.35, 120, 'the failing dependency'],
  ['recommendations', 'feature-store', 9, 0.001, 8],
  ['recommendations', 'catalog', 9, 0.002, 15],
  ['ml-scorer', 'feature-store', 5.85, 0.001, 8],
  ['notifications', 'email', 4, 0.005, 40],
  ['notifications', 'kafka', 4, 0, 3],
  ['user-profile', 'postgres', 13, 0.0005, 4],
  ['user-profile', 'redis', 13, 0, 1],
  ['reviews', 'postgres', 6, 0.0005, 5],
  ['pricing', 'currency', 32, 0.001, 3],
  ['pricing', 'config-service', 1, 0, 2],
  ['inventory', 'config-service', 1, 0, 2],
  ['inventory', 'postgres', 36, 0.0005, 4],
  ['ads', 'feature-store', 10, 0.001, 8],
  ['rate-limiter', 'redis', 55, 0, 1],
];
const partialTls: Record<string, number> = { 'orders>kafka': 0.6 };

/** The demo mesh for a seed: the same services and edges, rates varied by ±20 %. */
export function meshModel(seed = 1): MeshModel {
  const services = Object.entries(ns).flatMap(([namespace, names]) => names.map((name) => ({ name, namespace })));
  const known = new Set(services.map((s) => s.name));
  const edges = rows.map(([src, dst, rps, failRatio, latencyMeanMs, note], i): MeshEdge => {
    const rand = mulberry32(mixSeed(seed, 7919, i));
    const kind: EdgeKind = !known.has(src) ? 'ingress' : !known.has(dst) ? 'egress' : 'mesh';
    return {
      src,
      dst,
      kind,
      // Two decimals, so the model's rates print exactly.
      rps: seed === 1 ? rps : Math.round(rps * (0.8 + 0.4 * rand()) * 100) / 100,
      failRatio,
      tlsRatio: kind === 'mesh' ? (partialTls[`${src}>${dst}`] ?? 1) : 0,
      latencyMeanMs,
      ...(note !== undefined ? { note } : {}),
    };
  });
  return { services, edges };
}

/** Histogram bounds each dialect uses by default (Linkerd proxy, Istio, OTel connector). */
export const linkerdLatencyBucketsMs = [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000, 50000];
export const istioDurationBucketsMs = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
export const otelServerBucketsSeconds = [0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5, 10, 15];

/** Share of an edge's requests at or below `ms` (exponential latency). */
export function latencyCdf(edge: MeshEdge, ms: number): number {
  return 1 - Math.exp(-ms / edge.latencyMeanMs);
}

/**
 * Model time of one member: starts at `startSec` (so counters are not near zero on the first
 * scrape) and moves by each `advance(dt)`; `integer` floors values, as a real proxy's counters
 * are whole numbers (dumps for tests keep the exact value).
 */
interface Clock {
  startSec: number;
  integer: boolean;
}

function tracked(clock: Clock, fill: (at: (ratePerSec: number) => number) => void): Member['advance'] {
  let t = clock.startSec;
  const at = (ratePerSec: number) => (clock.integer ? Math.floor(ratePerSec * t) : ratePerSec * t);
  fill(at);
  return (dt) => {
    t += dt;
    fill(at);
  };
}

/** A counter whose value at model time t is `t × ratePerSec`. */
function linear(labels: string, ratePerSec: number, clock: Clock): Member {
  const values = new Float64Array(1);
  return { labels, values, advance: tracked(clock, (at) => (values[0] = at(ratePerSec))) };
}

/** A histogram of `ratePerSec` observations with the share `cdf(b)` at or below each bound. */
function histogramOf(labels: string, ratePerSec: number, bounds: readonly number[], cdf: (b: number) => number, meanObs: number, clock: Clock): Member {
  const n = bounds.length;
  const values = new Float64Array(n + 3);
  const advance = tracked(clock, (at) => {
    bounds.forEach((b, i) => (values[i] = at(ratePerSec * cdf(b))));
    values[n] = at(ratePerSec);
    values[n + 1] = at(ratePerSec * meanObs);
    values[n + 2] = at(ratePerSec);
  });
  return { labels, values, advance };
}

export interface MeshFamiliesOptions {
  /** Model time of the first page, seconds (default 3600: an hour of traffic already counted). */
  startSec?: number;
  /** Whole-number counters as real proxies expose (default true). */
  integer?: boolean;
}

const q = (s: string) => JSON.stringify(s);
const labelText = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${k}=${q(v)}`).join(',');

/** The mesh's series in one dialect, as workload families (rendered by PageRenderer or dumps). */
export function meshFamilies(model: MeshModel, dialect: MeshDialect, opts: MeshFamiliesOptions = {}): Family[] {
  const clock: Clock = { startSec: opts.startSec ?? 3600, integer: opts.integer ?? true };
  const nsOf = new Map(model.services.map((s) => [s.name, s.namespace]));
  if (dialect === 'linkerd') return linkerdFamilies(model, nsOf, clock);
  if (dialect === 'istio') return istioFamilies(model, nsOf, clock);
  return otelFamilies(model, clock);
}

const podOf = (workload: string) => `${workload}-${(mixSeed(workload.length, workload.charCodeAt(0)) % 0xfffff).toString(16).padStart(5, '0')}-x7k2p`;

function linkerdFamilies(model: MeshModel, nsOf: Map<string, string>, clock: Clock): Family[] {
  const req: Member[] = [];
  const res: Member[] = [];
  const lat: Member[] = [];
  // Labels Prometheus adds from Kubernetes service discovery in Linkerd's scrape config.
  const podLabels = (w: string): Array<[string, string]> => [
    ['namespace', nsOf.get(w)!],
    ['pod', podOf(w)],
    ['deployment', w],
    ['control_plane_ns', 'linkerd'],
  ];
  const identity = (w: string) => `${w}.${nsOf.get(w)}.serviceaccount.identity.linkerd.cluster.local`;
  const emit = (base: Array<[string, string]>, e: MeshEdge, share: number) => {
    const rps = e.rps * share;
    const l = labelText(base);
    req.push(linear(l, rps, clock));
    res.push(linear(`${l},${labelText([['classification', 'success'], ['grpc_status', ''], ['status_code', '200']])}`, rps * (1 - e.failRatio), clock));
    if (e.failRatio > 0) res.push(linear(`${l},${labelText([['classification', 'failure'], ['grpc_status', ''], ['status_code', '503']])}`, rps * e.failRatio, clock));
    lat.push(histogramOf(`${l},status_code="200"`, rps, linkerdLatencyBucketsMs, (b) => latencyCdf(e, b), e.latencyMeanMs, clock));
  };
  for (const e of model.edges) {
    const tlsParts: Array<[number, Array<[string, string]>]> = [];
    if (e.tlsRatio > 0) tlsParts.push([e.tlsRatio, [['tls', 'true']]]);
    if (e.tlsRatio < 1) tlsParts.push([1 - e.tlsRatio, [['tls', 'no_identity'], ['no_tls_reason', e.kind === 'ingress' ? 'not_provided_by_remote' : 'not_provided_by_service_discovery']]]);
    if (e.kind === 'ingress') {
      // Unmeshed callers are only seen by the destination's inbound proxy, without a client_id.
      for (const [share, tls] of tlsParts) emit([['direction', 'inbound'], ...tls, ...podLabels(e.dst)], e, share);
      continue;
    }
    const dstNs = nsOf.get(e.dst);
    const authority = e.kind === 'egress' ? `${e.dst}:443` : `${e.dst}.${dstNs}.svc.cluster.local:8080`;
    for (const [share, tls] of tlsParts) {
      const dst: Array<[string, string]> =
        e.kind === 'egress'
          ? []
          : [
              ['dst_control_plane_ns', 'linkerd'],
              ['dst_deployment', e.dst],
              ['dst_namespace', dstNs!],
              ['dst_pod', podOf(e.dst)],
              ['dst_pod_template_hash', podOf(e.dst).split('-').at(-2)!],
              ['dst_service', e.dst],
              ['dst_serviceaccount', e.dst],
            ];
      const server = tls[0]![1] === 'true' ? ([['server_id', identity(e.dst)]] as Array<[string, string]>) : [];
      emit([['authority', authority], ['direction', 'outbound'], ...dst, ...tls, ...server, ...podLabels(e.src)], e, share);
      if (e.kind === 'mesh') {
        // The destination's inbound proxy sees the same calls (with the caller's identity).
        const client = tls[0]![1] === 'true' ? ([['client_id', identity(e.src)]] as Array<[string, string]>) : [];
        emit([['authority', authority], ['direction', 'inbound'], ...tls, ...client, ...podLabels(e.dst)], e, share);
      }
    }
  }
  return [
    { name: 'request', type: 'counter', help: 'Total count of HTTP requests.', members: req },
    { name: 'response', type: 'counter', help: 'Total count of HTTP responses.', members: res },
    { name: 'response_latency_ms', type: 'histogram', help: 'Elapsed times between a request\'s headers being received and its response stream completing', buckets: linkerdLatencyBucketsMs, members: lat },
  ];
}

function istioFamilies(model: MeshModel, nsOf: Map<string, string>, clock: Clock): Family[] {
  const req: Member[] = [];
  const dur: Member[] = [];
  const unknown = 'unknown';
  const workloadLabels = (side: 'source' | 'destination', w: string | null): Array<[string, string]> => {
    const n = w === null ? unknown : nsOf.get(w)!;
    const name = w ?? unknown;
    return [
      [`${side}_workload`, name],
      [`${side}_workload_namespace`, n],
      [`${side}_principal`, w === null ? unknown : `spiffe://cluster.local/ns/${n}/sa/${name}`],
      [`${side}_app`, name],
      [`${side}_version`, w === null ? unknown : 'v1'],
      [`${side}_cluster`, w === null ? unknown : 'Kubernetes'],
      [`${side}_canonical_service`, name],
      [`${side}_canonical_revision`, w === null ? 'latest' : 'v1'],
    ];
  };
  for (const e of model.edges) {
    const src = e.kind === 'ingress' ? null : e.src;
    const dst = e.kind === 'egress' ? null : e.dst;
    const dstNs = dst === null ? unknown : nsOf.get(dst)!;
    const service = dst === null ? e.dst : `${dst}.${dstNs}.svc.cluster.local`;
    // In-mesh calls are reported by both proxies; calls leaving the mesh only by the source's,
    // calls from outside only by the destination's.
    const reporters: Array<'source' | 'destination'> = e.kind === 'ingress' ? ['destination'] : e.kind === 'egress' ? ['source'] : ['source', 'destination'];
    for (const reporter of reporters) {
      const tlsParts: Array<[number, string]> =
        reporter === 'source' ? [[1, unknown]] : [...(e.tlsRatio > 0 ? ([[e.tlsRatio, 'mutual_tls']] as Array<[number, string]>) : []), ...(e.tlsRatio < 1 ? ([[1 - e.tlsRatio, 'none']] as Array<[number, string]>) : [])];
      for (const [share, policy] of tlsParts) {
        for (const [code, ratio] of [['200', 1 - e.failRatio], ['503', e.failRatio]] as const) {
          if (ratio === 0) continue;
          const l = labelText([
            ['reporter', reporter],
            ...workloadLabels('source', src),
            ...workloadLabels('destination', dst),
            ['destination_service', service],
            ['destination_service_name', dst === null ? e.dst : dst],
            ['destination_service_namespace', dstNs],
            ['request_protocol', 'http'],
            ['response_code', code],
            ['grpc_response_status', ''],
            ['response_flags', code === '503' ? 'URX' : '-'],
            ['connection_security_policy', policy],
          ]);
          const rps = e.rps * share * ratio;
          req.push(linear(l, rps, clock));
          dur.push(histogramOf(l, rps, istioDurationBucketsMs, (b) => latencyCdf(e, b), e.latencyMeanMs, clock));
        }
      }
    }
  }
  return [
    { name: 'istio_requests', type: 'counter', help: 'Total requests.', members: req },
    { name: 'istio_request_duration_milliseconds', type: 'histogram', help: 'Request duration.', buckets: istioDurationBucketsMs, members: dur },
  ];
}

const databases = new Set(['postgres', 'redis', 'feature-store', 'object-store']);

function otelFamilies(model: MeshModel, clock: Clock): Family[] {
  const total: Member[] = [];
  const failed: Member[] = [];
  const server: Member[] = [];
  const client: Member[] = [];
  for (const e of model.edges) {
    // The connector names a caller without a parent span "user", and an uninstrumented
    // server after the client span's peer attributes; both are virtual nodes.
    const connection = e.kind !== 'mesh' ? 'virtual_node' : databases.has(e.dst) ? 'database' : e.dst === 'kafka' ? 'messaging_system' : '';
    const l = labelText([['client', e.kind === 'ingress' ? 'user' : e.src], ['server', e.dst], ['connection_type', connection]]);
    total.push(linear(l, e.rps, clock));
    failed.push(linear(l, e.rps * e.failRatio, clock));
    const cdf = (b: number) => latencyCdf(e, b * 1000);
    server.push(histogramOf(l, e.rps, otelServerBucketsSeconds, cdf, e.latencyMeanMs / 1000, clock));
    // The client sees the server's time plus the network: modelled as the same distribution.
    client.push(histogramOf(l, e.rps, otelServerBucketsSeconds, cdf, e.latencyMeanMs / 1000, clock));
  }
  return [
    { name: 'traces_service_graph_request', type: 'counter', help: 'Total count of requests between two nodes', members: total },
    { name: 'traces_service_graph_request_failed', type: 'counter', help: 'Total count of failed requests between two nodes', members: failed },
    { name: 'traces_service_graph_request_server_seconds', type: 'histogram', help: 'Time for a request between two nodes as seen from the server', buckets: otelServerBucketsSeconds, members: server },
    { name: 'traces_service_graph_request_client_seconds', type: 'histogram', help: 'Time for a request between two nodes as seen from the client', buckets: otelServerBucketsSeconds, members: client },
  ];
}

/**
 * A large synthetic mesh for benchmarks (W-mesh: 200 services, 1,000 edges): services in five
 * tiers across eight namespaces, calls mostly to deeper tiers with a few going back up, every
 * pair at most once. Deterministic for a seed.
 */
export function syntheticMesh(opts: { services: number; edges: number; seed: number }): MeshModel {
  const rand = mulberry32(mixSeed(opts.seed, 4242));
  const tiers = 5;
  const services: MeshService[] = Array.from({ length: opts.services }, (_, i) => ({ name: `svc-${String(i).padStart(3, '0')}`, namespace: `ns-${i % 8}` }));
  const tierOf = (i: number) => Math.floor((i * tiers) / opts.services);
  const seen = new Set<string>();
  const edges: MeshEdge[] = [];
  const max = (opts.services * (opts.services - 1)) / 2;
  while (edges.length < Math.min(opts.edges, max)) {
    const a = Math.floor(rand() * opts.services);
    const b = Math.floor(rand() * opts.services);
    const down = tierOf(b) > tierOf(a) || (tierOf(b) === tierOf(a) && rand() < 0.1) || rand() < 0.05;
    if (a === b || !down || seen.has(`${a}>${b}`)) continue;
    seen.add(`${a}>${b}`);
    edges.push({
      src: services[a]!.name,
      dst: services[b]!.name,
      kind: 'mesh',
      rps: Math.round((0.1 + 50 * rand() ** 3) * 100) / 100,
      failRatio: rand() < 0.05 ? 0.15 : Math.round(rand() * 10) / 1000,
      tlsRatio: 1,
      latencyMeanMs: Math.round(2 + 100 * rand() ** 2),
    });
  }
  return { services, edges };
}
