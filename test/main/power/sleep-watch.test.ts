import { describe, it, expect } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineClock } from '../../../main/util/engine-clock.js';
import { SleepWatch, type Gap } from '../../../main/power/sleep-watch.js';
import { WakeGate, type TargetScrapeState } from '../../../main/power/wake-gate.js';
import { EnergyMode, linuxOnBattery } from '../../../main/power/energy.js';
import { parseServeFlags } from '../../../main/cli/serve.js';
import { ProbeScheduler } from '../../../main/probe/scheduler.js';
import { parseModules } from '../../../main/probe/module-config.js';
import { MemoryStorage } from '../../../main/tsdb/memory-storage.js';
import { Power } from '../../../main/power/power.js';
import { silentLogger } from '../../../main/util/log.js';
import { until } from '../interop/peers.js';
import { tempDir } from '../helpers.js';

/** Clocks a test moves by hand: `sleep` moves only the wall clock, `run` moves both. */
function fakeClocks() {
  const c = { wallMs: 1_700_000_000_000, monoMs: 1000 };
  return {
    sources: { wall: () => c.wallMs, mono: () => c.monoMs },
    run: (ms: number) => {
      c.wallMs += ms;
      c.monoMs += ms;
    },
    sleep: (ms: number) => {
      c.wallMs += ms;
    },
    setBack: (ms: number) => {
      c.wallMs -= ms;
    },
  };
}

describe('EngineClock', () => {
  it('follows the wall clock forward, and runs on at the monotonic pace when it is set back', () => {
    const f = fakeClocks();
    const clock = new EngineClock(f.sources);
    const t0 = clock.now();
    f.run(1500);
    expect(clock.now()).toBe(t0 + 1500);
    f.sleep(3_600_000);
    expect(clock.now()).toBe(t0 + 1500 + 3_600_000);
    f.setBack(3_600_000);
    const before = clock.now();
    expect(before).toBe(t0 + 1500 + 3_600_000);
    expect(clock.aheadOfWallMs()).toBe(3_600_000);
    f.run(250);
    expect(clock.now()).toBe(before + 250);
    // Fractions of a millisecond add up rather than being floored away on every read.
    for (let i = 0; i < 10; i++) {
      f.run(0.5);
      clock.now();
    }
    expect(clock.now()).toBe(before + 255);
  });
});

describe('SleepWatch', () => {
  it('reports a wall-clock jump ahead as a gap, a jump back as a clock step, and jitter as neither', () => {
    const f = fakeClocks();
    const gaps: Gap[] = [];
    const back: number[] = [];
    const w = new SleepWatch({ clock: f.sources, onGap: (g) => gaps.push(g), onClockBack: (ms) => back.push(ms) });
    f.run(10_000);
    f.sleep(1000); // 1 s of skew: timer jitter, not a sleep
    w.check();
    expect(gaps).toEqual([]);
    f.run(10_000);
    f.sleep(7_200_000);
    w.check();
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.toMs - gaps[0]!.fromMs).toBe(7_200_000);
    expect(gaps[0]!.source).toBe('clock');
    f.setBack(3_600_000);
    w.check();
    expect(back).toEqual([3_600_000]);
    expect(gaps).toHaveLength(1);
  });

  it('takes the shell power events and does not count the same sleep again from the clocks', () => {
    const f = fakeClocks();
    const gaps: Gap[] = [];
    const w = new SleepWatch({ clock: f.sources, onGap: (g) => gaps.push(g) });
    w.resume(); // a resume without a suspend says nothing
    w.suspend();
    expect(w.suspended).toBe(true);
    f.sleep(600_000);
    w.check(); // the timer fired after the wake, before the resume event
    w.resume();
    w.check();
    expect(gaps).toEqual([{ fromMs: 1_700_000_000_000, toMs: 1_700_000_600_000, source: 'shell' }]);
    expect(w.suspended).toBe(false);
  });
});

describe('WakeGate', () => {
  it('holds until every target scraped after the wake, or until its deadline', () => {
    let now = 1000;
    const targets: TargetScrapeState[] = [
      { lastScrapeMs: 900, intervalMs: 100, timeoutMs: 50 },
      { lastScrapeMs: 950, intervalMs: 100, timeoutMs: 50 },
    ];
    const released: Array<[number, boolean]> = [];
    const gate = new WakeGate({ targets: () => targets, now: () => now, onRelease: (ms, t) => released.push([ms, t]) });
    expect(gate.held()).toBe(false);
    gate.hold(1000);
    expect(gate.held()).toBe(true);
    targets[0]!.lastScrapeMs = 1010;
    now = 1020;
    expect(gate.held()).toBe(true);
    targets[1]!.lastScrapeMs = 1030;
    now = 1040;
    expect(gate.held()).toBe(false);
    expect(released).toEqual([[40, false]]);
    // A target that never scrapes again holds the rules for two intervals and a timeout at most.
    gate.hold(2000);
    now = 2249;
    expect(gate.held()).toBe(true);
    now = 2250;
    expect(gate.held()).toBe(false);
    expect(released[1]).toEqual([250, true]);
  });
});

