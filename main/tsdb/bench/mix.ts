/**
 * A W-fleet (docs/benchmarks.md)/W-offline-like series mix for storage benchmarks (main/tsdb may not import
 * main/workload): per target ~25 % request counters, ~25 % histogram series (integer buckets and
 * `_count`, float `_sum`), ~30 % mesh counters, the rest gauges — large integers, small integers
 * and 4-decimal ratios — with deterministic values for a seed.
 */
import type { Labels } from '../labels.js';
import { normalizeLabels } from '../labels.js';

type Shape = 'counter' | 'bucket' | 'sum' | 'bytes' | 'queue' | 'ratio';

export interface Mix {
  readonly labels: Labels[];
  /** Current value per series; `advance` moves every series one step of `dtSeconds`. */
  readonly values: Float64Array;
  advance(dtSeconds: number): void;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildMix(targets: number, perTarget: number, seed = 1): Mix {
  const labels: Labels[] = [];
  const shapes: Shape[] = [];
  const add = (shape: Shape, pairs: Record<string, string>): void => {
    labels.push(normalizeLabels(Object.entries(pairs).map(([name, value]) => ({ name, value }))));
    shapes.push(shape);
  };
  for (let tg = 0; tg < targets; tg++) {
    const base = { job: 'fleet', instance: `host-${tg}:9100` };
    for (let i = 0; i < perTarget; i++) {
      const f = i / perTarget;
      if (f < 0.25) {
        add('counter', { ...base, __name__: 'http_requests_total', handler: `/api/v1/resource${i >> 5}`, method: ['GET', 'POST', 'PUT', 'DELETE'][i & 3]!, code: ['200', '201', '304', '400', '404', '500', '503', '502'][(i >> 2) & 7]! });
      } else if (f < 0.5) {
        const k = i % 14;
        const handler = `/api/v1/resource${Math.floor(i / 14)}`;
        if (k < 12) add('bucket', { ...base, __name__: 'http_request_duration_seconds_bucket', handler, le: String([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10][k] ?? '+Inf') });
        else if (k === 12) add('sum', { ...base, __name__: 'http_request_duration_seconds_sum', handler });
        else add('counter', { ...base, __name__: 'http_request_duration_seconds_count', handler });
      } else if (f < 0.8) {
        add('counter', { ...base, __name__: 'response_total', deployment: `svc-${i % 37}`, dst_deployment: `svc-${(i * 7 + 3) % 41}`, direction: 'outbound', tls: 'true', classification: i & 1 ? 'success' : 'failure', status_code: String(i) });
      } else {
        const which = i % 3;
        if (which === 0) add('bytes', { ...base, __name__: 'node_filesystem_avail_bytes', mountpoint: `/data${i}` });
        else if (which === 1) add('queue', { ...base, __name__: 'queue_depth', queue: `q${i}` });
        else add('ratio', { ...base, __name__: 'cache_hit_ratio', cache: `c${i}` });
      }
    }
  }
  const n = labels.length;
  const values = new Float64Array(n);
  const rand = rng(seed);
  for (let i = 0; i < n; i++) {
    const s = shapes[i]!;
    values[i] = s === 'bytes' ? Math.round((1e9 + rand() * 4e11) / 4096) * 4096 : s === 'queue' ? Math.round(rand() * 1000) : s === 'ratio' ? Math.round((0.5 + rand() / 2) * 1e4) / 1e4 : 0;
  }
  return {
    labels,
    values,
    advance(dt) {
      for (let i = 0; i < n; i++) {
        const s = shapes[i]!;
        const x = values[i]!;
        const r = rand();
        switch (s) {
          case 'counter':
          case 'bucket':
            values[i] = x + Math.round(r * 20 * dt);
            break;
          case 'sum':
            values[i] = x + r * 2 * dt;
            break;
          case 'bytes':
            values[i] = Math.min(5e11, Math.max(1e9, x + Math.round(((r * 2 - 1) * 5e7) / 4096) * 4096));
            break;
          case 'queue':
            values[i] = Math.min(1000, Math.max(0, x + Math.round((r * 2 - 1) * 40)));
            break;
          case 'ratio':
            values[i] = Math.min(1, Math.max(0.5, Math.round((x + (r * 2 - 1) * 0.01) * 1e4) / 1e4));
            break;
        }
      }
    },
  };
}
