/**
 * Issue #18's table (build/bench/summary-table.js) from bench figure files: ratios and verdicts
 * follow the targets, and a figure no bench wrote is "not measured" — never a guess.
 */
import { describe, it, expect } from 'vitest';
import { readFigures, writeFigures } from '../../build/bench/figures.js';
import { formatSummary, summaryRows, type BenchFile } from '../../build/bench/summary-table.js';
import { tempDir } from '../main/helpers.js';

const file = (bench: string, figures: Record<string, unknown>): BenchFile => ({ bench, at: '2026-12-03T12:00:00.000Z', load: [1, 1, 1], figures });
const q = (ms: number): Record<string, { ms: number }> => Object.fromEntries(['Q1', 'Q2', 'Q3', 'Q4', 'Q5'].map((id, i) => [id, { ms: ms + i }]));

describe('bench summary table', () => {
  it('judges each figure by its target from the figures the benches wrote', () => {
    const benches = {
      tsdb: file('tsdb', { workload: 'W-offline 10 series × 2 samples', vigil: { importRate: 900_000, bytesAll: 1.0, queries: q(10) }, victoriaMetrics: { importRate: 1_000_000, bytesAll: 1.5, queries: q(20) } }),
      scrape: file('scrape', { vigil: { rssPerSeries: 3000, cpuPerMTogether: 1.2 }, prometheus: { cpuPerMTogether: 2 }, victoriaMetrics: { rssPerSeries: 2000 } }),
      'wide-query': file('wide-query', { afterSeconds: 60, vigil: { steady: 100, after: 110, later: 130 }, prometheus: { steady: 100, after: 105, later: 101 } }),
      ui: file('ui', { completionP95Ms: 49.9, longestTaskMs: 50 }),
      probe: file('probe', { best: { vigil: { probesPerSecond: 300, cpuMsPerProbe: 2 }, blackbox: { probesPerSecond: 300, cpuMsPerProbe: 1.6 } } }),
    };
    const rows = summaryRows(benches);
    const by = (figure: string) => rows.find((r) => r.figure.startsWith(figure))!;
    expect(by('Q1').ratio).toBe(0.5);
    expect(by('Q1').verdict).toBe('met');
    expect(by('import').verdict).toBe('missed');
    expect(by('on-disk').ratio).toBeCloseTo(0.667, 3);
    expect(by('on-disk').verdict).toBe('met');
    expect(by('resident bytes').verdict).toBe('missed');
    expect(by('CPU-s per 1 M').ratio).toBe(0.6);
    expect(by('CPU-s per 1 M').verdict).toBe('met'); // ≤ 0.6× is met at exactly 0.6×
    expect(by('RSS right after').vigil).toBeCloseTo(10, 9);
    expect(by('RSS right after').peer).toBeCloseTo(5, 9);
    expect(by('RSS right after').verdict).toBe('met');
    expect(by('the same, 60 s later').verdict).toBe('missed');
    expect(by('HTTPS probes').verdict).toBe('met'); // ≥ 1×
    expect(by('CPU per HTTPS probe').verdict).toBe('missed');
    expect(by('completion').verdict).toBe('met');
    expect(by('longest').verdict).toBe('missed'); // < 50 ms is strict
    const text = formatSummary(rows, benches);
    expect(text).toMatch(/10 met, 5 missed, 0 not measured of 15 figures/);
    expect(text).toMatch(/tsdb: W-offline 10 series × 2 samples; figures of 2026-12-03T12:00:00.000Z/);
    expect(text).toMatch(/ui: workload not recorded/);
  });

  it('prints "not measured" for every figure a bench did not produce, with no verdict of its own', () => {
    const benches = { tsdb: file('tsdb', { vigil: { importRate: 1 } }), scrape: null, 'wide-query': null, ui: null, probe: null };
    const rows = summaryRows(benches);
    expect(rows.filter((r) => r.verdict !== 'not measured')).toEqual([]);
    const text = formatSummary(rows, benches);
    expect(text).toMatch(/import W-offline.*\| 1\.00 +\| not measured \(VictoriaMetrics\)/);
    expect(text).toMatch(/scrape: no figures/);
    expect(text).toMatch(/0 met, 0 missed, 15 not measured/);
  });

  it('reads back what a bench wrote, and nothing for a missing or broken file', () => {
    const tmp = tempDir('vigil-bench-figures-');
    try {
      writeFigures('probe', { best: { vigil: { probesPerSecond: 5 } } }, tmp.dir);
      const back = readFigures('probe', tmp.dir)!;
      expect(back.bench).toBe('probe');
      expect(back.figures).toEqual({ best: { vigil: { probesPerSecond: 5 } } });
      expect(Number.isNaN(Date.parse(back.at))).toBe(false);
      expect(readFigures('ui', tmp.dir)).toBeNull();
    } finally {
      tmp.cleanup();
    }
  });
});
