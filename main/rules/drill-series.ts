/**
 * Synthetic input of a fire drill: series written in promtool's notation (`0x10 5x20 _ stale`)
 * or as curve points, placed relative to the drill's start and loaded into the overlay.
 */
import type { Labels } from '../tsdb/labels.js';
import { expandSeriesValues, parseSeriesSelector, SeriesNotationError } from '../promql/series-notation.js';

/** `values` in promtool notation, one value every `stepMs` from `startMs` after the drill starts. */
interface DrillNotationSeries {
  selector: string;
  values: string;
  /** Offset of the first value from the drill start (ms, may be negative for history). Default 0. */
  startMs?: number;
  /** Default: the drill's evaluation step. */
  stepMs?: number;
}

/** Explicit points, e.g. a curve drawn in the UI; offsets are ms from the drill start. */
interface DrillCurveSeries {
  selector: string;
  points: readonly { offsetMs: number; value: number }[];
}

export type DrillSeries = DrillNotationSeries | DrillCurveSeries;

export interface SyntheticSample {
  labels: Labels;
  t: number;
  v: number;
}

export class DrillInputError extends Error {
  readonly kind = 'drill_input';
}

/** Expands every series to absolute samples, sorted by time per series; throws naming the bad series. */
export function expandDrillSeries(series: readonly DrillSeries[], drillStartMs: number, defaultStepMs: number): SyntheticSample[] {
  const out: SyntheticSample[] = [];
  series.forEach((s, idx) => {
    const where = `drill series ${idx + 1} (${JSON.stringify(s.selector)})`;
    const labels = notation(() => parseSeriesSelector(s.selector), (m) => `${where}: ${m}; write it as metric{label="value"}`);
    if ('points' in s) {
      const pts = [...s.points].sort((a, b) => a.offsetMs - b.offsetMs);
      for (const p of pts) {
        if (!Number.isFinite(p.offsetMs)) throw new DrillInputError(`${where}: point offset ${p.offsetMs} is not a finite number of ms`);
        out.push({ labels, t: drillStartMs + p.offsetMs, v: p.value });
      }
      return;
    }
    const values = notation(() => expandSeriesValues(s.values), (m) => `${where}: ${m}`);
    const step = s.stepMs ?? defaultStepMs;
    if (!(step > 0)) throw new DrillInputError(`${where}: step must be positive, got ${step} ms`);
    const start = drillStartMs + (s.startMs ?? 0);
    values.forEach((v, i) => {
      if (v.histogram !== undefined) throw new DrillInputError(`${where}: value ${i + 1} is a native histogram; drills take float series only`);
      if (!v.omitted) out.push({ labels, t: start + i * step, v: v.value });
    });
  });
  return out;
}

/** A series-notation parse whose error becomes a DrillInputError worded by `message`. */
function notation<T>(parse: () => T, message: (reason: string) => string): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof SeriesNotationError) throw new DrillInputError(message(e.message));
    throw e;
  }
}
