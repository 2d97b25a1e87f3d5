/**
 * The time axis an Explore view resolves to; the view itself and its URL are in app/app-urls.ts.
 */
import type { Resolution, TimeRange } from '../../app/app-urls.js';

/** Start and end in ms for a range at `now`. */
export function resolveRange(range: TimeRange, now: number): { startMs: number; endMs: number } {
  return range.kind === 'absolute' ? { startMs: range.startMs, endMs: range.endMs } : { startMs: now - range.durationMs, endMs: now };
}

/** Prometheus UI's auto step: range / 250 points, at least 1 s, rounded to a whole second. */
export function resolveStep(resolution: Resolution, startMs: number, endMs: number, widthPx = 1000): number {
  if (resolution.kind === 'fixed') return resolution.stepMs;
  const points = Math.max(100, Math.min(1000, Math.floor(widthPx / 4)));
  return Math.max(1000, Math.ceil((endMs - startMs) / points / 1000) * 1000);
}
