import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { readdirSync } from 'node:fs';
import { callbackCollector, type MetricsRegistry } from './metrics.js';

/**
 * process_* (as client libraries export them) and Node's event-loop lag, the figure that says
 * whether the main thread keeps up.
 */
/** Event-loop delay over the last minute, seconds. */
export interface LagFigures {
  p50: number;
  p99: number;
  max: number;
}

export function registerProcessMetrics(registry: MetricsRegistry, startTimeMs: number): (() => void) & { lastMinuteLag: () => LagFigures } {
  const lag = new LagMonitor();
  registry.register(callbackCollector('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', 'counter', () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }));
  registry.register(callbackCollector('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', () => process.memoryUsage().rss));
  registry.register(callbackCollector('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', 'gauge', () => startTimeMs / 1000));
  registry.register(callbackCollector('process_open_fds', 'Number of open file descriptors (Linux only).', 'gauge', () => {
    try {
      return readdirSync('/proc/self/fd').length;
    } catch {
      return NaN;
    }
  }));
  registry.register(callbackCollector('nodejs_heap_used_bytes', 'V8 heap in use.', 'gauge', () => process.memoryUsage().heapUsed));
  const quantiles = (name: string, h: RecordableHistogram) => [
    { name, labels: { quantile: '0.5' }, value: seconds(h.percentile(50)) },
    { name, labels: { quantile: '0.99' }, value: seconds(h.percentile(99)) },
    { name, labels: { quantile: '1' }, value: seconds(h.max) },
  ];
  // Reading never resets either figure, or whoever scrapes first would decide what others see.
  registry.register(
    callbackCollector('vigil_event_loop_lag_seconds', 'Main-thread event-loop delay since start (p50, p99, max).', 'gauge', () =>
      quantiles('vigil_event_loop_lag_seconds', lag.total),
    ),
  );
  registry.register(
    callbackCollector('vigil_event_loop_lag_last_minute_seconds', 'Main-thread event-loop delay over the last minute, in 10 s steps (p50, p99, max).', 'gauge', () =>
      quantiles('vigil_event_loop_lag_last_minute_seconds', lag.lastMinute()),
    ),
  );
  return Object.assign(() => lag.stop(), {
    lastMinuteLag: (): LagFigures => {
      const h = lag.lastMinute();
      return { p50: seconds(h.percentile(50)), p99: seconds(h.percentile(99)), max: seconds(h.max) };
    },
  });
}

const seconds = (ns: number): number => (Number.isFinite(ns) && ns > 1 ? ns / 1e9 : 0);

/**
 * Event-loop delay as the excess of a timer over its period. While the loop works, the timer fires
 * every 50 ms: a block that long is always caught (it always overlaps a due timer), and at 10 ms the
 * wake-ups alone would cost ~3.5 ms of CPU a second. While the loop idles (under 2 % busy, our own
 * ticks included, for 300 ms in a row) nothing blocks it, and 20 wake-ups a second only keep a laptop's
 * core awake: the timer then fires every 500 ms, and the first tick that finds the loop busy returns
 * it to 50 ms (a late timer alone does not: on a loaded machine the OS, not our loop, makes timers
 * late). What this gives up: a block that starts in an idle stretch is seen by the next 500 ms tick
 * only for the part of it that overlaps that tick; the rest of the burst is timed at 50 ms again.
 * Kept since start, and over the last minute as six 10 s histograms in a ring (Node's own monitor
 * cannot be merged or windowed, and ticks at a fixed period; hence this small one).
 */
class LagMonitor {
  private static readonly busyPeriodMs = 50;
  private static readonly idlePeriodMs = 500;
  private static readonly idleAfterMs = 300;
  private static readonly idleUtilization = 0.02;
  private static readonly slotMs = 10_000;
  readonly total = createHistogram();
  private readonly slots: RecordableHistogram[] = Array.from({ length: 6 }, () => createHistogram());
  private slot = 0;
  private slotStart = performance.now();
  private last = performance.now();
  private elu = performance.eventLoopUtilization();
  private period = LagMonitor.busyPeriodMs;
  private idleSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor() {
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.tick(), this.period);
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.now();
    const excessMs = now - this.last - this.period;
    const excessNs = Math.max(1, Math.round(excessMs * 1e6));
    this.last = now;
    if (now - this.slotStart >= LagMonitor.slotMs) {
      this.slot = (this.slot + 1) % this.slots.length;
      this.slots[this.slot]!.reset();
      this.slotStart = now;
    }
    this.total.record(excessNs);
    this.slots[this.slot]!.record(excessNs);
    const elu = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(elu, this.elu).utilization >= LagMonitor.idleUtilization;
    this.elu = elu;
    if (busy) {
      this.idleSince = null;
      this.period = LagMonitor.busyPeriodMs;
    } else {
      this.idleSince ??= now;
      if (now - this.idleSince >= LagMonitor.idleAfterMs) this.period = LagMonitor.idlePeriodMs;
    }
    this.schedule();
  }

  lastMinute(): RecordableHistogram {
    const merged = createHistogram();
    for (const h of this.slots) if (h.count > 0) merged.add(h);
    return merged;
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
