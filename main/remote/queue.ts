/**
 * One remote_write endpoint: reads durable batches from storage's log after its persisted
 * position, relabels their series, splits a round into shards (a series always in the same
 * shard, so its samples stay in order), sends each shard's requests in order with retries, and
 * only when the whole round is acknowledged (or dropped by a non-recoverable answer) moves and
 * persists the position. Delivery is at least once: a crash mid-round sends the round again.
 */
import { setMaxListeners } from 'node:events';
import type http from 'node:http';
import type { LogBatch } from '../tsdb/db.js';
import type { Labels } from '../tsdb/labels.js';
import { relabelFn } from '../scrape/relabel.js';
import type { Logger } from '../util/log.js';
import { encodeLabels, encodeWriteRequestFast, snappyCompress, type PreparedSeries } from './proto.js';
import { LabelPool } from './label-pool.js';
import { readPosition, writePosition, type Position } from './position.js';
import { endpointAgent, sendOnce, type Endpoint } from './send.js';
import type { QueueSettings } from './queue-settings.js';

/** What a queue needs from storage (TSDB implements it). */
export interface LogSource {
  readonly lastBatchId: number;
  readLog(afterId: number, maxSamples: number): LogBatch[];
  seriesLabels(ref: number): Labels;
}

export interface QueueStats {
  samplesTotal: number;
  samplesFailed: number;
  samplesRetried: number;
  samplesPending: number;
  bytesTotal: number;
  shards: number;
  /** Newest sample time acknowledged by the receiver, ms (0: none yet). */
  highestSentMs: number;
  lastError: string | null;
  lastErrorAtMs: number;
}

export interface QueueOptions {
  readonly name: string;
  readonly endpoint: Endpoint;
  readonly settings: QueueSettings;
  readonly relabel: RemoteWriteRelabel;
  readonly source: LogSource;
  readonly positionFile: string;
  readonly logger: Logger;
  /** How often an idle queue looks for new batches, ms (default 250). */
  readonly pollMs?: number;
  /** Called after the position moved (the manager recomputes the log hold). */
  readonly onProgress?: () => void;
}

interface RemoteWriteRelabel {
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly configs: Parameters<typeof relabelFn>[0];
}

class Stopped extends Error {}

export class RemoteWriteQueue {
  readonly stats: QueueStats = { samplesTotal: 0, samplesFailed: 0, samplesRetried: 0, samplesPending: 0, bytesTotal: 0, shards: 0, highestSentMs: 0, lastError: null, lastErrorAtMs: 0 };
  /** Newest batch id sent in full. */
  position: number;
  /** A round interrupted by a crash: sent again first, over the same batches and shards. */
  private replay: { end: number; shards: number } | null = null;
  private readonly abort = new AbortController();
  private readonly agent: http.Agent;
  private readonly labelCache = new LabelPool();
  /** Per series ref, reused by every round: samples of the ref in the round, and where the next goes. */
  private count = new Int32Array(1024);
  private fill = new Int32Array(1024);
  private readonly relabel: (l: Labels) => Labels | null;
  private running: Promise<void> | null = null;

  constructor(private readonly o: QueueOptions) {
    this.agent = endpointAgent(o.endpoint.url);
    // Every request in flight (up to max_shards) listens on this one signal.
    setMaxListeners(0, this.abort.signal);
    this.relabel = relabelFn(o.relabel.configs);
    this.stats.shards = o.settings.minShards;
    const saved = readPosition(o.positionFile);
    if (saved instanceof Error) {
      // Damaged: send everything the log still holds (duplicates rather than a gap).
      o.logger.warn(`remote write position ${o.positionFile} is unreadable (${saved.message}); resending what the log holds`);
      this.position = 0;
    } else if (saved === null) {
      // A new endpoint starts with what is stored from now on, as Prometheus does.
      this.position = o.source.lastBatchId;
      writePosition(o.positionFile, { done: this.position, roundEnd: 0, roundShards: 0 });
    } else {
      this.position = saved.done;
      if (saved.roundEnd > saved.done) this.replay = { end: saved.roundEnd, shards: saved.roundShards };
    }
  }

