/**
 * Query admission on /metrics, under Prometheus' names where one exists
 * (prometheus_engine_queries, prometheus_engine_queries_concurrent_max), so the same dashboards
 * show whether queries are queueing or being refused.
 */
import type { PromQLEngine } from '../promql/engine.js';
import { callbackCollector, type MetricsRegistry } from '../util/metrics.js';

export function registerQueryMetrics(registry: MetricsRegistry, engine: PromQLEngine): void {
  const a = () => engine.admission();
  registry.register(
    callbackCollector('prometheus_engine_queries', 'The current number of queries being executed or waiting.', 'gauge', () => {
      const s = a();
      return s.running + s.queued.interactive + s.queued.bulk;
    }),
  );
  registry.register(callbackCollector('prometheus_engine_queries_concurrent_max', 'The max number of concurrent queries.', 'gauge', () => a().maxConcurrent));
  registry.register(
    callbackCollector('vigil_engine_queries_queued', 'Queries waiting for a slot, by priority class.', 'gauge', () =>
      Object.entries(a().queued).map(([priority, value]) => ({ name: 'vigil_engine_queries_queued', labels: { priority }, value })),
    ),
  );
  registry.register(
    callbackCollector('vigil_engine_queries_refused_total', 'Queries ended by a limit, by reason.', 'counter', () =>
      Object.entries(a().refused).map(([reason, value]) => ({ name: 'vigil_engine_queries_refused_total', labels: { reason }, value })),
    ),
  );
}
