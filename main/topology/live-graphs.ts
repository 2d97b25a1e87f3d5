/**
 * The live graphs: the topology at "now" kept up to date in the background while someone looks
 * at it, so a refresh of the page answers at once with the newest graph instead of running the
 * graph's queries again (hundreds of ms on a mesh of 1,000 edges; main/topology/README.md).
 *
 * One entry per request shape (dialect, window, thresholds, edge cap, source, settings). An
 * entry is re-evaluated every `periodMs` (the scrape interval: the data cannot change faster)
 * for as long as it was asked for within `keepWarmMs`; then it stops and is dropped. The next
 * evaluation starts a period after the previous one started (half a period after it ended at
 * the soonest, so a slow machine is not kept busy with it). A request gets the entry's graph when
 * it is at most `2 × periodMs` plus its evaluation's duration old, or older while the next one is
 * being evaluated (waiting for it would cost the request a whole evaluation); else (timers held
 * up, e.g. by sleep) it evaluates. A background evaluation that
 * fails drops the entry, so the next request evaluates and reports the error itself.
 */

export interface LiveGraphsOptions {
  /** How often a watched graph is evaluated again (ms). */
  periodMs: () => number;
  /** How long after the last request a graph is still kept up to date (ms). */
  keepWarmMs: number;
  /** At most this many request shapes are kept (the least recently asked goes first). */
  maxEntries: number;
  now: () => number;
}

/** What an evaluation gives: the graph and the time it was evaluated at (ms). */
export interface Evaluated<T> {
  value: T;
  time: number;
}

interface Entry<T> {
  last: Evaluated<T> | null;
  /** How long `last` took to evaluate (ms). */
  lastTookMs: number;
  running: Promise<Evaluated<T>> | null;
  askedAt: number;
  timer: ReturnType<typeof setTimeout> | null;
  evaluate: () => Promise<Evaluated<T>>;
}

export class LiveGraphs<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private closed = false;

  constructor(private readonly o: LiveGraphsOptions) {}

  /**
   * The graph of `key`: the kept one when fresh enough (`cached: true`), else a new evaluation.
   * `evaluate` is remembered for the background re-evaluations of this key.
   */
  async get(key: string, evaluate: () => Promise<Evaluated<T>>): Promise<Evaluated<T> & { cached: boolean }> {
    const now = this.o.now();
    let e = this.entries.get(key);
    if (e === undefined) {
      e = { last: null, lastTookMs: 0, running: null, askedAt: now, timer: null, evaluate };
      this.entries.set(key, e);
      this.evict();
    }
    e.askedAt = now;
    e.evaluate = evaluate;
    if (e.last !== null && (now - e.last.time <= 2 * this.o.periodMs() + e.lastTookMs || e.running !== null)) return { ...e.last, cached: true };
    return { ...(await this.run(key, e)), cached: false };
  }

  /** Stops every background evaluation; later requests evaluate each time. */
  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) if (e.timer !== null) clearTimeout(e.timer);
    this.entries.clear();
  }

  /** Drops every kept graph (settings changed). */
  clear(): void {
    for (const e of this.entries.values()) if (e.timer !== null) clearTimeout(e.timer);
    this.entries.clear();
  }

  private run(key: string, e: Entry<T>): Promise<Evaluated<T>> {
    if (e.running !== null) return e.running;
    const started = this.o.now();
    const running = e.evaluate().then(
      (r) => {
        e.running = null;
        if (this.entries.get(key) === e) {
          e.last = r;
          e.lastTookMs = this.o.now() - started;
          this.schedule(key, e, e.lastTookMs);
        }
        return r;
      },
      (err: unknown) => {
        e.running = null;
        if (this.entries.get(key) === e) this.drop(key);
        throw err;
      },
    );
    e.running = running;
    return running;
  }

  private schedule(key: string, e: Entry<T>, tookMs: number): void {
    if (this.closed) return;
    if (e.timer !== null) clearTimeout(e.timer);
    e.timer = null;
    if (this.o.now() - e.askedAt > this.o.keepWarmMs) {
      this.drop(key);
      return;
    }
    e.timer = setTimeout(() => {
      e.timer = null;
      // A failure is the next request's to report (the entry is dropped).
      this.run(key, e).catch(() => {});
    }, Math.max(this.o.periodMs() / 2, this.o.periodMs() - tookMs));
    e.timer.unref?.();
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (e?.timer != null) clearTimeout(e.timer);
    this.entries.delete(key);
  }

  private evict(): void {
    while (this.entries.size > this.o.maxEntries) {
      let oldest: string | null = null;
      let at = Infinity;
      for (const [k, e] of this.entries) {
        if (e.askedAt < at) {
          at = e.askedAt;
          oldest = k;
        }
      }
      if (oldest === null) return;
      this.drop(oldest);
    }
  }
}
