// What Vigil holds and costs: rates and growth from sampled storage counters on a fake clock.
import { describe, it, expect } from 'vitest';
import { CostTracker } from '../../../main/runtime/costs.js';
import type { TsdbStats } from '../../../main/tsdb/db.js';

function tracker(retentionBytes: number | null) {
  let t = 1_000_000;
  let samples = 0;
  let bytes = 10_000_000;
  let cpuMicros = 0;
  let switches = 0;
  const stats = () => ({ series: 500, headSeries: 400, samplesAppended: samples, bytesOnDisk: bytes }) as unknown as TsdbStats;
  const c = new CostTracker({ stats, indexBytes: () => 4096, oldestSampleMs: () => 123, lag: () => ({ p50: 0.001, p99: 0.01, max: 0.02 }), retentionMs: null, retentionBytes, now: () => t, usage: () => ({ cpuMicros, switches }) });
  return {
    c,
    advance(ms: number, addSamples: number, addBytes: number, addCpuMicros = 0, addSwitches = 0) {
      t += ms;
      cpuMicros += addCpuMicros;
      switches += addSwitches;
      samples += addSamples;
      bytes += addBytes;
      c.sample();
    },
  };
}

describe('CostTracker', () => {
  it('says "not yet" before a minute, then samples/s over the last minute', () => {
    const k = tracker(null);
    k.c.sample();
    k.advance(15_000, 1500, 0);
    expect(k.c.costs().samplesPerSecond).toBeNull();
    for (let i = 0; i < 4; i++) k.advance(15_000, 3000, 0); // now 200/s
    expect(k.c.costs().samplesPerSecond).toBeCloseTo(200, 6);
    expect(k.c.costs().series).toBe(500);
    expect(k.c.costs().memory.find((m) => m.part === 'series index arrays')?.bytes).toBe(4096);
    expect(k.c.costs().eventLoopLag.p99).toBe(0.01);
  });

  it('measures storage growth per hour and when a size limit will be reached', () => {
    const k = tracker(20_000_000);
    k.c.sample();
    expect(k.c.costs().storageGrowthBytesPerHour).toBeNull();
    for (let i = 0; i < 40; i++) k.advance(15_000, 0, 10_000); // 40 kB a minute = 2.4 MB an hour
    const c = k.c.costs();
    expect(c.storageGrowthBytesPerHour).toBeCloseTo(2_400_000, 0);
    // 10.4 MB on disk, 9.6 MB to go at 2.4 MB an hour: four hours.
    expect(c.retention.sizeLimitReachedInMs).toBeCloseTo(4 * 3_600_000, -3);
    expect(c.retention.bytes).toBe(20_000_000);
  });

  it('gives CPU as a share of one core and wake-ups per second over the last minute', () => {
    const k = tracker(null);
    k.c.sample();
    expect(k.c.costs().cpu).toEqual({ coreShare: null, wakeupsPerSecond: null });
    // 75 ms of CPU and 120 context switches every 15 s: 0.5 % of a core, 8 wake-ups a second.
    for (let i = 0; i < 4; i++) k.advance(15_000, 0, 0, 75_000, 120);
    const cpu = k.c.costs().cpu!;
    expect(cpu.coreShare).toBeCloseTo(0.005, 9);
    expect(cpu.wakeupsPerSecond).toBeCloseTo(8, 9);
  });

  it('reads the whole process through getrusage when no usage source is given', () => {
    let t = 0;
    const c = new CostTracker({ stats: () => ({ series: 0, headSeries: 0, samplesAppended: 0, bytesOnDisk: 0 }) as unknown as TsdbStats, indexBytes: () => 0, oldestSampleMs: () => null, lag: () => ({ p50: 0, p99: 0, max: 0 }), retentionMs: null, retentionBytes: null, now: () => t });
    c.sample();
    const until = process.hrtime.bigint() + 30_000_000n; // 30 ms of real CPU in this process
    while (process.hrtime.bigint() < until);
    t += 60_000;
    const cpu = c.costs().cpu!;
    expect(cpu.coreShare).toBeGreaterThan(0);
    expect(cpu.wakeupsPerSecond).not.toBeNull();
  });
});
