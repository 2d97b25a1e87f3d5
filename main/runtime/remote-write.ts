/**
 * Remote write, wired: one RemoteWrite (main/remote/) over storage, its self-metrics under
 * Prometheus' names (labelled remote_name and url, as Prometheus labels them), and the running
 * config applied on every load and reload.
 */
import { join } from 'node:path';
import { RemoteWrite } from '../remote/manager.js';
import type { RemoteWriteQueue, QueueStats } from '../remote/queue.js';
import type { TSDB } from '../tsdb/db.js';
import { callbackCollector, type MetricsRegistry, type Sample } from '../util/metrics.js';
import type { Logger } from '../util/log.js';

export interface RemoteWriteDeps {
  readonly tsdb: TSDB;
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
  metrics.register(
    callbackCollector('prometheus_remote_storage_highest_timestamp_in_seconds', 'Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch.', 'gauge', () =>
      Number.isFinite(tsdb.newestSampleMs) ? tsdb.newestSampleMs / 1000 : 0,
    ),
  );
}

export function startRemoteWrite(d: RemoteWriteDeps): RemoteWrite {
  const rw = new RemoteWrite({ storage: d.tsdb, dataDir: join(d.dataDir, 'remote-write'), userAgent: d.userAgent, logger: d.logger.child('remote_write') });
  register(d.metrics, () => rw.running, d.tsdb);
  return rw;
}
