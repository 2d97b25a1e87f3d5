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
 * Event-loop delay as the excess of a 50 ms timer over its period. One timer firing every 50 ms
 * samples the delay: at 10 ms the wake-ups alone cost ~3.5 ms of CPU a second, a tenth of what
 * scraping 100k series at 5 s costs; a block that long is still caught (a 50 ms stall always
 * overlaps a due timer). Kept since start, and over the last minute as six 10 s histograms in a
 * ring (Node's own monitor cannot be merged or windowed, hence this small one).
 */
class LagMonitor {
  private static readonly periodMs = 50;
  private static readonly slotMs = 10_000;
  readonly total = createHistogram();
  private readonly slots: RecordableHistogram[] = Array.from({ length: 6 }, () => createHistogram());
  private slot = 0;
  private slotStart = performance.now();
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.tick(), LagMonitor.periodMs);
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.now();
    const excessNs = Math.max(1, Math.round((now - this.last - LagMonitor.periodMs) * 1e6));
    this.last = now;
    if (now - this.slotStart >= LagMonitor.slotMs) {
      this.slot = (this.slot + 1) % this.slots.length;
      this.slots[this.slot]!.reset();
      this.slotStart = now;
    }
    this.total.record(excessNs);
    this.slots[this.slot]!.record(excessNs);
  }

  lastMinute(): RecordableHistogram {
    const merged = createHistogram();
    for (const h of this.slots) if (h.count > 0) merged.add(h);
    return merged;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
