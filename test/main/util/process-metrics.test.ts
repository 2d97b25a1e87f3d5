import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../../main/util/metrics.js';
import { registerProcessMetrics } from '../../../main/util/process-metrics.js';

const value = (text: string, name: string, quantile: string): number => {
  const m = new RegExp(`^${name}\\{quantile="${quantile.replace('.', '\\.')}"\\} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`no ${name}{quantile="${quantile}"} in\n${text}`);
  return Number(m[1]);
};

describe('event-loop lag self-metrics', () => {
  it('catch a block of the main thread, since start and over the last minute', async () => {
    const registry = new MetricsRegistry();
    const stop = registerProcessMetrics(registry, Date.now());
    try {
      await new Promise((r) => setTimeout(r, 200));
      const blockUntil = performance.now() + 150;
      while (performance.now() < blockUntil); // the main thread does nothing else for 150 ms
      await new Promise((r) => setTimeout(r, 120));
      const text = registry.render();
      // A 150 ms block delays the 50 ms timer by at least 100 ms beyond its period.
      expect(value(text, 'vigil_event_loop_lag_seconds', '1')).toBeGreaterThanOrEqual(0.09);
      expect(value(text, 'vigil_event_loop_lag_last_minute_seconds', '1')).toBeGreaterThanOrEqual(0.09);
      expect(value(text, 'vigil_event_loop_lag_last_minute_seconds', '0.5')).toBeLessThan(value(text, 'vigil_event_loop_lag_last_minute_seconds', '1'));
    } finally {
      stop();
    }
  });

  it('after an idle stretch (timer slowed to 500 ms) report no lag for quiet time and still catch a long block', async () => {
    const registry = new MetricsRegistry();
    const stop = registerProcessMetrics(registry, Date.now());
    try {
      await new Promise((r) => setTimeout(r, 1500)); // idle: the timer slows down after 300 ms
      // Excess is measured against the period the timer ran at: quiet 500 ms ticks are not 450 ms late.
      expect(value(registry.render(), 'vigil_event_loop_lag_seconds', '1')).toBeLessThan(0.3);
      const blockUntil = performance.now() + 700;
      while (performance.now() < blockUntil); // longer than the slow period: a due tick waits >= 200 ms
      await new Promise((r) => setTimeout(r, 100));
      expect(value(registry.render(), 'vigil_event_loop_lag_seconds', '1')).toBeGreaterThanOrEqual(0.15);
    } finally {
      stop();
    }
  });
});
