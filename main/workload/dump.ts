/**
 * W-offline (docs/benchmarks.md): `targets × series` series with `samples` points each at `stepMs`, streamed to a file
 * as OpenMetrics (timestamps in seconds, `# EOF`; what `promtool tsdb create-blocks-from
 * openmetrics` takes) or Prometheus text with millisecond timestamps (VictoriaMetrics'
 * `/api/v1/import/prometheus`). Families appear once; inside a family each series (or each
 * histogram's bucket group per timestamp) is written in time order.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { buildTarget, countSeries, type Family } from './fleet.js';
import { familyHeader, memberPrefixes, type Format } from './exposition.js';

export interface DumpOptions {
  out: string;
  format: Format;
  seed: number;
  /** Series per target; targets = ceil(totalSeries / perTarget). */
  totalSeries: number;
  perTarget?: number;
  samples: number;
  stepMs: number;
  startMs: number;
  onProgress?: (done: number, total: number) => void;
}

export interface DumpSummary {
  series: number;
  samples: number;
  bytes: number;
  startMs: number;
  endMs: number;
}

export function dumpWorkload(opts: DumpOptions): DumpSummary {
  const perTarget = opts.perTarget ?? 2000;
  const targets = Math.max(1, Math.ceil(opts.totalSeries / perTarget));
  const fleets: Family[][] = [];
  for (let t = 0; t < targets; t++) {
    const n = Math.min(perTarget, opts.totalSeries - t * perTarget);
    fleets.push(buildTarget({ seed: opts.seed, target: t, series: n, extraLabels: `job="fleet",instance="host-${t}:9100"` }));
  }
  return dumpFamilies(opts, fleets);
}

/**
 * Writes targets' families (each target the same families, as W-fleet and W-mesh build them)
 * with `samples` points each at `stepMs` from `startMs`.
 */
export function dumpFamilies(opts: Pick<DumpOptions, 'out' | 'format' | 'samples' | 'stepMs' | 'startMs' | 'onProgress'>, fleets: Family[][]): DumpSummary {
  const series = fleets.reduce((n, f) => n + countSeries(f), 0);
  const fd = openSync(opts.out, 'w');
  let buffer = '';
  let bytes = 0;
  const flush = (force: boolean) => {
    if (buffer.length > (force ? 0 : 1 << 20)) {
      bytes += writeSync(fd, buffer);
      buffer = '';
    }
  };
  const stepSec = opts.stepMs / 1000;
  const ts = (i: number) => {
    const ms = opts.startMs + i * opts.stepMs;
    return opts.format === 'openmetrics' ? String(ms / 1000) : String(ms);
  };
  const stamps = Array.from({ length: opts.samples }, (_, i) => ts(i));
  let done = 0;
  try {
    const familyCount = fleets[0]!.length;
    for (let fi = 0; fi < familyCount; fi++) {
      buffer += familyHeader(fleets[0]![fi]!, opts.format);
      for (const fleet of fleets) {
        const family = fleet[fi]!;
        for (const member of family.members) {
          const prefixes = memberPrefixes(family, member.labels);
          for (let s = 0; s < opts.samples; s++) {
            if (s > 0) member.advance(stepSec);
            const stamp = stamps[s]!;
            for (let k = 0; k < prefixes.length; k++) buffer += prefixes[k]! + member.values[k]! + ' ' + stamp + '\n';
            flush(false);
          }
          done += prefixes.length;
          opts.onProgress?.(done, series);
        }
      }
    }
    if (opts.format === 'openmetrics') buffer += '# EOF\n';
    flush(true);
  } finally {
    closeSync(fd);
  }
  return { series, samples: series * opts.samples, bytes, startMs: opts.startMs, endMs: opts.startMs + (opts.samples - 1) * opts.stepMs };
}