  /**
   * Samples read per round: enough for every shard to fill a request (max_samples_per_send ×
   * max_shards), at least `capacity`. A backlog is thus sent with full parallelism while memory
   * stays bounded by one round.
   */
  private get roundLimit(): number {
    const s = this.o.settings;
    return Math.max(s.capacity, s.maxSamplesPerSend * s.maxShards);
  }

  get name(): string {
    return this.o.name;
  }

  get url(): string {
    return this.o.endpoint.url.toString();
  }

  start(): void {
    this.running ??= this.loop().catch((err: unknown) => {
      if (!(err instanceof Stopped)) this.o.logger.error('remote write queue stopped on an unexpected error', { remote: this.o.name, error: String(err) });
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.agent.destroy();
  }

  /** Log rows ≤ `upToBatch` were deleted by retention before being sent: count them as failed. */
  logDropped(samples: number, upToBatch: number): void {
    if (this.position >= upToBatch) return;
    this.stats.samplesFailed += samples;
    this.fail(`retention deleted ${samples} samples of the log before they were sent`);
  }

  private fail(error: string): void {
    this.stats.lastError = error;
    this.stats.lastErrorAtMs = Date.now();
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.reject(new Stopped());
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(t);
        reject(new Stopped());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async loop(): Promise<void> {
    const s = this.o.settings;
    const poll = this.o.pollMs ?? 250;
    let waitingSince = 0;
    for (;;) {
      if (this.abort.signal.aborted) throw new Stopped();
      let batches: LogBatch[];
      const replay = this.replay;
      try {
        batches = replay === null ? this.o.source.readLog(this.position, this.roundLimit) : this.o.source.readLog(this.position, Infinity).filter((b) => b.id <= replay.end);
      } catch (err) {
        this.fail(`reading the log: ${(err as Error).message}`);
        await this.sleep(1000);
        continue;
      }
      const n = batches.reduce((a, b) => a + b.refs.length, 0);
      if (batches.length === 0) {
        waitingSince = 0;
        await this.sleep(poll);
        continue;
      }
      if (n < s.maxSamplesPerSend && replay === null) {
        const now = Date.now();
        if (waitingSince === 0) waitingSince = now;
        const left = waitingSince + s.batchSendDeadlineMs - now;
        if (left > 0) {
          await this.sleep(Math.min(poll, left));
          continue;
        }
      }
      waitingSince = 0;
      const end = batches[batches.length - 1]!.id;
      const shards = replay?.shards ?? Math.min(s.maxShards, Math.max(s.minShards, Math.ceil(n / s.maxSamplesPerSend)));
      this.save({ done: this.position, roundEnd: end, roundShards: shards });
      await this.sendRound(batches, shards);
      this.replay = null;
      this.position = end;
      this.save({ done: end, roundEnd: 0, roundShards: 0 });
      this.o.onProgress?.();
    }
  }

  /**
   * The round is recorded before it is sent: after a crash the same batches go out again split
   * the same way, so each request is one the receiver acknowledged whole or not at all. (A
   * receiver such as Prometheus refuses a request that repeats stored samples with "out of order
   * sample"; mixing new samples into it would lose them.)
   */
  private save(p: Position): void {
    try {
      writePosition(this.o.positionFile, p);
    } catch (err) {
      this.fail(`saving the position: ${(err as Error).message}`);
    }
  }

  /** Labels as sent: external labels added where absent, then write_relabel_configs; null when dropped. */
  private labelsOf(ref: number): Uint8Array | null {
    let l = this.labelCache.get(ref);
    if (l === undefined) {
      const own = this.o.source.seriesLabels(ref);
      const ext = this.o.relabel.externalLabels;
      let merged: Labels = own;
      const missing = Object.keys(ext).filter((k) => ext[k] !== '' && !own.some((x) => x.name === k));
      if (missing.length > 0) merged = [...own, ...missing.map((name) => ({ name, value: ext[name]! }))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const out = own.length === 0 ? null : this.relabel(merged);
      l = out === null || out.length === 0 ? null : encodeLabels(out);
      this.labelCache.set(ref, l);
    }
    return l;
  }

  /**
   * Groups a round's samples by series without an object or array per series: a counting pass
   * by ref (typed arrays indexed by ref, reused), then each series gets a contiguous range of two
   * round-wide Float64Arrays, shard by shard in order of first appearance. The requests are the
   * same as grouping with a Map per shard, at a fraction of the garbage.
   */
  private async sendRound(batches: LogBatch[], shards: number): Promise<void> {
    this.stats.shards = shards;
    const distinct: number[] = [];
    let kept = 0;
    for (const b of batches) {
      for (let i = 0; i < b.refs.length; i++) {
        const ref = b.refs[i]!;
        const state = this.labelCache.state(ref);
        if (state === 1 || (state === 0 && this.labelsOf(ref) === null)) continue;
        if (ref >= this.count.length) this.growRefArrays(ref);
        const c = this.count[ref]!;
        if (c === 0) distinct.push(ref);
        this.count[ref] = c + 1;
        kept++;
      }
    }
    const byShard: number[][] = Array.from({ length: shards }, () => []);
    for (const ref of distinct) byShard[ref % shards]!.push(ref);
    const t = new Float64Array(kept);
    const v = new Float64Array(kept);
    const perShard: PreparedSeries[][] = [];
    let pos = 0;
    for (const refs of byShard) {
      const list: PreparedSeries[] = [];
      for (const ref of refs) {
        const n = this.count[ref]!;
        list.push({ labels: this.labelsOf(ref)!, t, v, from: pos, to: pos + n });
        this.fill[ref] = pos;
        pos += n;
      }
      perShard.push(list);
    }
    for (const b of batches) {
      for (let i = 0; i < b.refs.length; i++) {
        const ref = b.refs[i]!;
        if (ref >= this.count.length || this.count[ref] === 0) continue;
        const at = this.fill[ref]!;
        this.fill[ref] = at + 1;
        t[at] = b.t[i]!;
        v[at] = b.v[i]!;
      }
    }
    for (const ref of distinct) this.count[ref] = 0;
    this.stats.samplesPending = kept;
    await Promise.all(perShard.map((series) => this.sendShard(series)));
  }

  private growRefArrays(ref: number): void {
    const size = Math.max(ref + 1, this.count.length * 2);
    const c = new Int32Array(size);
    c.set(this.count);
    this.count = c;
    this.fill = new Int32Array(size);
  }

  /** A shard's series cut into requests of at most max_samples_per_send samples, sent in order. */
  private async sendShard(series: PreparedSeries[]): Promise<void> {
    const max = this.o.settings.maxSamplesPerSend;
    let req: PreparedSeries[] = [];
    let count = 0;
    for (const ts of series) {
      for (let from = ts.from; from < ts.to; ) {
        const take = Math.min(max - count, ts.to - from);
        req.push(from === ts.from && take === ts.to - ts.from ? ts : { labels: ts.labels, t: ts.t, v: ts.v, from, to: from + take });
        count += take;
        from += take;
        if (count === max) {
          await this.sendWithRetry(req, count);
          req = [];
          count = 0;
        }
      }
    }
    if (count > 0) await this.sendWithRetry(req, count);
  }

  private async sendWithRetry(series: PreparedSeries[], count: number): Promise<void> {
    const s = this.o.settings;
    let highest = 0;
    for (const ts of series) for (let i = ts.from; i < ts.to; i++) if (ts.t[i]! > highest) highest = ts.t[i]!;
    const body = snappyCompress(encodeWriteRequestFast(series));
    let backoff = s.minBackoffMs;
    for (;;) {
      if (this.abort.signal.aborted) throw new Stopped();
      this.stats.samplesTotal += count;
      const r = await sendOnce(this.o.endpoint, this.agent, body, s.retryOn429, this.abort.signal);
      if (r.kind === 'sent') {
        this.stats.bytesTotal += body.length;
        if (highest > this.stats.highestSentMs) this.stats.highestSentMs = highest;
        this.stats.samplesPending -= count;
        return;
      }
      this.fail(r.error);
      if (r.kind === 'drop') {
        this.o.logger.warn(`remote write to ${this.o.name} dropped ${count} samples: ${r.error}`);
        this.stats.samplesFailed += count;
        this.stats.samplesPending -= count;
        return;
      }
      this.stats.samplesRetried += count;
      await this.sleep(r.retryAfterMs ?? backoff);
      backoff = Math.min(backoff * 2, s.maxBackoffMs);
    }
  }
}
