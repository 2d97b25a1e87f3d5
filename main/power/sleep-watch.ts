/**
 * Notices a suspension. Headless, nothing tells a process the machine slept, but the two clocks
 * do: the wall clock runs on during a suspend and the monotonic clock (Linux CLOCK_MONOTONIC,
 * macOS mach_absolute_time) does not, so between two checks the wall clock moves further than
 * the monotonic one by the time asleep. A wall clock set ahead looks the same and is treated the
 * same (a gap with no data); one set back is reported separately and is never a gap. The desktop
 * shell knows better (Electron's powerMonitor) and reports suspend and resume itself; the watch
 * then only keeps its baseline, so one sleep is never counted twice.
 */
import type { ClockSources } from '../util/engine-clock.js';

export interface Gap {
  /** Wall-clock ms when the machine went to sleep (headless: estimated to the check period). */
  fromMs: number;
  toMs: number;
  /** Who noticed it: the clock comparison or the shell's power events. */
  source: 'clock' | 'shell';
}

export interface SleepWatchOptions {
  clock: ClockSources;
  /** How often the clocks are compared (ms); each check is one wake-up. Default 10 s. */
  checkEveryMs?: number;
  /** A difference below this is timer jitter, not a sleep (ms). Default 5 s. */
  thresholdMs?: number;
  onGap: (gap: Gap) => void;
  /** The wall clock was set back by `ms`. */
  onClockBack?: (ms: number) => void;
  /** Runs at a check that found no jump (the caller keeps its "before the sleep" figures current). */
  onCheck?: () => void;
  /** Runs after each timer check, whatever it found (work that must not wait for other callers). */
  onTick?: () => void;
}

export class SleepWatch {
  private lastWall: number;
  private lastMono: number;
  private suspendedAtMs: number | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly thresholdMs: number;

  constructor(private readonly o: SleepWatchOptions) {
    this.lastWall = o.clock.wall();
    this.lastMono = o.clock.mono();
    this.thresholdMs = o.thresholdMs ?? 5_000;
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.check();
      this.o.onTick?.();
    }, this.o.checkEveryMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Compares the clocks once (the timer calls this; tests call it after moving a clock). */
  check(): void {
    const wall = this.o.clock.wall();
    const mono = this.o.clock.mono();
    const skew = wall - this.lastWall - (mono - this.lastMono);
    this.lastWall = wall;
    this.lastMono = mono;
    // The shell said it is suspending: its resume reports the gap, with exact times.
    if (this.suspendedAtMs !== null) return;
    if (skew >= this.thresholdMs) this.o.onGap({ fromMs: wall - skew, toMs: wall, source: 'clock' });
    else if (skew <= -this.thresholdMs) this.o.onClockBack?.(-skew);
    else this.o.onCheck?.();
  }

  /** Between the shell's suspend and resume events: nothing evaluated now can be trusted. */
  get suspended(): boolean {
    return this.suspendedAtMs !== null;
  }

  /** The shell's power monitor: the machine is going to sleep now. */
  suspend(): void {
    this.o.onCheck?.();
    this.suspendedAtMs ??= this.o.clock.wall();
  }

  /** The shell's power monitor: the machine woke up. A resume without a suspend is ignored. */
  resume(): void {
    const from = this.suspendedAtMs;
    this.suspendedAtMs = null;
    this.lastWall = this.o.clock.wall();
    this.lastMono = this.o.clock.mono();
    if (from !== null && this.lastWall > from) this.o.onGap({ fromMs: from, toMs: this.lastWall, source: 'shell' });
  }
}
