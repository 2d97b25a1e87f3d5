/**
 * The engine's clock: wall-clock milliseconds that never go back. Sample timestamps and rule
 * evaluation times come from here, so a wall clock set back (by hand, or a bad NTP step) does not
 * make storage refuse every sample as out of order until the clock catches up: while the wall
 * clock is behind the last time handed out, time runs on from there at the monotonic clock's
 * pace. A jump forward (a suspend, a clock set ahead) is taken as it is.
 */
export interface ClockSources {
  /** Wall clock, ms since the epoch (Date.now). */
  wall: () => number;
  /** Monotonic clock, ms (performance.now); on Linux and macOS it does not run while suspended. */
  mono: () => number;
}

export const systemClock: ClockSources = { wall: () => Date.now(), mono: () => performance.now() };

export class EngineClock {
  private lastNow: number;
  private lastMono: number;

  constructor(readonly sources: ClockSources = systemClock) {
    this.lastNow = Math.floor(sources.wall());
    this.lastMono = sources.mono();
  }

  now(): number {
    const wall = Math.floor(this.sources.wall());
    const mono = this.sources.mono();
    const ran = Math.max(0, mono - this.lastMono);
    this.lastMono = mono;
    // Kept with its fraction: flooring on every call would slow the clock while it leads the wall.
    this.lastNow = Math.max(wall, this.lastNow + ran);
    return Math.floor(this.lastNow);
  }

  /** How far the engine's time is ahead of the wall clock (ms; 0 unless the clock was set back). */
  aheadOfWallMs(): number {
    return Math.max(0, this.now() - Math.floor(this.sources.wall()));
  }
}
