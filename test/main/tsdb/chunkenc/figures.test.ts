/**
 * Prints bytes/sample per W-offline value shape (docs/benchmarks.md) for XOR, Decimal and the codec
 * encodeChunk picks, plus encode/decode throughput. 15 s step, 240 samples per chunk. Times are
 * printed, never asserted; the only assertions are on sizes.
 */
import { describe, expect, it } from 'vitest';
import { Encoding, decodeChunk, encodeChunk, encodeWith } from '../../../../main/tsdb/chunkenc/chunk.js';
import { buildTarget } from '../../../../main/workload/fleet.js';

/** CPU milliseconds of this process: steadier than wall time on a shared, loaded machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const STEPS = 720; // 3 h at 15 s, as W-offline
const CHUNK = 240;
const SERIES = 1000; // one target of the W-fleet mix: ~10 % of W-offline

/** Prometheus' XOR bytes/sample per shape from docs/benchmarks.md, for the printed comparison. */
const prometheus: Record<string, string> = {
  counter: '1.7–2.5',
  bucket: '1.7–2.5',
  _count: '1.7–2.5',
  _sum: '7.0',
  node_filesystem_avail_bytes: '5.3',
  cache_hit_ratio: '6.8',
};

function collect(): Map<string, Float64Array[]> {
  const families = buildTarget({ seed: 42, target: 0, series: SERIES });
  const rows: { shape: string; get: () => number; out: Float64Array }[] = [];
  for (const f of families) {
    for (const m of f.members) {
      const n = m.values.length;
      for (let k = 0; k < n; k++) {
        let shape: string = f.type === 'counter' ? 'counter' : f.name;
        if (f.type === 'histogram') shape = k < n - 2 ? 'bucket' : k === n - 2 ? '_sum' : '_count';
        if (f.name.startsWith('process_')) shape = 'process_*';
        rows.push({ shape, get: () => m.values[k]!, out: new Float64Array(STEPS) });
      }
    }
  }
  for (let s = 0; s < STEPS; s++) {
    for (const r of rows) r.out[s] = r.get();
    for (const f of families) for (const m of f.members) m.advance(15);
  }
  const byShape = new Map<string, Float64Array[]>();
  for (const r of rows) byShape.set(r.shape, [...(byShape.get(r.shape) ?? []), r.out]);
  return byShape;
}

describe('chunk codec figures (W-offline shapes)', () => {
  it('prints bytes/sample per shape and throughput', () => {
    const t = Float64Array.from({ length: STEPS }, (_, i) => 1_764_000_000_000 + i * 15_000);
    const shapes = collect();
    const lines: string[] = [];
    let allSamples = 0;
    let allBytes = 0;
    const chosen: { encoding: number; bytes: Uint8Array }[] = [];
    let encodeMs = 0;
    lines.push('shape                        series  XOR B/s  Decimal B/s  chosen B/s  Decimal share  Prometheus');
    for (const [shape, list] of shapes) {
      let samples = 0;
      let xor = 0;
      let dec = 0;
      let decSamples = 0;
      let best = 0;
      let decChosen = 0;
      for (const v of list) {
        for (let c = 0; c < STEPS; c += CHUNK) {
          xor += encodeWith(Encoding.XOR, t, v, c, c + CHUNK)!.length;
          const d = encodeWith(Encoding.Decimal, t, v, c, c + CHUNK);
          if (d !== null) {
            dec += d.length;
            decSamples += CHUNK;
          }
          const t0 = cpuMs();
          const e = encodeChunk(t, v, c, c + CHUNK);
          encodeMs += cpuMs() - t0;
          best += e.bytes.length;
          if (e.encoding === Encoding.Decimal) decChosen++;
          chosen.push(e);
          samples += CHUNK;
        }
      }
      expect(best).toBeLessThanOrEqual(xor);
      allSamples += samples;
      allBytes += best;
      const f = (x: number) => x.toFixed(2).padStart(7);
      lines.push(
        `${shape.padEnd(28)} ${String(list.length).padStart(6)}  ${f(xor / samples)}  ${decSamples ? f(dec / decSamples) + '     ' : '   declined '}  ${f(best / samples)}     ${((100 * decChosen * CHUNK) / samples).toFixed(0).padStart(5)} %      ${prometheus[shape] ?? '—'}`,
      );
    }
    const perSample = allBytes / allSamples;
    // The chunk length is the storage's choice: show what it does to the whole mix.
    for (const size of [120, 720]) {
      let bytes = 0;
      for (const list of shapes.values()) for (const v of list) for (let c = 0; c < STEPS; c += size) bytes += encodeChunk(t, v, c, c + size).bytes.length;
      lines.push(`all shapes at ${size} samples per chunk: ${(bytes / allSamples).toFixed(3)} B/sample`);
    }
    lines.push(`all shapes (W-fleet mix): ${perSample.toFixed(3)} B/sample in chunk bytes (Prometheus 2.60 chunks-only, 2.87 all-in; VictoriaMetrics 1.23 / 1.67)`);

    // Decode throughput: best of three passes (the first one includes the JIT's warm-up).
    const rate = (list: readonly { encoding: number; bytes: Uint8Array }[]) => {
      let ms = Infinity;
      let n = 0;
      for (let pass = 0; pass < 3; pass++) {
        n = 0;
        const t0 = cpuMs();
        for (const c of list) n += decodeChunk(c.encoding, c.bytes).t.length;
        ms = Math.min(ms, cpuMs() - t0);
      }
      return { n, ms, perSec: (n / ms) * 1e3 };
    };
    const all = rate(chosen);
    const decoded = all.n;
    const decodeMs = all.ms;
    const m = (x: number) => `${(x / 1e6).toFixed(1)} M samples/s`;
    const perCodec = (enc: number) => {
      const r = rate(chosen.filter((c) => c.encoding === enc));
      return `${m(r.perSec)} (${r.n} samples)`;
    };
    lines.push(`encodeChunk (first pass, JIT warm-up included): ${m((allSamples / encodeMs) * 1e3)}`);
    lines.push(`decodeChunk, chosen mix: ${m(all.perSec)}; XOR ${perCodec(Encoding.XOR)}; Decimal ${perCodec(Encoding.Decimal)}`);
    lines.push(`7.2 M samples (W-offline) would decode in ~${((7.2e6 / decoded) * decodeMs).toFixed(0)} ms of CPU on this machine`);
    console.log('\n' + lines.join('\n'));
    expect(decoded).toBe(allSamples);
    expect(perSample).toBeLessThan(2.6);
  });
});
