/**
 * Remote write, wired: one RemoteWrite (main/remote/) over storage, its self-metrics under
 * Prometheus' names (labelled remote_name and url, as Prometheus labels them), and the running
 * config applied on every load and reload.
 */
import { join } from 'node:path';
import { RemoteWrite } from '../remote/manager.js';
import type { FamilyMetadata } from '../remote/write-encode.js';
import type { ExemplarSource, KindStats, MetadataSource, RemoteWriteQueue, QueueStats } from '../remote/queue.js';
import type { TSDB } from '../tsdb/db.js';
import { callbackCollector, type MetricsRegistry, type Sample } from '../util/metrics.js';
import type { Logger } from '../util/log.js';

export interface RemoteWriteDeps {
  readonly tsdb: TSDB;
  /** The exemplar ring (send_exemplars). */
  readonly exemplars?: ExemplarSource;
  /** Scraped metadata of every family (metadata_config). */
  readonly metadata?: () => Record<string, readonly { type: string; help: string; unit: string }[]>;
  readonly dataDir: string;
  readonly userAgent: string;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
}

const perQueue: readonly [string, 'counter' | 'gauge', string, (s: QueueStats) => number][] = [
  ['prometheus_remote_storage_samples_total', 'counter', 'Total number of samples sent to remote storage (every attempt).', (s) => s.samplesTotal],
  ['prometheus_remote_storage_samples_failed_total', 'counter', 'Total number of samples which failed on send to remote storage, non-recoverable errors.', (s) => s.samplesFailed],
  ['prometheus_remote_storage_samples_retried_total', 'counter', 'Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.', (s) => s.samplesRetried],
  ['prometheus_remote_storage_samples_pending', 'gauge', 'The number of samples read from the log and not yet acknowledged by remote storage.', (s) => s.samplesPending],
  ['prometheus_remote_storage_shards', 'gauge', 'The number of shards used for parallel sending to the remote storage.', (s) => s.shards],
  ['prometheus_remote_storage_bytes_total', 'counter', 'The total number of bytes of data (not metadata) sent by the queue after compression.', (s) => s.bytesTotal],
  ['prometheus_remote_storage_queue_highest_sent_timestamp_seconds', 'gauge', 'Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.', (s) => s.highestSentMs / 1000],
];

/** Prometheus' per-kind series: histograms, exemplars and metadata beside the samples above. */
const perKind: readonly [string, 'counter' | 'gauge', string, keyof KindStats][] = [
  ['total', 'counter', 'Total number of {kind} sent to remote storage (every attempt).', 'total'],
  ['failed_total', 'counter', 'Total number of {kind} which failed on send to remote storage, non-recoverable errors.', 'failed'],
  ['retried_total', 'counter', 'Total number of {kind} which failed on send to remote storage but were retried because the send error was recoverable.', 'retried'],
  ['pending', 'gauge', 'The number of {kind} read and not yet acknowledged by remote storage.', 'pending'],
];

const logGauges: readonly [string, 'counter' | 'gauge', string, (tsdb: TSDB) => number][] = [
  ['vigil_remote_storage_held_log_bytes', 'gauge', 'Bytes of the durable log remote write reads from, at the last retention run.', (t) => t.stats().logBytes],
  ['vigil_remote_storage_held_log_max_bytes', 'gauge', 'Cap on the held log (0: none); past it the oldest unsent batches are deleted.', (t) => t.heldLogMaxBytes],
  ['vigil_remote_storage_held_log_dropped_samples_total', 'counter', 'Samples deleted from the held log before every endpoint sent them (time retention or the byte cap).', (t) => t.heldLogDroppedSamples],
];

function register(metrics: MetricsRegistry, queues: () => readonly RemoteWriteQueue[], tsdb: TSDB): void {
  for (const [name, type, help, f] of logGauges) metrics.register(callbackCollector(name, help, type, (): Sample[] => [{ name, labels: {}, value: f(tsdb) }]));
  for (const [name, type, help, f] of perQueue) {
    metrics.register(callbackCollector(name, help, type, (): Sample[] => queues().map((q) => ({ name, labels: { remote_name: q.name, url: q.url }, value: f(q.stats) }))));
  }
  for (const kind of ['histograms', 'exemplars', 'metadata'] as const) {
    for (const [suffix, type, help, field] of perKind) {
      if (kind === 'metadata' && field === 'pending') continue;
      const name = `prometheus_remote_storage_${kind}_${suffix}`;
      metrics.register(callbackCollector(name, help.replace('{kind}', kind), type, (): Sample[] => queues().map((q) => ({ name, labels: { remote_name: q.name, url: q.url }, value: q.stats[kind][field] }))));
    }
  }
  const mdBytes = 'prometheus_remote_storage_metadata_bytes_total';
  metrics.register(callbackCollector(mdBytes, 'The total number of bytes of metadata sent by the queue after compression.', 'counter', (): Sample[] => queues().map((q) => ({ name: mdBytes, labels: { remote_name: q.name, url: q.url }, value: q.stats.metadataBytes }))));
  metrics.register(
    callbackCollector('prometheus_remote_storage_highest_timestamp_in_seconds', 'Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch.', 'gauge', () =>
      Number.isFinite(tsdb.newestSampleMs) ? tsdb.newestSampleMs / 1000 : 0,
    ),
  );
}

/**
 * The scrape manager's metadata as remote write reads it: every family, or one by a sample's
 * name. Lookups (2.0 requests, one per series) go through a map rebuilt at most every 10 s.
 */
function metadataSource(get: NonNullable<RemoteWriteDeps['metadata']>): MetadataSource {
  const all = (): FamilyMetadata[] => Object.entries(get()).flatMap(([family, ms]) => (ms[0] === undefined ? [] : [{ family, type: ms[0].type, help: ms[0].help, unit: ms[0].unit }]));
  let byFamily = new Map<string, FamilyMetadata>();
  let builtAt = -Infinity;
  const first = (family: string): FamilyMetadata | undefined => {
    if (Date.now() - builtAt > 10_000) {
      byFamily = new Map(all().map((m) => [m.family, m]));
      builtAt = Date.now();
    }
    return byFamily.get(family);
  };
  return { all, lookup: (metric) => first(metric) ?? first(metric.replace(/_(total|bucket|sum|count|created|info)$/, '')) };
}

export function startRemoteWrite(d: RemoteWriteDeps): RemoteWrite {
  const rw = new RemoteWrite({
    storage: d.tsdb,
    dataDir: join(d.dataDir, 'remote-write'),
    userAgent: d.userAgent,
    logger: d.logger.child('remote_write'),
    ...(d.exemplars !== undefined ? { exemplars: d.exemplars } : {}),
    ...(d.metadata !== undefined ? { metadata: metadataSource(d.metadata) } : {}),
  });
  register(d.metrics, () => rw.running, d.tsdb);
  return rw;
}
