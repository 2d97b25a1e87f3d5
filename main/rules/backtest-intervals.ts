/**
 * Interval bookkeeping for backtests and drills: turning the state an alert had at each
 * evaluation into half-open `[startMs, endMs)` intervals, and set arithmetic on those intervals
 * for comparing two runs.
 */
import type { Labels } from '../tsdb/labels.js';

export type ActiveState = 'pending' | 'firing';

/**
 * One stretch of time in one state. `startMs` is the first evaluation in the state and `endMs`
 * the first evaluation no longer in it: each evaluation's state is taken to hold until the
 * next one. An interval still open when the run ended is `ongoing`, ending one step after the
 * last evaluation.
 */
export interface AlertInterval {
  state: ActiveState;
  startMs: number;
  endMs: number;
  ongoing: boolean;
}

interface Open {
  state: ActiveState;
  startMs: number;
}

/** Collects intervals per alert from the states observed at successive evaluations. */
export class IntervalTracker {
  private readonly open = new Map<string, Open>();
  readonly closed = new Map<string, AlertInterval[]>();
  readonly labels = new Map<string, Labels>();

  /** Records the active (pending or firing) alerts seen at evaluation `ts`. */
  observe(ts: number, active: ReadonlyMap<string, { labels: Labels; state: ActiveState }>): void {
    for (const [key, o] of this.open) {
      const now = active.get(key);
      if (now !== undefined && now.state === o.state) continue;
      this.close(key, o, ts, false);
      this.open.delete(key);
    }
    for (const [key, a] of active) {
      if (!this.labels.has(key)) this.labels.set(key, a.labels);
      if (!this.open.has(key)) this.open.set(key, { state: a.state, startMs: ts });
    }
  }

  /** Closes every open interval at `endMs` (marked ongoing) and returns intervals per alert. */
  finish(endMs: number): Map<string, AlertInterval[]> {
    for (const [key, o] of this.open) this.close(key, o, endMs, true);
    this.open.clear();
    return this.closed;
  }

  private close(key: string, o: Open, endMs: number, ongoing: boolean): void {
    let list = this.closed.get(key);
    if (list === undefined) {
      list = [];
      this.closed.set(key, list);
    }
    list.push({ state: o.state, startMs: o.startMs, endMs, ongoing });
  }
}

export interface Span {
  startMs: number;
  endMs: number;
}

export function totalMs(spans: readonly Span[]): number {
  return spans.reduce((sum, s) => sum + (s.endMs - s.startMs), 0);
}

/** `a \ b` for sorted, non-overlapping half-open spans. */
export function subtractSpans(a: readonly Span[], b: readonly Span[]): Span[] {
  const out: Span[] = [];
  let j = 0;
  for (const s of a) {
    let start = s.startMs;
    while (j < b.length && b[j]!.endMs <= start) j++;
    let k = j;
    while (k < b.length && b[k]!.startMs < s.endMs) {
      const cut = b[k]!;
      if (cut.startMs > start) out.push({ startMs: start, endMs: cut.startMs });
      start = Math.max(start, cut.endMs);
      k++;
    }
    if (start < s.endMs) out.push({ startMs: start, endMs: s.endMs });
  }
  return out;
}