describe('energy mode', () => {
  it('is on when set, or on battery in auto, and stretches by its factor', () => {
    const e = new EnergyMode('auto', 3);
    const changes: boolean[] = [];
    e.onChange((a) => changes.push(a));
    expect(e.scale()).toBe(1);
    e.setOnBattery(true);
    expect(e.scale()).toBe(3);
    e.set('off');
    expect(e.active).toBe(false);
    e.set('on');
    e.setOnBattery(false);
    expect(e.active).toBe(true);
    // on battery (auto) → off → on → (mains: still on, no change)
    expect(changes).toEqual([true, false, true]);
    e.set('auto');
    e.set('auto');
    expect(changes).toEqual([true, false, true, false]);
    expect(() => new EnergyMode('auto', 0.5)).toThrow(/at least 1/);
  });

  it('reads the power source from /sys/class/power_supply', () => {
    const { dir, cleanup } = tempDir('vigil-psu-');
    try {
      const supply = (name: string, files: Record<string, string>) => {
        mkdirSync(join(dir, name));
        for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, name, f), `${v}\n`);
      };
      expect(linuxOnBattery(join(dir, 'missing'))).toBeNull();
      expect(linuxOnBattery(dir)).toBeNull();
      supply('BAT0', { type: 'Battery', status: 'Discharging' });
      expect(linuxOnBattery(dir)).toBe(true);
      supply('AC', { type: 'Mains', online: '1' });
      expect(linuxOnBattery(dir)).toBe(false);
      writeFileSync(join(dir, 'AC', 'online'), '0\n');
      expect(linuxOnBattery(dir)).toBe(true);
    } finally {
      cleanup();
    }
  });
});

describe('vigil serve energy flags', () => {
  it('default to auto, take on/off and a factor, and refuse anything else', () => {
    expect(parseServeFlags([]).energy).toEqual({ setting: 'auto' });
    expect(parseServeFlags(['--energy-mode', 'on', '--energy-factor', '6']).energy).toEqual({ setting: 'on', factor: 6 });
    expect(() => parseServeFlags(['--energy-mode', 'eco'])).toThrow(/--energy-mode must be auto, on or off, got "eco"/);
    expect(() => parseServeFlags(['--energy-factor', '0'])).toThrow(/--energy-factor/);
  });
});

describe('probes under the wake gate and energy mode', () => {
  it('stamp runs with the engine clock, report their last run, and stretch their interval', async () => {
    let scale = 1;
    const clockMs = 1_800_000_000_000;
    const scheduler = new ProbeScheduler({
      appendable: new MemoryStorage(),
      modules: parseModules('modules:\n  http_2xx:\n    prober: http\n    timeout: 1s\n'),
      configs: [{ job_name: 'site', module: 'http_2xx', targets: ['http://127.0.0.1:1/'], scrape_interval: 30_000, scrape_timeout: 1_000 }],
      now: () => clockMs,
      intervalScale: () => scale,
    });
    expect(scheduler.runStates()).toEqual([{ lastScrapeMs: null, intervalMs: 30_000, timeoutMs: 1_000 }]);
    await scheduler.runAll();
    scale = 4;
    expect(scheduler.runStates()).toEqual([{ lastScrapeMs: clockMs, intervalMs: 120_000, timeoutMs: 1_000 }]);
    expect(scheduler.history.get('site', 'http_2xx', 'http://127.0.0.1:1/')[0]!.time).toBe(clockMs);
  });
});

describe('Power without rules', () => {
  it('opens the gate and makes the summary from its own timer once the targets answered', async () => {
    const f = fakeClocks();
    const clock = new EngineClock(f.sources);
    const target = { lastScrapeMs: clock.now() as number | null, intervalMs: 15_000, timeoutMs: 10_000 };
    const power = new Power({ clock, logger: silentLogger, seriesCount: () => 7, checkEveryMs: 10, readOnBattery: null });
    power.attach({
      targets: () => [target],
      afterGap: () => {},
      rulesEvaluatedSince: () => true, // no rule groups
      away: { query: async () => [], firingNow: () => [], targets: () => [], seriesCount: () => 9 },
    });
    power.start();
    try {
      f.sleep(3_600_000);
      await until(() => (power.state().rulesHeld ? true : null), 'the hold after the wake', 5000, 5);
      expect(power.state().away).toBeNull();
      target.lastScrapeMs = clock.now();
      const away = await until(() => power.state().away, 'the summary', 5000, 5);
      expect(power.state().rulesHeld).toBe(false);
      expect(away.series).toEqual({ before: 7, after: 9 });
      expect(away.gap.toMs - away.gap.fromMs).toBe(3_600_000);
    } finally {
      power.stop();
    }
  });
});
