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
import type { NativeHistogram } from '../tsdb/interface.js';
import { isHistogramMarker } from '../tsdb/histogram-log.js';
import { encodeLabels, snappyCompress, type PreparedSeries } from './proto.js';
import { encodeV1, encodeV1Metadata, encodeV2, type ExemplarSeries, type FamilyMetadata, type HistogramSeries, type RequestPart } from './write-encode.js';
import { LabelPool } from './label-pool.js';
import { readPosition, writePosition, type Position } from './position.js';
import { endpointAgent, sendOnce, type Endpoint } from './send.js';
import type { ContentSettings, QueueSettings } from './queue-settings.js';

/** What a queue needs from storage (TSDB implements it). */
export interface LogSource {
  readonly lastBatchId: number;
  readLog(afterId: number, maxSamples: number, histograms?: boolean): LogBatch[];
  seriesLabels(ref: number): Labels;
}

/** An exemplar as the in-memory ring holds it (main/tsdb/exemplars.ts implements this). */
export interface ExemplarSource {
  /** Sequence number of the newest exemplar kept (0: none yet). */
  readonly lastSeq: number;
  /** Exemplars kept with a sequence number above `afterSeq`, oldest first (older ones were overwritten). */
  since(afterSeq: number): { ref: number; exemplar: { labels: Labels; value: number; ts: number } }[];
}

/** Scraped metric metadata (main/runtime wires the scrape manager's). */
export interface MetadataSource {
  all(): FamilyMetadata[];
  /** By sample metric name: exact, or its family's (`_total`, `_bucket`, …). */
  lookup(metric: string): FamilyMetadata | undefined;
}

/** Counters per kind of data, under Prometheus' names (samples, histograms, exemplars, metadata). */
export interface KindStats {
  total: number;
  failed: number;
  retried: number;
  pending: number;
}

const kindStats = (): KindStats => ({ total: 0, failed: 0, retried: 0, pending: 0 });

