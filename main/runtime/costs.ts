/**
 * What Vigil holds and costs, for the Status page: storage counters sampled every 15 s into a
 * one-hour ring, from which samples/s (last minute) and storage growth (up to the last hour)
 * are derived; memory by part and event-loop lag are read when asked.
 */
import type { Status } from '../../app/api/status.js';
import type { TsdbStats } from '../tsdb/db.js';
import type { LagFigures } from '../util/process-metrics.js';

type Costs = NonNullable<Status['costs']>;

interface Point {
  t: number;
  samples: number;
  bytes: number;
}

export interface CostSources {
  stats: () => TsdbStats;
  indexBytes: () => number;
  /** Bytes held by the range result cache (main/query-frontend/), when there is one. */
  rangeCacheBytes?: () => number;
  oldestSampleMs: () => number | null;
  lag: () => LagFigures;
  retentionMs: number | null;
  retentionBytes: number | null;
  now?: () => number;
}

const everyMs = 15_000;
const keepMs = 60 * 60_000;

export class CostTracker {
  private readonly points: Point[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;

  constructor(private readonly src: CostSources) {
    this.now = src.now ?? Date.now;
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Records one point (the timer calls this; tests call it with a fake clock). */
  sample(): void {
    const s = this.src.stats();
    const t = this.now();
    this.points.push({ t, samples: s.samplesAppended, bytes: s.bytesOnDisk });
    while (this.points.length > 2 && this.points[0]!.t < t - keepMs) this.points.shift();
  }

  /** The newest point at least `minAgeMs` older than `ref`, preferring the one closest to `wantAgeMs`. */
  private baseline(ref: Point, minAgeMs: number, wantAgeMs: number): Point | null {
    let best: Point | null = null;
    for (const p of this.points) {
      const age = ref.t - p.t;
      if (age < minAgeMs) continue;
      if (best === null || Math.abs(age - wantAgeMs) < Math.abs(ref.t - best.t - wantAgeMs)) best = p;
    }
    return best;
  }

  costs(): Costs {
    const s = this.src.stats();
    const cur: Point = { t: this.now(), samples: s.samplesAppended, bytes: s.bytesOnDisk };
    const minute = this.baseline(cur, 55_000, 60_000);
    const hour = this.baseline(cur, 5 * 60_000, keepMs);
    const samplesPerSecond = minute ? Math.max(0, (cur.samples - minute.samples) / ((cur.t - minute.t) / 1000)) : null;
    const growth = hour ? (cur.bytes - hour.bytes) / ((cur.t - hour.t) / 3_600_000) : null;
    const limit = this.src.retentionBytes;
    const sizeLimitReachedInMs = limit !== null && growth !== null && growth > 0 ? Math.max(0, ((limit - cur.bytes) / growth) * 3_600_000) : null;
    const m = process.memoryUsage();
    return {
      series: s.series,
      headSeries: s.headSeries,
      samplesPerSecond,
      storageBytes: s.bytesOnDisk,
      storageGrowthBytesPerHour: growth,
      retention: { oldestSampleMs: this.src.oldestSampleMs(), timeMs: this.src.retentionMs, bytes: limit, sizeLimitReachedInMs },
      memory: [
        { part: 'resident (whole process)', bytes: m.rss },
        { part: 'JavaScript heap', bytes: m.heapUsed },
        { part: 'buffers outside the heap', bytes: m.external + m.arrayBuffers },
        { part: 'series index arrays', bytes: this.src.indexBytes() },
        ...(this.src.rangeCacheBytes ? [{ part: 'range query result cache', bytes: this.src.rangeCacheBytes() }] : []),
      ],
      eventLoopLag: this.src.lag(),
    };
  }
}
