/**
 * Every remote_write block of the running config as a queue. A reload keeps a queue whose block
 * is unchanged, restarts one whose block changed (its position file is named by url and name,
 * so it resumes), and stops removed ones. The manager also holds storage's log: batches from the
 * oldest position on are kept until every queue has sent them.
 */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from '../util/log.js';
import { positionFile } from './position.js';
import { RemoteWriteQueue, type ExemplarSource, type LogSource, type MetadataSource } from './queue.js';
import { contentSettings, endpointOf, queueSettings, remoteName } from './queue-settings.js';

/** What the manager needs from storage besides reading the log (TSDB implements it). */
interface HeldLog extends LogSource {
  holdLog(fromBatch: number): Promise<void>;
  onHeldLogDropped(f: (d: { samples: number; upToBatch: number }) => void): () => void;
}

export interface RemoteWriteOptions {
  readonly storage: HeldLog;
  /** Folder of the position files (`<data>/remote-write`). */
  readonly dataDir: string;
  readonly userAgent: string;
  readonly logger: Logger;
  readonly pollMs?: number;
  /** The exemplar ring, for endpoints with send_exemplars. */
  readonly exemplars?: ExemplarSource;
  /** Scraped metadata, for endpoints with metadata_config.send. */
  readonly metadata?: MetadataSource;
  /** Minimum time between two log-hold updates, ms (default 5 s; a lower hold is set at once). */
  readonly holdEveryMs?: number;
}

interface Running {
  readonly key: string;
  readonly queue: RemoteWriteQueue;
}

export class RemoteWrite {
  private queues: Running[] = [];
  private hold = -1;
  private holdAt = 0;
  private holdTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly stopDropListener: () => void;

  constructor(private readonly o: RemoteWriteOptions) {
    this.stopDropListener = o.storage.onHeldLogDropped((d) => {
      for (const r of this.queues) r.queue.logDropped(d.samples, d.upToBatch);
    });
  }

  get running(): readonly RemoteWriteQueue[] {
    return this.queues.map((r) => r.queue);
  }

  /** Applies the remote_write blocks of a config; calls are serialised. */
  apply(cfg: Config): Promise<void> {
    this.chain = this.chain.then(() => this.applyNow(cfg)).catch((err: unknown) => this.o.logger.error('applying remote_write failed', { error: String(err) }));
    return this.chain;
  }

  private async applyNow(cfg: Config): Promise<void> {
    const wanted = cfg.remote_write.map((c) => ({ c, key: JSON.stringify([c, cfg.global.external_labels]) }));
    const keep = new Set(wanted.map((w) => w.key));
    const stopping = this.queues.filter((r) => !keep.has(r.key));
    this.queues = this.queues.filter((r) => keep.has(r.key));
    await Promise.all(stopping.map((r) => r.queue.stop()));
    const have = new Set(this.queues.map((r) => r.key));
    const started: RemoteWriteQueue[] = [];
    for (const { c, key } of wanted) {
      if (have.has(key)) continue;
      const name = remoteName(c);
      try {
        const queue = new RemoteWriteQueue({
          name,
          endpoint: endpointOf(c, this.o.userAgent),
          settings: queueSettings(c.queue_config),
          content: contentSettings(c),
          ...(this.o.exemplars !== undefined ? { exemplarSource: this.o.exemplars } : {}),
          ...(this.o.metadata !== undefined ? { metadataSource: this.o.metadata } : {}),
          relabel: { externalLabels: cfg.global.external_labels, configs: c.write_relabel_configs },
          source: this.o.storage,
          positionFile: positionFile(join(this.o.dataDir), c.url, c.name),
          logger: this.o.logger,
          ...(this.o.pollMs !== undefined ? { pollMs: this.o.pollMs } : {}),
          onProgress: () => this.scheduleHold(),
        });
        this.queues.push({ key, queue });
        started.push(queue);
      } catch (err) {
        this.o.logger.error(`remote_write ${name}: cannot start: ${(err as Error).message}`);
      }
    }
    // Hold the log from the oldest position before the new queues read from it.
    await this.updateHold();
    for (const q of started) q.start();
  }

  private scheduleHold(): void {
    if (this.holdTimer !== undefined) return;
    const wait = Math.max(0, this.holdAt + (this.o.holdEveryMs ?? 5000) - Date.now());
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined;
      this.updateHold().catch((err: unknown) => this.o.logger.warn('updating the log hold failed', { error: String(err) }));
    }, wait);
    this.holdTimer.unref();
  }

  /** The log hold: the oldest batch any queue has not sent (0 = no queue, no hold). */
  private async updateHold(): Promise<void> {
    const from = this.queues.length === 0 ? 0 : Math.min(...this.queues.map((r) => r.queue.position)) + 1;
    this.holdAt = Date.now();
    if (from === this.hold) return;
    await this.o.storage.holdLog(from);
    this.hold = from;
  }

  async stop(): Promise<void> {
    await this.chain;
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.stopDropListener();
    await Promise.all(this.queues.map((r) => r.queue.stop()));
    // The positions are saved: let the log go up to them (the hold stays for the next start).
    if (this.queues.length > 0) await this.updateHold().catch((err: unknown) => this.o.logger.warn('updating the log hold failed', { error: String(err) }));
    this.queues = [];
  }
}
