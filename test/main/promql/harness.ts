/** Shared helpers for engine tests: load series in test-script notation, run, flatten results. */
import { parseExpr } from '../../../app/promql/parser.js';
import { PromQLEngine } from '../../../main/promql/engine.js';
import type { EngineOptions, QueryResult } from '../../../main/promql/engine.js';
import { parseScriptDuration } from '../../../main/promql/promqltest/script.js';
import { parseSeriesLine } from '../../../main/promql/series-notation.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import { formatLabels } from '../../../main/tsdb/labels.js';

/** `load 1m` followed by series lines, as in promqltest scripts. */
export function load(interval: string, lines: string): MemoryStorage {
  const storage = new MemoryStorage();
  const step = parseScriptDuration(interval);
  for (const raw of lines.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const s = parseSeriesLine(line);
    s.values.forEach((v, i) => {
      if (v.omitted) return;
      if (v.histogram !== undefined) storage.addHistogram(s.labels, i * step, v.histogram);
      else storage.add(s.labels, i * step, v.value);
    });
  }
  return storage;
}

export function engine(opts: Partial<EngineOptions> = {}): PromQLEngine {
  return new PromQLEngine({ parse: (q) => parseExpr(q, { enableExperimental: true }), ...opts });
}

/** Instant result as `{ 'name{a="b"}': value }`, or a number for scalars. */
export function flat(res: QueryResult): Record<string, number> | number | string {
  const r = res.result;
  if (r.type === 'scalar') return r.v;
  if (r.type === 'string') return r.value;
  const out: Record<string, number> = {};
  if (r.type === 'vector') for (const s of r.samples) out[formatLabels(s.labels)] = s.v;
  else for (const s of r.series) out[formatLabels(s.labels)] = s.v[s.v.length - 1]!;
  return out;
}

/** Range result as `{ series: [values…] }` with null where a step has no point. */
export function flatRange(res: QueryResult, start: number, end: number, step: number): Record<string, (number | null)[]> {
  const r = res.result;
  if (r.type !== 'matrix') throw new Error(`expected a matrix, got ${r.type}`);
  const out: Record<string, (number | null)[]> = {};
  for (const s of r.series) {
    const row: (number | null)[] = [];
    for (let t = start; t <= end; t += step) {
      const i = Array.from(s.t).indexOf(t);
      row.push(i < 0 ? null : s.v[i]!);
    }
    out[formatLabels(s.labels)] = row;
  }
  return out;
}

export const m = (x: string): number => parseScriptDuration(x);

/**
 * Every point of a range result with its value's exact bits (-0 included). NaN is one value:
 * which operand's payload an addition of two NaNs keeps depends on how V8 compiled it, and
 * Prometheus' API prints every NaN the same.
 */
export function bits(res: QueryResult): string[] {
  const r = res.result;
  if (r.type !== 'matrix') throw new Error(`expected a matrix, got ${r.type}`);
  const dv = new DataView(new ArrayBuffer(8));
  const out: string[] = [];
  for (const s of r.series) {
    for (let i = 0; i < s.t.length; i++) {
      dv.setFloat64(0, s.v[i]!);
      out.push(`${formatLabels(s.labels)}@${s.t[i]}=${Number.isNaN(s.v[i]) ? 'NaN' : dv.getBigUint64(0).toString(16)}`);
    }
  }
  return out;
}
