/**
 * The W-fleet series mix of docs/benchmarks.md, per target: 3 process_* series, ~25 % HTTP request
 * counters, ~25 % classic request-duration histograms, ~30 % Linkerd-style mesh series, the rest
 * gauges. Every member owns its PRNG stream (seeded by seed, target and index), so values are
 * deterministic whatever order members are advanced in.
 */
import { mixSeed, mulberry32 } from './prng.js';

type FamilyType = 'counter' | 'gauge' | 'histogram';

/** One series, or one histogram (its buckets, `_sum` and `_count` move together). */
export interface Member {
  /** Label block as written, without braces, e.g. `method="GET",code="200"`. */
  readonly labels: string;
  /** counter/gauge: [value]; histogram: [bucket_0 … bucket_n(+Inf), sum, count]. */
  readonly values: Float64Array;
  advance(dtSeconds: number): void;
}

export interface Family {
  /** Base name: for counters without `_total`, for histograms without suffixes. */
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string;
  /** Histogram upper bounds without +Inf. */
  readonly buckets?: readonly number[];
  readonly members: Member[];
}

const methods = ['GET', 'POST', 'PUT', 'DELETE'];
const codes = ['200', '201', '304', '400', '404', '500', '503'];
const httpBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const meshBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

function counter(labels: string, rand: () => number, ratePerSec: number, integer: boolean, start: number): Member {
  const values = new Float64Array([start]);
  return {
    labels,
    values,
    advance(dt) {
      const inc = ratePerSec * dt * (0.5 + rand());
      values[0] = values[0]! + (integer ? Math.round(inc) : Math.round(inc * 100) / 100);
    },
  };
}

function walk(labels: string, rand: () => number, min: number, max: number, step: number, decimals: number, quantum = 1): Member {
  const scale = 10 ** decimals;
  const round = (x: number) => (decimals > 0 ? Math.round(x * scale) / scale : Math.round(x / quantum) * quantum);
  const values = new Float64Array([round(min + (max - min) * rand())]);
  return {
    labels,
    values,
    advance() {
      let next = values[0]! + (rand() * 2 - 1) * step;
      if (next < min) next = min + (min - next);
      if (next > max) next = max - (next - max);
      values[0] = round(Math.min(max, Math.max(min, next)));
    },
  };
}

function histogram(labels: string, rand: () => number, bounds: readonly number[], ratePerSec: number, meanObs: number): Member {
  const n = bounds.length + 1;
  const values = new Float64Array(n + 2);
  // Fraction of observations at or below each bound: a skewed latency distribution.
  const cdf = bounds.map((b) => 1 - Math.exp(-b / meanObs));
  return {
    labels,
    values,
    advance(dt) {
      const count = Math.round(ratePerSec * dt * (0.5 + rand()));
      let below = 0;
      for (let i = 0; i < bounds.length; i++) {
        const target = Math.min(count, Math.max(below, Math.round(count * cdf[i]! * (0.95 + 0.1 * rand()))));
        values[i] = values[i]! + target;
        below = target;
      }
      values[n - 1] = values[n - 1]! + count; // +Inf
      values[n] = values[n]! + count * meanObs * (0.8 + 0.4 * rand()); // _sum: a real float
      values[n + 1] = values[n + 1]! + count; // _count
    },
  };
}

export interface TargetOptions {
  seed: number;
  target: number;
  series: number;
  /** Label text prepended to every member, e.g. `job="fleet",instance="host-1:9100"` (dumps). */
  extraLabels?: string;
}

