import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readdirSync } from 'node:fs';
import { callbackCollector, type MetricsRegistry } from './metrics.js';

/**
 * process_* (as client libraries export them) and Node's event-loop lag, the figure that says
 * whether the main thread keeps up.
 */
export function registerProcessMetrics(registry: MetricsRegistry, startTimeMs: number): () => void {
  // One timer firing every 50 ms samples the delay: at 10 ms the wake-ups alone cost ~3.5 ms of
  // CPU a second, a tenth of what scraping 100k series at 5 s costs; a block that long is still
  // caught (a 50 ms stall always overlaps a due timer).
  const resolutionMs = 50;
  const lag = monitorEventLoopDelay({ resolution: resolutionMs });
  // Node records the whole time between two firings, sampling period included: the lag is the
  // excess over the period.
  const excess = (ns: number): number => Math.max(0, ns / 1e6 - resolutionMs) / 1e3;
  lag.enable();
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
  registry.register(
    // Since start: reading must not reset it, or whoever scrapes first decides what others see.
    callbackCollector('vigil_event_loop_lag_seconds', 'Main-thread event-loop delay since start (p50, p99, max).', 'gauge', () => [
      { name: 'vigil_event_loop_lag_seconds', labels: { quantile: '0.5' }, value: excess(lag.percentile(50)) },
      { name: 'vigil_event_loop_lag_seconds', labels: { quantile: '0.99' }, value: excess(lag.percentile(99)) },
      { name: 'vigil_event_loop_lag_seconds', labels: { quantile: '1' }, value: excess(lag.max) },
    ]),
  );
  return () => lag.disable();
}
