import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveGraphs } from '../../../main/topology/live-graphs.js';

describe('LiveGraphs: the graph at "now" kept up to date while watched', () => {
  let evaluations = 0;
  let fail = false;
  const evaluate = async () => {
    evaluations++;
    if (fail) throw new Error('query failed');
    return { value: `graph ${evaluations}`, time: Date.now() };
  };
  let live: LiveGraphs<string>;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    evaluations = 0;
    fail = false;
    live = new LiveGraphs<string>({ periodMs: () => 5000, keepWarmMs: 60_000, maxEntries: 2, now: () => Date.now() });
  });
  afterEach(() => {
    live.close();
    vi.useRealTimers();
  });
  const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

  it('evaluates on the first request, answers later ones from the kept graph, re-evaluated every period', async () => {
    expect(await live.get('a', evaluate)).toEqual({ value: 'graph 1', time: 1_000_000, cached: false });
    await advance(1000);
    expect(await live.get('a', evaluate)).toEqual({ value: 'graph 1', time: 1_000_000, cached: true });
    expect(evaluations).toBe(1);
    await advance(4500);
    // The background evaluation ran at +5 s.
    expect(evaluations).toBe(2);
    expect(await live.get('a', evaluate)).toEqual({ value: 'graph 2', time: 1_005_000, cached: true });
  });

  it('stops re-evaluating once nobody asked for keepWarmMs, and evaluates again when asked', async () => {
    await live.get('a', evaluate);
    await advance(120_000);
    const n = evaluations;
    // At most one period past keepWarmMs, then nothing.
    expect(n).toBeLessThanOrEqual(1 + 60_000 / 5000 + 1);
    await advance(60_000);
    expect(evaluations).toBe(n);
    const r = await live.get('a', evaluate);
    expect(r.cached).toBe(false);
    expect(evaluations).toBe(n + 1);
  });

  it('keeps one entry per key, evicting the least recently asked beyond maxEntries', async () => {
    await live.get('a', evaluate);
    await advance(10);
    await live.get('b', evaluate);
    await advance(10);
    await live.get('c', evaluate);
    expect(evaluations).toBe(3);
    expect((await live.get('c', evaluate)).cached).toBe(true);
    expect((await live.get('b', evaluate)).cached).toBe(true);
    expect((await live.get('a', evaluate)).cached).toBe(false);
  });

  it('drops a graph whose background evaluation failed: the next request evaluates and gets the error', async () => {
    await live.get('a', evaluate);
    fail = true;
    await advance(5000);
    await expect(live.get('a', evaluate)).rejects.toThrow('query failed');
    fail = false;
    expect((await live.get('a', evaluate)).cached).toBe(false);
  });

  it('shares one running evaluation between concurrent requests', async () => {
    let release!: () => void;
    const slow = () => {
      evaluations++;
      return new Promise<{ value: string; time: number }>((resolve) => {
        release = () => resolve({ value: 'slow', time: Date.now() });
      });
    };
    const a = live.get('a', slow);
    const b = live.get('a', slow);
    release();
    expect(await a).toEqual({ value: 'slow', time: 1_000_000, cached: false });
    expect(await b).toEqual({ value: 'slow', time: 1_000_000, cached: false });
    expect(evaluations).toBe(1);
  });

  it('answers the kept graph, however old, while its next evaluation runs; starts evaluations a period apart', async () => {
    let release: (() => void) | null = null;
    let calls = 0;
    const slow = () => {
      calls++;
      const at = Date.now();
      if (calls === 1) return Promise.resolve({ value: 'first', time: at });
      // The background evaluation takes 12 s (a loaded machine).
      return new Promise<{ value: string; time: number }>((resolve) => {
        release = () => resolve({ value: 'second', time: at });
      });
    };
    await live.get('a', slow);
    await advance(5000);
    expect(calls).toBe(2);
    await advance(12_000);
    // 17 s old, but the next graph is being evaluated: the kept one, not a third evaluation.
    expect(await live.get('a', slow)).toMatchObject({ value: 'first', cached: true });
    expect(calls).toBe(2);
    release!();
    await advance(0);
    // 12 s old when it lands, within two periods plus its own 12 s: kept.
    expect(await live.get('a', slow)).toMatchObject({ value: 'second', cached: true, time: 1_005_000 });
    // It took 12 s (more than the period): the next one starts half a period after it ended.
    await advance(2400);
    expect(calls).toBe(2);
    await advance(200);
    expect(calls).toBe(3);
  });

  it('answers a graph older than two periods with a new evaluation', async () => {
    await live.get('a', evaluate);
    live.clear();
    expect((await live.get('a', evaluate)).cached).toBe(false);
    // A clock jump past two periods (timers not run): the kept graph is too old.
    vi.setSystemTime(Date.now() + 11_000);
    expect(await live.get('a', evaluate)).toMatchObject({ cached: false, time: Date.now() });
  });
});
