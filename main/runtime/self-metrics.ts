/**
 * Vigil's own /metrics: process and event-loop figures, storage, scraping and queries. Read at
 * scrape time from each subsystem's counters, so nothing extra runs on the hot paths.
 */
import type { TSDB } from '../tsdb/db.js';
import type { ScrapeManager } from '../scrape/manager.js';
import { callbackCollector, MetricsRegistry, type Sample } from '../util/metrics.js';
import { registerProcessMetrics, type LagFigures } from '../util/process-metrics.js';

export interface SelfMetricsDeps {
  startTimeMs: number;
  tsdb: TSDB;
  scrape: () => ScrapeManager | null;
}

export function buildSelfMetrics(deps: SelfMetricsDeps): { registry: MetricsRegistry; stop: () => void; lastMinuteLag: () => LagFigures } {
  const registry = new MetricsRegistry();
  const stop = registerProcessMetrics(registry, deps.startTimeMs);
  const t = () => deps.tsdb.stats();
  const gauge = (name: string, help: string, f: () => number) => registry.register(callbackCollector(name, help, 'gauge', f));
  const counter = (name: string, help: string, f: () => number | Sample[]) => registry.register(callbackCollector(name, help, 'counter', f));
  gauge('vigil_tsdb_series', 'Series in the index.', () => t().series);
  gauge('vigil_tsdb_head_series', 'Series with samples in open (head) chunks.', () => t().headSeries);
  gauge('vigil_tsdb_head_samples', 'Samples in open (head) chunks.', () => t().headSamples);
  counter('vigil_tsdb_samples_appended_total', 'Samples committed to storage.', () => t().samplesAppended);
  counter('vigil_tsdb_chunks_written_total', 'Sealed chunks written to SQLite.', () => t().chunksWritten);
  gauge('vigil_tsdb_bytes_on_disk', 'Size of the database files.', () => t().bytesOnDisk);
  counter('vigil_tsdb_compactions_total', 'Log truncations and retention passes.', () => t().compactions);
  counter('vigil_tsdb_worker_restarts_total', 'Times the compression worker was respawned.', () => t().workerRestarts);
  gauge('vigil_tsdb_ingestion_paused', '1 while storage cannot write (disk full, I/O error) and commits are refused.', () => (t().paused === null ? 0 : 1));
  counter('vigil_tsdb_write_failures_total', 'Commits storage could not make durable.', () => t().writeFailures);
  counter('vigil_tsdb_quarantined_chunks_total', 'Chunks found damaged and set aside.', () => t().quarantinedChunks);
  counter('vigil_tsdb_rejected_samples_total', 'Samples refused by storage, by reason.', () =>
    Object.entries(t().rejectedSamples).map(([reason, value]) => ({ name: 'vigil_tsdb_rejected_samples_total', labels: { reason }, value })),
  );
  const s = () => deps.scrape()?.selfMetrics();
  counter('vigil_scrapes_total', 'Scrapes attempted.', () => s()?.scrapesTotal ?? 0);
  counter('vigil_scrape_failures_total', 'Failed scrapes, by reason.', () =>
    Object.entries(s()?.failuresTotal ?? {}).map(([reason, value]) => ({ name: 'vigil_scrape_failures_total', labels: { reason }, value: value ?? 0 })),
  );
  counter('vigil_scrape_samples_appended_total', 'Samples appended by scrapes.', () => s()?.samplesAppendedTotal ?? 0);
  counter('vigil_scrape_samples_rejected_total', 'Scraped samples refused by storage.', () => s()?.samplesRejectedTotal ?? 0);
  // Prometheus' own name, so its dashboards and alerts on out-of-bounds samples work unchanged.
  counter('prometheus_target_scrapes_sample_out_of_bounds_total', 'Total number of samples rejected due to timestamp falling outside of the time bounds.', () => s()?.samplesOutOfBoundsTotal ?? 0);
  counter('vigil_scrape_stale_markers_total', 'Staleness markers written by scrapes.', () => s()?.staleMarkersTotal ?? 0);
  gauge('vigil_scrape_active_targets', 'Targets being scraped.', () => s()?.activeTargets ?? 0);
  gauge('vigil_scrape_cache_entries', 'Entries in the scrape caches.', () => s()?.cacheEntries ?? 0);
  return { registry, stop, lastMinuteLag: stop.lastMinuteLag };
}
