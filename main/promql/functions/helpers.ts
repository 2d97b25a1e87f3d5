/** Argument access and per-series mapping helpers for function implementations. */
import type { NativeHistogram } from '../../tsdb/interface.js';
import { QueryExecutionError } from '../errors.js';
import { extendedWindow } from '../extended-range.js';
import type { EvalValue, MatrixValue, RangeSeries, StepSeries, VectorValue } from '../value.js';
import { newStepSeries } from '../value.js';
import type { FnCall } from './types.js';

export function vectorArg(c: FnCall, i: number): VectorValue {
  const v = c.args[i];
  if (v === undefined || v.kind !== 'vector') throw new QueryExecutionError(`${c.call.func}(): argument ${i + 1} must be an instant vector`);
  return v;
}
export function matrixArg(c: FnCall, i: number): MatrixValue {
  const v = c.args[i];
  if (v === undefined || v.kind !== 'matrix') throw new QueryExecutionError(`${c.call.func}(): argument ${i + 1} must be a range vector`);
  return v;
}
export function scalarArg(c: FnCall, i: number): Float64Array {
  const v = c.args[i];
  if (v === undefined || v.kind !== 'scalar') throw new QueryExecutionError(`${c.call.func}(): argument ${i + 1} must be a scalar`);
  return v.v;
}
export function stringArg(c: FnCall, i: number): string {
  const v = c.args[i];
  if (v === undefined || v.kind !== 'string') throw new QueryExecutionError(`${c.call.func}(): argument ${i + 1} must be a string`);
  return v.s;
}

export function vector(series: StepSeries[]): VectorValue {
  return { kind: 'vector', series };
}

/**
 * Applies `f` to every present sample; `f` returns null to drop the sample at that step.
 * Functions that change a sample's meaning drop the metric name (delayed until the end).
 */
export async function mapSamples(c: FnCall, v: VectorValue, f: (x: number, i: number) => number | null, dropName = true): Promise<EvalValue> {
  const n = c.grid.length;
  const out: StepSeries[] = [];
  let done = 0;
  for (const s of v.series) {
    if ((++done & 7) === 0 && c.env.due()) await c.env.pause();
    const r = newStepSeries(s.labels, n, dropName || s.dropName);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      const y = f(s.v[i]!, i);
      if (y === null) continue;
      r.v[i] = y;
      r.has[i] = 1;
      any = true;
    }
    if (any) out.push(r);
  }
  return vector(out);
}

/**
 * Slides the window (end - range, end] of every step over each series' samples; `f` sees the
 * half-open index range [lo, hi) of samples in the window (never empty) and returns the value
 * or null for no output.
 */
export type WindowFn = (s: RangeSeries, lo: number, hi: number, end: number, step: number) => number | null;
/** A window function whose result may also be a native histogram. */
export type MixedWindowFn = (s: RangeSeries, lo: number, hi: number, end: number, step: number) => number | NativeHistogram | null;

export async function overWindows(c: FnCall, m: MatrixValue, f: MixedWindowFn, dropName = true): Promise<VectorValue> {
  const n = c.grid.length;
  const out: StepSeries[] = [];
  let done = 0;
  for (const s of m.series) {
    if ((++done & 7) === 0 && c.env.due()) await c.env.pause();
    const r = newStepSeries(s.labels, n, dropName || s.dropName);
    const len = s.t.length;
    const pos = { lo: 0, hi: 0 };
    let any = false;
    for (let i = 0; i < n; i++) {
      const end = m.ends[i]!;
      if (m.extended) extendedWindow(s, m, end, pos);
      else {
        const start = end - m.range;
        while (pos.hi < len && s.t[pos.hi]! <= end) pos.hi++;
        while (pos.lo < len && s.t[pos.lo]! <= start) pos.lo++;
      }
      const { lo, hi } = pos;
      if (lo >= hi) continue;
      const y = f(s, lo, hi, end, i);
      if (y === null) continue;
      if (typeof y === 'number') r.v[i] = y;
      else (r.h ??= new Array<NativeHistogram | undefined>(n))[i] = y;
      r.has[i] = 1;
      any = true;
    }
    if (any) out.push(r);
  }
  return vector(out);
}
