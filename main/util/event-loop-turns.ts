/**
 * Turns of the event loop during long work on the main thread (query evaluation, wide selects,
 * sorts): `due()` says whether the current slice of work has run ~`periodMs`, cheap enough to ask
 * every few items; `pause()` (when due) gives the loop back and waits for this work's next slice.
 *
 * Slices are shared by every long task of the process, not kept per task: paused work waits in
 * one first-come queue, and one slice is handed out per turn of the event loop (a setImmediate
 * per slice). Before, each task kept its own clock and resumed by its own setImmediate, so the
 * eight queries a refreshing dashboard runs at once all resumed in the same check phase and one
 * turn of the loop held eight 10 ms slices back to back: timers, sockets and scrapes waited
 * 80 ms and more (docs/query-frontend.md, "Event-loop lag"). Now a turn holds at most one slice
 * of long work besides the I/O callbacks, and work that resumes from I/O while others wait for
 * a slice finds its slice already spent, so it queues behind them at its next check.
 */
const waiting: Array<() => void> = [];
let scheduled = false;
/** When the running slice began (performance.now()). */
let sliceStart = performance.now();

function dispatch(): void {
  const next = waiting.shift();
  sliceStart = performance.now();
  // The next slice goes out at the next turn (a setImmediate queued from a setImmediate waits for
  // the next check phase), after the poll phase has run timers' and sockets' callbacks.
  scheduled = waiting.length > 0;
  if (scheduled) setImmediate(dispatch);
  next?.();
}

export class EventLoopTurns {
  /** When this task last started working: created, or resumed after a pause. */
  private last = performance.now();

  constructor(private readonly periodMs = 10) {}

  /**
   * Whether ~periodMs passed since this task's slice began: the later of the shared slice's
   * start and this task's own start, so a task that just began (a new query, nothing waiting
   * yet) gets its first slice at once, as before, while one resumed by I/O long after its last
   * pause finds its slice spent.
   */
  due(): boolean {
    return performance.now() - Math.max(sliceStart, this.last) >= this.periodMs;
  }

  /** Gives the loop back when due and waits for the next slice; resolves to whether it did. */
  async pause(): Promise<boolean> {
    if (!this.due()) return false;
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (!scheduled) {
        scheduled = true;
        setImmediate(dispatch);
      }
    });
    this.last = performance.now();
    return true;
  }
}