export interface QueueStats {
  samplesTotal: number;
  samplesFailed: number;
  samplesRetried: number;
  samplesPending: number;
  histograms: KindStats;
  exemplars: KindStats;
  metadata: KindStats;
  /** Bytes of metadata requests sent (prometheus_remote_storage_metadata_bytes_total). */
  metadataBytes: number;
  /** The protocol in use: 2.0 until a receiver answers 415, then 1.0. */
  protocol: '1.0' | '2.0';
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
  readonly content: ContentSettings;
  readonly relabel: RemoteWriteRelabel;
  readonly exemplarSource?: ExemplarSource;
  readonly metadataSource?: MetadataSource;
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
  readonly stats: QueueStats = {
    samplesTotal: 0,
    samplesFailed: 0,
    samplesRetried: 0,
    samplesPending: 0,
    histograms: kindStats(),
    exemplars: kindStats(),
    metadata: kindStats(),
    metadataBytes: 0,
    protocol: '1.0',
    bytesTotal: 0,
    shards: 0,
    highestSentMs: 0,
    lastError: null,
    lastErrorAtMs: 0,
  };
  /** Sequence number of the newest exemplar taken into a round. */
  private exemplarSeq: number;
  /** Labels as sent, per ref, for 2.0 requests (1.0 ones use the encoded sections). */
  private readonly sentLabels = new Map<number, Labels>();
  private metadataTimer: NodeJS.Timeout | undefined;
  private metadataRunning: Promise<void> | null = null;
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
    this.stats.protocol = o.content.protocol;
    // Exemplars are not durable (main/remote/FORMAT.md): a queue sends those kept from its start on.
    this.exemplarSeq = o.exemplarSource?.lastSeq ?? 0;
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
    const md = this.o.content.metadata;
    // 2.0 carries metadata in each series; 1.0 sends it in requests of its own, every send_interval.
    if (md.send && this.o.metadataSource !== undefined && this.metadataTimer === undefined) {
      this.metadataTimer = setInterval(() => this.metadataTick(), md.intervalMs);
      this.metadataTimer.unref();
      setImmediate(() => this.metadataTick());
    }
  }

  /** Sends the metadata now over 1.0, unless a send is still running or the queue speaks 2.0. */
  private metadataTick(): void {
    if (this.metadataRunning !== null || this.stats.protocol !== '1.0' || this.abort.signal.aborted) return;
    if (!this.o.content.metadata.send || this.o.metadataSource === undefined) return;
    this.metadataRunning = this.sendMetadata().finally(() => (this.metadataRunning = null));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.metadataTimer);
    await this.running;
    await this.metadataRunning;
    this.agent.destroy();
  }

  /** All scraped metadata in requests of at most metadata_config.max_samples_per_send entries. */
  private async sendMetadata(): Promise<void> {
    const all = this.o.metadataSource!.all();
    const max = this.o.content.metadata.maxPerSend;
    try {
      for (let i = 0; i < all.length; i += max) {
        const part = all.slice(i, i + max);
        await this.sendWithRetry(encodeV1Metadata(part), part.length, 'metadata', 0, false);
      }
    } catch (err) {
      if (!(err instanceof Stopped)) this.fail(`sending metadata: ${(err as Error).message}`);
    }
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
        const hs = this.o.content.sendHistograms;
        batches = replay === null ? this.o.source.readLog(this.position, this.roundLimit, hs) : this.o.source.readLog(this.position, Infinity, hs).filter((b) => b.id <= replay.end);
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
      if (l !== null && this.o.content.protocol === '2.0') this.sentLabels.set(ref, out!);
    }
    return l;
  }

  /**
   * Groups a round's samples by series without an object or array per series: a counting pass
   * by ref (typed arrays indexed by ref, reused), then each series gets a contiguous range of two
   * round-wide Float64Arrays, shard by shard in order of first appearance. The requests are the
   * same as grouping with a Map per shard, at a fraction of the garbage. Floats and histograms
   * are grouped apart (`histograms`): each request carries one kind.
   */
  private group(batches: LogBatch[], shards: number, histograms: boolean): { perShard: PreparedSeries[][]; kept: number; hs: (NativeHistogram | undefined)[] } {
    const distinct: number[] = [];
    let kept = 0;
    for (const b of batches) {
      for (let i = 0; i < b.refs.length; i++) {
        if ((b.histograms !== undefined && isHistogramMarker(b.v[i]!)) !== histograms) continue;
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
    const hs: (NativeHistogram | undefined)[] = histograms ? new Array<NativeHistogram | undefined>(kept) : [];
    const perShard: PreparedSeries[][] = [];
    let pos = 0;
    for (const refs of byShard) {
      const list: PreparedSeries[] = [];
      for (const ref of refs) {
        const n = this.count[ref]!;
        const series: PreparedSeries | HistogramSeries = histograms ? { labels: this.labelsOf(ref)!, ref, t, v, hs, from: pos, to: pos + n } : { labels: this.labelsOf(ref)!, ref, t, v, from: pos, to: pos + n };
        list.push(series);
        this.fill[ref] = pos;
        pos += n;
      }
      perShard.push(list);
    }
    for (const b of batches) {
      let marker = 0;
      for (let i = 0; i < b.refs.length; i++) {
        const isH = b.histograms !== undefined && isHistogramMarker(b.v[i]!);
        const h = isH ? b.histograms![marker++] : undefined;
        if (isH !== histograms) continue;
        const ref = b.refs[i]!;
        if (ref >= this.count.length || this.count[ref] === 0) continue;
        const at = this.fill[ref]!;
        this.fill[ref] = at + 1;
        t[at] = b.t[i]!;
        v[at] = b.v[i]!;
        if (histograms) hs[at] = h;
      }
    }
    for (const ref of distinct) this.count[ref] = 0;
    return { perShard, kept, hs };
  }

  /** Exemplars kept since the last round, of series that are sent, grouped by series and shard. */
  private takeExemplars(shards: number): { perShard: ExemplarSeries[][]; kept: number } {
    const src = this.o.exemplarSource;
    const perShard: ExemplarSeries[][] = Array.from({ length: shards }, () => []);
    if (src === undefined) return { perShard, kept: 0 };
    const list = src.since(this.exemplarSeq);
    this.exemplarSeq = src.lastSeq;
    const byRef = new Map<number, { labels: Labels; value: number; ts: number }[]>();
    let kept = 0;
    for (const { ref, exemplar } of list) {
      if (this.labelsOf(ref) === null) continue;
      let l = byRef.get(ref);
      if (l === undefined) byRef.set(ref, (l = []));
      l.push(exemplar);
      kept++;
    }
    for (const [ref, exemplars] of byRef) perShard[ref % shards]!.push({ labels: this.labelsOf(ref)!, ref, exemplars });
    return { perShard, kept };
  }

  private async sendRound(batches: LogBatch[], shards: number): Promise<void> {
    this.stats.shards = shards;
    const floats = this.group(batches, shards, false);
    const hists = this.o.content.sendHistograms ? this.group(batches, shards, true) : null;
    const ex = this.o.content.sendExemplars ? this.takeExemplars(shards) : null;
    this.stats.samplesPending = floats.kept;
    this.stats.histograms.pending = hists?.kept ?? 0;
    this.stats.exemplars.pending = ex?.kept ?? 0;
    await Promise.all(
      floats.perShard.map(async (series, k) => {
        await this.sendShard(series, 'samples');
        if (hists !== null) await this.sendShard(hists.perShard[k]!, 'histograms');
        if (ex !== null) await this.sendExemplars(ex.perShard[k]!);
      }),
    );
  }

  private growRefArrays(ref: number): void {
    const size = Math.max(ref + 1, this.count.length * 2);
    const c = new Int32Array(size);
    c.set(this.count);
    this.count = c;
    this.fill = new Int32Array(size);
  }

  /** A shard's series cut into requests of at most max_samples_per_send samples, sent in order. */
  private async sendShard(series: PreparedSeries[], kind: 'samples' | 'histograms'): Promise<void> {
    const max = this.o.settings.maxSamplesPerSend;
    let req: PreparedSeries[] = [];
    let count = 0;
    for (const ts of series) {
      for (let from = ts.from; from < ts.to; ) {
        const take = Math.min(max - count, ts.to - from);
        req.push(from === ts.from && take === ts.to - ts.from ? ts : { ...ts, from, to: from + take });
        count += take;
        from += take;
        if (count === max) {
          await this.sendPart({ kind, series: req } as RequestPart, count);
          req = [];
          count = 0;
        }
      }
    }
    if (count > 0) await this.sendPart({ kind, series: req } as RequestPart, count);
  }

  private async sendExemplars(series: ExemplarSeries[]): Promise<void> {
    const max = this.o.settings.maxSamplesPerSend;
    let req: ExemplarSeries[] = [];
    let count = 0;
    for (const s of series) {
      req.push(s);
      count += s.exemplars.length;
      if (count >= max) {
        await this.sendPart({ kind: 'exemplars', series: req }, count);
        req = [];
        count = 0;
      }
    }
    if (count > 0) await this.sendPart({ kind: 'exemplars', series: req }, count);
  }

  private encode(part: RequestPart): Uint8Array {
    if (this.stats.protocol === '1.0') return encodeV1(part);
    const md = this.o.content.metadata.send ? this.o.metadataSource : undefined;
    return encodeV2(part, {
      labelsOf: (ref) => this.sentLabels.get(ref) ?? [],
      ...(md !== undefined ? { metadataOf: (name: string) => md.lookup(name) } : {}),
    });
  }

  private async sendPart(part: RequestPart, count: number): Promise<void> {
    let highest = 0;
    if (part.kind !== 'exemplars') for (const ts of part.series) for (let i = ts.from; i < ts.to; i++) if (ts.t[i]! > highest) highest = ts.t[i]!;
    for (;;) {
      const protocol = this.stats.protocol;
      const ok = await this.sendWithRetry(this.encode(part), count, part.kind, highest, protocol === '2.0');
      if (ok === 'done') return;
      // The receiver speaks 1.0 only: fall back for as long as the queue runs and send this again.
      this.o.logger.warn(`remote write to ${this.o.name}: ${ok}; falling back to remote write 1.0`);
      this.fail(`${ok}; falling back to remote write 1.0`);
      this.stats.protocol = '1.0';
      setImmediate(() => this.metadataTick());
    }
  }

  private statsOf(kind: RequestPart['kind'] | 'metadata'): KindStats | null {
    return kind === 'samples' ? null : this.stats[kind];
  }

  private tally(kind: RequestPart['kind'] | 'metadata', field: keyof KindStats, n: number): void {
    const k = this.statsOf(kind);
    if (k !== null) k[field] += n;
    else if (field === 'total') this.stats.samplesTotal += n;
    else if (field === 'failed') this.stats.samplesFailed += n;
    else if (field === 'retried') this.stats.samplesRetried += n;
    else this.stats.samplesPending += n;
  }

  /**
   * 'done', or why a 2.0 request showed the receiver does not take 2.0 (the caller falls back to
   * 1.0 and sends the data again): an answer 415, or a 2xx without any -Written header — what a
   * 1.0 receiver such as Prometheus 2.x answers after reading a 2.0 body as an empty 1.0 request.
   */
  private async sendWithRetry(encoded: Uint8Array, count: number, kind: RequestPart['kind'] | 'metadata', highest: number, v2: boolean): Promise<string> {
    const s = this.o.settings;
    const body = snappyCompress(encoded);
    let backoff = s.minBackoffMs;
    for (;;) {
      if (this.abort.signal.aborted) throw new Stopped();
      this.tally(kind, 'total', count);
      const r = await sendOnce(this.o.endpoint, this.agent, body, s.retryOn429, this.abort.signal, v2);
      if (r.kind === 'sent') {
        if (v2 && r.written === undefined) {
          this.tally(kind, 'total', -count);
          return 'the receiver answered a remote write 2.0 request without X-Prometheus-Remote-Write-*-Written headers';
        }
        if (kind === 'metadata') this.stats.metadataBytes += body.length;
        else this.stats.bytesTotal += body.length;
        if (highest > this.stats.highestSentMs) this.stats.highestSentMs = highest;
        this.tally(kind, 'pending', -count);
        // A 2.0 receiver says how much it wrote; a shortfall is data it refused.
        const written = v2 && kind !== 'metadata' ? (r.written?.[kind] ?? 0) : count;
        if (written < count) {
          this.tally(kind, 'failed', count - written);
          this.fail(`the receiver wrote ${written} of ${count} ${kind}`);
        }
        return 'done';
      }
      if (r.kind === 'drop' && r.status === 415 && v2) {
        this.tally(kind, 'total', -count);
        return 'the receiver refused remote write 2.0 (HTTP 415)';
      }
      this.fail(r.error);
      // Prometheus 2.x with the feature off answers histograms with 500 "native histograms are
      // disabled": retrying cannot help and would hold every later round, so it drops them.
      if (r.kind === 'drop' || (kind === 'histograms' && r.error.includes('native histograms are disabled'))) {
        this.o.logger.warn(`remote write to ${this.o.name} dropped ${count} ${kind}: ${r.error}`);
        this.tally(kind, 'failed', count);
        this.tally(kind, 'pending', -count);
        return 'done';
      }
      this.tally(kind, 'retried', count);
      await this.sleep(r.retryAfterMs ?? backoff);
      backoff = Math.min(backoff * 2, s.maxBackoffMs);
    }
  }
}
