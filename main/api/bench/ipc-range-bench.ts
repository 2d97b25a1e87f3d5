/**
 * The page's side of a range answer in the desktop app: what its main thread does with one IPC
 * reply of 100 series × 10k points. Electron copies the reply by structured clone (through the
 * context bridge); `structuredClone` in the same V8 stands in for that copy, since the Electron
 * binary cannot run on this machine. Compared: the contract's wire answer (clone, schema check,
 * conversion to columns) and the packed answer the main process sends (clone of typed arrays,
 * per-array check). Prints one JSON line; `build/bench/ui.js` reports it.
 *   node dist/main/api/bench/ipc-range-bench.js [--series 100] [--points 10000]
 */
import type { RangeQueryResponse } from '../../../app/api/query.js';
import { checkPackedRange, packRange } from '../../../app/api/range-packed.js';
import { parseResponse } from '../../../app/api/validate.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

const seriesCount = arg('series', 100);
const points = arg('points', 10_000);
const rounds = 7;
const timestamps = Array.from({ length: points }, (_, i) => 1.7e12 + i * 15_000);
const wire: RangeQueryResponse = {
  result: {
    resultType: 'matrix',
    timestamps,
    series: Array.from({ length: seriesCount }, (_, s) => ({
      labels: { __name__: 'render_series', idx: String(s) },
      values: timestamps.map((_, i) => Math.round(Math.sin(i / 50 + s) * 1e4) / 100),
    })),
  },
  warnings: [],
  infos: [],
  stats: { seriesTouched: seriesCount, samplesTouched: seriesCount * points, peakSamples: seriesCount * points, totalMs: 1, nodes: [] },
};
const packed = packRange(wire);
const wireMs: number[] = [];
const packedMs: number[] = [];
const packMs: number[] = [];
for (let r = 0; r < rounds; r++) {
  wireMs.push(time(() => packRange(parseResponse('queryRange', structuredClone(wire), 'bench'))));
  packedMs.push(time(() => checkPackedRange(structuredClone(packed), 'bench')));
  packMs.push(time(() => packRange(wire)));
}
console.log(JSON.stringify({ series: seriesCount, points, pageWireMs: median(wireMs), pagePackedMs: median(packedMs), mainPackMs: median(packMs) }));