/** Builds one target's families; the number of series is `series` up to rounding (±1 %). */
export function buildTarget(opts: TargetOptions): Family[] {
  const { seed, target, series } = opts;
  const pre = opts.extraLabels ? opts.extraLabels + ',' : '';
  let k = 0;
  const rng = () => mulberry32(mixSeed(seed, target, k++));
  const families: Family[] = [];

  families.push(
    { name: 'process_cpu_seconds', type: 'counter', help: 'Total user and system CPU time spent in seconds.', members: [counter(pre.slice(0, -1), rng(), 0.05, false, 0)] },
    { name: 'process_resident_memory_bytes', type: 'gauge', help: 'Resident memory size in bytes.', members: [walk(pre.slice(0, -1), rng(), 5e7, 5e8, 1e6, 0, 4096)] },
    { name: 'process_start_time_seconds', type: 'gauge', help: 'Start time of the process since unix epoch in seconds.', members: [walk(pre.slice(0, -1), rng(), 1.7e9, 1.7e9, 0, 0)] },
  );

  const counters = Math.round(series * 0.25);
  const req: Member[] = [];
  for (let i = 0; i < counters; i++) {
    const handler = `/api/v1/resource${Math.floor(i / (methods.length * codes.length))}`;
    const method = methods[i % methods.length]!;
    const code = codes[Math.floor(i / methods.length) % codes.length]!;
    const ok = code.startsWith('2') || code === '304';
    req.push(counter(`${pre}method="${method}",code="${code}",handler="${handler}"`, rng(), ok ? 20 : 0.5, true, 0));
  }
  families.push({ name: 'http_requests', type: 'counter', help: 'Total HTTP requests by method, code and handler.', members: req });

  const perHist = httpBuckets.length + 1 + 2;
  const hists = Math.max(1, Math.round((series * 0.25) / perHist));
  const dur: Member[] = [];
  for (let i = 0; i < hists; i++) dur.push(histogram(`${pre}handler="/api/v1/resource${i}"`, rng(), httpBuckets, 20, 0.08));
  families.push({ name: 'http_request_duration_seconds', type: 'histogram', help: 'HTTP request latency.', buckets: httpBuckets, members: dur });

  const perEdge = 1 + 2 + meshBuckets.length + 1 + 2;
  const edges = Math.max(1, Math.round((series * 0.3) / perEdge));
  const reqT: Member[] = [];
  const resT: Member[] = [];
  const lat: Member[] = [];
  for (let i = 0; i < edges; i++) {
    const edge = `${pre}deployment="svc-${i % 37}",dst_deployment="svc-${(i * 7 + 3) % 41}",direction="outbound",tls="true"`;
    reqT.push(counter(edge, rng(), 30, true, 0));
    resT.push(counter(`${edge},classification="success",status_code="200"`, rng(), 29, true, 0));
    resT.push(counter(`${edge},classification="failure",status_code="500"`, rng(), 0.3, true, 0));
    lat.push(histogram(edge, rng(), meshBuckets, 30, 40));
  }
  families.push(
    { name: 'request', type: 'counter', help: 'Total requests sent by the proxy.', members: reqT },
    { name: 'response', type: 'counter', help: 'Total responses received by the proxy.', members: resT },
    { name: 'response_latency_ms', type: 'histogram', help: 'Response latency in milliseconds.', buckets: meshBuckets, members: lat },
  );

  const used = families.reduce((n, f) => n + f.members.length * (f.type === 'histogram' ? (f.buckets!.length + 3) : 1), 0);
  const gauges = Math.max(3, series - used);
  const fs: Member[] = [];
  const queue: Member[] = [];
  const ratio: Member[] = [];
  for (let i = 0; i < gauges; i++) {
    const which = i % 3;
    if (which === 0) fs.push(walk(`${pre}device="/dev/vd${i}",mountpoint="/data${i}"`, rng(), 1e9, 5e11, 5e7, 0, 4096));
    else if (which === 1) queue.push(walk(`${pre}queue="q${i}"`, rng(), 0, 1000, 40, 0));
    else ratio.push(walk(`${pre}cache="c${i}"`, rng(), 0.5, 1, 0.01, 4));
  }
  families.push(
    { name: 'node_filesystem_avail_bytes', type: 'gauge', help: 'Filesystem space available to non-root users in bytes.', members: fs },
    { name: 'queue_depth', type: 'gauge', help: 'Items waiting in the queue.', members: queue },
    { name: 'cache_hit_ratio', type: 'gauge', help: 'Fraction of cache lookups that hit.', members: ratio },
  );
  return families;
}

export function countSeries(families: readonly Family[]): number {
  return families.reduce((n, f) => n + f.members.length * (f.type === 'histogram' ? f.buckets!.length + 3 : 1), 0);
}
