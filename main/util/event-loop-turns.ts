/**
 * Turns of the event loop during long work on the main thread (query evaluation, wide selects):
 * `due()` says whether ~`periodMs` passed since the last turn, cheap enough to ask every few
 * items; `pause()` takes a turn (setImmediate) when due, so timers, sockets and aborts get in.
 */
export class EventLoopTurns {
  private last = performance.now();

  constructor(private readonly periodMs = 10) {}

  due(): boolean {
    return performance.now() - this.last >= this.periodMs;
  }

  /** Takes a turn when due; resolves to whether it did. */
  async pause(): Promise<boolean> {
    if (!this.due()) return false;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
    return true;
  }
}
