/** queue_config resolved with Prometheus' defaults, and the endpoint of one remote_write block. */
import type { Config } from '../config/schema.js';
import { authSettings, proxySettings, tlsSettings } from '../http-client/settings.js';
import { nodeTlsOptions } from '../http-client/tls.js';
import type { Endpoint } from './send.js';
import { createHash } from 'node:crypto';

export type RemoteWriteConfig = Config['remote_write'][number];

export interface QueueSettings {
  /** Samples read from the log per round, at least (a round also fills every shard once). */
  readonly capacity: number;
  readonly minShards: number;
  readonly maxShards: number;
  readonly maxSamplesPerSend: number;
  readonly batchSendDeadlineMs: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly retryOn429: boolean;
}

/** Prometheus 3's DefaultQueueConfig. */
const defaultQueue: QueueSettings = {
  capacity: 10_000,
  minShards: 1,
  maxShards: 50,
  maxSamplesPerSend: 2000,
  batchSendDeadlineMs: 5000,
  minBackoffMs: 30,
  maxBackoffMs: 5000,
  retryOn429: true,
};

export function queueSettings(c: RemoteWriteConfig['queue_config']): QueueSettings {
  const maxShards = Math.max(1, c.max_shards || defaultQueue.maxShards);
  const minShards = Math.min(maxShards, Math.max(1, c.min_shards || defaultQueue.minShards));
  const maxSamplesPerSend = Math.max(1, c.max_samples_per_send || defaultQueue.maxSamplesPerSend);
  return {
    capacity: Math.max(maxSamplesPerSend, c.capacity || defaultQueue.capacity),
    minShards,
    maxShards,
    maxSamplesPerSend,
    batchSendDeadlineMs: c.batch_send_deadline ?? defaultQueue.batchSendDeadlineMs,
    minBackoffMs: Math.max(1, c.min_backoff ?? defaultQueue.minBackoffMs),
    maxBackoffMs: Math.max(1, c.max_backoff ?? defaultQueue.maxBackoffMs),
    retryOn429: c.retry_on_http_429 ?? defaultQueue.retryOn429,
  };
}

/** What a queue sends besides float samples, and in which protocol. */
export interface ContentSettings {
  readonly sendHistograms: boolean;
  readonly sendExemplars: boolean;
  /** protobuf_message: prometheus.WriteRequest (1.0) or io.prometheus.write.v2.Request (2.0). */
  readonly protocol: '1.0' | '2.0';
  readonly metadata: { readonly send: boolean; readonly intervalMs: number; readonly maxPerSend: number };
}

/** Prometheus' defaults: metadata sent every minute, 500 per request. */
export function contentSettings(c: RemoteWriteConfig): ContentSettings {
  const md = c.metadata_config;
  return {
    sendHistograms: c.send_native_histograms,
    sendExemplars: c.send_exemplars,
    protocol: c.protobuf_message === 'io.prometheus.write.v2.Request' ? '2.0' : '1.0',
    metadata: { send: md.send ?? true, intervalMs: Math.max(1, md.send_interval ?? 60_000), maxPerSend: Math.max(1, md.max_samples_per_send || 500) },
  };
}

/** The `remote_name` label: the configured name, else a short hash of the block as Prometheus does. */
export function remoteName(c: RemoteWriteConfig | Config['remote_read'][number]): string {
  return c.name !== '' ? c.name : createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 6);
}

/** The endpoint of a remote_write or remote_read block (the same URL, timeout, headers and HTTP client fields). */
export function endpointOf(c: RemoteWriteConfig | Config['remote_read'][number], userAgent: string): Endpoint {
  return {
    url: new URL(c.url),
    auth: authSettings(c),
    tls: nodeTlsOptions(tlsSettings(c.tls_config)),
    headers: c.headers,
    timeoutMs: c.remote_timeout,
    followRedirects: c.follow_redirects,
    proxy: proxySettings(c),
    userAgent,
  };
}
