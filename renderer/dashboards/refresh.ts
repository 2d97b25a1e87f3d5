/**
 * A dashboard's refreshes: every panel on screen registers how it reloads; a refresh reloads
 * them all and ends when the last one has finished or been cancelled. Refreshes never stack: a
 * refresh asked for while one runs joins it instead of starting another, and auto refresh
 * schedules the next one only after the previous has ended (so a slow engine sees at most one
 * round of queries from a dashboard at a time).
 */
export type PanelReload = () => Promise<void>;

export class RefreshLoop {
  private readonly panels = new Map<string, PanelReload>();
  private running: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private intervalMs = 0;
  /** Refreshes started (for tests and the bench). */
  started = 0;

  /** A panel on screen; the returned function unregisters it. */
  register(id: string, reload: PanelReload): () => void {
    this.panels.set(id, reload);
    return () => {
      if (this.panels.get(id) === reload) this.panels.delete(id);
    };
  }

  /** Reloads every registered panel; joins the refresh in flight if there is one. */
  refresh(): Promise<void> {
    if (this.running) return this.running;
    this.started++;
    const run = Promise.allSettled([...this.panels.values()].map((r) => r())).then(() => undefined);
    this.running = run.finally(() => {
      this.running = null;
    });
    return this.running;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** Auto refresh every `ms` (0: off), counted from the end of the previous refresh. */
  setInterval(ms: number): void {
    this.intervalMs = ms;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (ms > 0) this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh().then(() => {
        if (this.intervalMs > 0 && this.timer === undefined) this.schedule();
      });
    }, this.intervalMs);
  }

  /** Auto refresh off (a refresh in flight still ends; none follows). */
  stop(): void {
    this.setInterval(0);
  }
}

/** Grafana's refresh strings (`5s`, `1m`, `1h`, '' / false for off) in ms. */
export function refreshMs(refresh: string | false | undefined): number {
  if (!refresh) return 0;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(refresh.trim());
  if (!m) return 0;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
