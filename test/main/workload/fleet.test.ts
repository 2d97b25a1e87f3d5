import { describe, expect, it } from 'vitest';
import { buildTarget, countSeries } from '../../../main/workload/fleet.js';
import { PageRenderer } from '../../../main/workload/exposition.js';

function advanceAll(seed: number, steps: number) {
  const families = buildTarget({ seed, target: 3, series: 2000 });
  for (let s = 0; s < steps; s++) for (const f of families) for (const m of f.members) m.advance(5);
  return families;
}

describe('W-fleet generator', () => {
  it('has the W-fleet mix and size of docs/benchmarks.md', () => {
    const families = buildTarget({ seed: 1, target: 0, series: 2000 });
    const n = countSeries(families);
    expect(Math.abs(n - 2000)).toBeLessThanOrEqual(20);
    const byName = Object.fromEntries(families.map((f) => [f.name, f]));
    const seriesOf = (name: string) => {
      const f = byName[name]!;
      return f.members.length * (f.type === 'histogram' ? f.buckets!.length + 3 : 1);
    };
    expect(seriesOf('http_requests') / n).toBeCloseTo(0.25, 1);
    expect(seriesOf('http_request_duration_seconds') / n).toBeCloseTo(0.25, 1);
    expect((seriesOf('request') + seriesOf('response') + seriesOf('response_latency_ms')) / n).toBeCloseTo(0.3, 1);
    expect(byName['http_request_duration_seconds']!.buckets).toHaveLength(11); // + the +Inf bucket = 12 `le` buckets
    expect(byName['response_latency_ms']!.buckets).toHaveLength(12); // + +Inf = 13
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = new PageRenderer(advanceAll(7, 10)).render();
    const b = new PageRenderer(advanceAll(7, 10)).render();
    const c = new PageRenderer(advanceAll(8, 10)).render();
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('keeps histograms consistent: cumulative buckets, +Inf == _count, counters monotone', () => {
    const families = buildTarget({ seed: 3, target: 1, series: 2000 });
    const before = families.map((f) => f.members.map((m) => Float64Array.from(m.values)));
    for (let s = 0; s < 50; s++) for (const f of families) for (const m of f.members) m.advance(15);
    families.forEach((f, fi) => {
      f.members.forEach((m, mi) => {
        if (f.type === 'histogram') {
          const nb = f.buckets!.length + 1;
          for (let i = 1; i < nb; i++) expect(m.values[i]!).toBeGreaterThanOrEqual(m.values[i - 1]!);
          expect(m.values[nb - 1]).toBe(m.values[nb + 1]);
        }
        if (f.type !== 'gauge') {
          m.values.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(before[fi]![mi]![i]!));
        }
      });
    });
    const ratio = families.find((f) => f.name === 'cache_hit_ratio')!;
    for (const m of ratio.members) {
      const v = m.values[0]!;
      expect(v).toBeGreaterThanOrEqual(0.5);
      expect(v).toBeLessThanOrEqual(1);
      expect(Math.round(v * 1e4) / 1e4).toBe(v);
    }
  });
});
