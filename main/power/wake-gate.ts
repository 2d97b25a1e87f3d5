/**
 * Holds rule evaluation after a wake until fresh data is in. Right after a resume every series
 * is as old as the sleep: `absent(up)` is true, `rate()` has one sample, and a rule evaluated
 * before the first scrape would page for what only the sleep caused. The gate stays closed
 * until every active target has completed a scrape that started after the wake (whatever its
 * result: a target that really went down is then down in fresh data), or until a deadline, so
 * one target that never answers cannot hold alerting for good.
 */
export interface TargetScrapeState {
  /** Engine-clock ms when the target's last completed scrape started; null before the first. */
  lastScrapeMs: number | null;
  /** The target's scrape interval and timeout (ms), as the loop runs them now. */
  intervalMs: number;
  timeoutMs: number;
}

export interface WakeGateOptions {
  targets: () => readonly TargetScrapeState[];
  now: () => number;
  /** Called once when a hold ends: how long it lasted, and whether the deadline ended it. */
  onRelease?: (heldMs: number, timedOut: boolean) => void;
}

/** However long the intervals, a hold ends after this (ms). */
const maxHoldMs = 10 * 60_000;

export class WakeGate {
  private wakeAtMs: number | null = null;
  private deadlineMs = 0;

  constructor(private readonly o: WakeGateOptions) {}

  /** Closes the gate from `wakeAtMs` (engine clock) until every target scraped again. */
  hold(wakeAtMs: number): void {
    const targets = this.o.targets();
    // Two intervals give a target whose first tick after the wake fell just before it a second one.
    const longest = targets.reduce((m, t) => Math.max(m, 2 * t.intervalMs + t.timeoutMs), 0);
    this.wakeAtMs = wakeAtMs;
    this.deadlineMs = wakeAtMs + Math.min(maxHoldMs, longest);
  }

  /** True while rules must wait; the first call that finds the data fresh opens the gate. */
  held(): boolean {
    const wakeAt = this.wakeAtMs;
    if (wakeAt === null) return false;
    const now = this.o.now();
    const fresh = this.o.targets().every((t) => t.lastScrapeMs !== null && t.lastScrapeMs >= wakeAt);
    if (!fresh && now < this.deadlineMs) return true;
    this.wakeAtMs = null;
    this.o.onRelease?.(now - wakeAt, !fresh);
    return false;
  }

  get holding(): boolean {
    return this.wakeAtMs !== null;
  }
}
