/**
 * What Vigil holds and costs, for the Status page: storage counters sampled every 15 s into a
 * one-hour ring, from which samples/s (last minute) and storage growth (up to the last hour)
 * are derived, and CPU share and wake-ups per second (last minute) from the process' resource
 * usage (getrusage: all threads, on Linux, macOS and Windows alike); memory by part and
 * event-loop lag are read when asked.
 */
import type { Status } from '../../app/api/status.js';
import type { TsdbStats } from '../tsdb/db.js';
import type { LagFigures } from '../util/process-metrics.js';

type Costs = NonNullable<Status['costs']>;

interface Point {
  t: number;
  samples: number;
  bytes: number;
  /** Process CPU time (user + system), microseconds, and context switches so far. */
  cpuMicros: number;
  switches: number;
}

/** CPU time and context switches of the whole process so far. */
export interface ProcessUsage {
  cpuMicros: number;
  switches: number;
}

function processUsage(): ProcessUsage {
  const u = process.resourceUsage();
  return { cpuMicros: u.userCPUTime + u.systemCPUTime, switches: u.voluntaryContextSwitches + u.involuntaryContextSwitches };
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
  usage?: () => ProcessUsage;
}

const everyMs = 15_000;
const keepMs = 60 * 60_000;

export class CostTracker {
  private readonly points: Point[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;
  private readonly usage: () => ProcessUsage;

  constructor(private readonly src: CostSources) {
    this.now = src.now ?? Date.now;
    this.usage = src.usage ?? processUsage;
  }

  private point(): Point {
    const s = this.src.stats();
    return { t: this.now(), samples: s.samplesAppended, bytes: s.bytesOnDisk, ...this.usage() };
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
    const p = this.point();
    const t = p.t;
    this.points.push(p);
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
    const cur = this.point();
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
      cpu: {
        coreShare: minute ? Math.max(0, (cur.cpuMicros - minute.cpuMicros) / 1000 / (cur.t - minute.t)) : null,
        wakeupsPerSecond: minute ? Math.max(0, (cur.switches - minute.switches) / ((cur.t - minute.t) / 1000)) : null,
      },
      eventLoopLag: this.src.lag(),
    };
  }
}
