import { afterEach, describe, expect, it, vi } from 'vitest';
import { RefreshLoop, refreshMs } from '../../../renderer/dashboards/refresh.js';

afterEach(() => vi.useRealTimers());

describe('dashboard refresh never stacks', () => {
  it('a refresh asked for while one runs joins it', async () => {
    const loop = new RefreshLoop();
    let calls = 0;
    let release!: () => void;
    loop.register('1', () => {
      calls++;
      return new Promise<void>((r) => (release = r));
    });
    const a = loop.refresh();
    const b = loop.refresh();
    expect(a).toBe(b);
    expect(calls).toBe(1);
    release();
    await a;
    const c = loop.refresh();
    expect(calls).toBe(2);
    release();
    await c;
  });

  it('auto refresh with panels slower than the interval: at most one refresh in flight, next one after the last ends', async () => {
    vi.useFakeTimers();
    const loop = new RefreshLoop();
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    // Each panel load takes 12 s against a 5 s refresh interval.
    loop.register('slow', async () => {
      calls++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 12_000));
      inFlight--;
    });
    loop.setInterval(5000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(maxInFlight).toBe(1);
    // 5 s wait + 12 s load per round: 60 s holds 3 full rounds and a 4th started at 51 s.
    expect(calls).toBe(4);
    loop.stop();
  });

  it('a failing panel does not stop the loop', async () => {
    vi.useFakeTimers();
    const loop = new RefreshLoop();
    let calls = 0;
    loop.register('bad', async () => {
      calls++;
      throw new Error('boom');
    });
    loop.setInterval(1000);
    await vi.advanceTimersByTimeAsync(3500);
    expect(calls).toBe(3);
    loop.setInterval(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(3);
  });

  it('reads Grafana refresh strings', () => {
    expect(refreshMs('5s')).toBe(5000);
    expect(refreshMs('1m')).toBe(60_000);
    expect(refreshMs('')).toBe(0);
    expect(refreshMs(false)).toBe(0);
    expect(refreshMs('junk')).toBe(0);
  });
});
