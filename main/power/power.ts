/**
 * Life on a laptop, for the engine: notices sleeps (SleepWatch, or the shell's power events),
 * holds rule evaluation after a wake until fresh data is in (WakeGate), makes the "while you
 * were away" summary, and keeps the energy mode. The engine attaches the running subsystems
 * through `PowerHooks` once collection starts; before that a sleep is only counted.
 */
import type { AwaySummary, EnergySetting, PowerState } from '../../app/api/power.js';
import type { EngineClock } from '../util/engine-clock.js';
import type { Logger } from '../util/log.js';
import { callbackCollector, type MetricsRegistry } from '../util/metrics.js';
import { awaySummary, type AwayDeps } from './away-summary.js';
import { EnergyMode, linuxOnBattery } from './energy.js';
import { SleepWatch, type Gap } from './sleep-watch.js';
import { WakeGate, type TargetScrapeState } from './wake-gate.js';

export interface PowerHooks {
  targets: () => readonly TargetScrapeState[];
  /** A gap of `gapMs` ended: pending `for` timers must not count it, firing alerts stay firing. */
  afterGap: (gapMs: number) => void;
  /** Whether every rule group has evaluated at or after `ms` (engine clock). */
  rulesEvaluatedSince: (ms: number) => boolean;
  away: AwayDeps;
}

export interface PowerOptions {
  clock: EngineClock;
  logger: Logger;
  seriesCount: () => number;
  /** Sleep-watch period (ms); default 10 s. */
  checkEveryMs?: number;
  energySetting?: EnergySetting;
  energyFactor?: number;
  /** Reads whether the machine is on battery (headless); null: no reader (the shell reports it). */
  readOnBattery?: (() => boolean | null) | null;
  /** Something changed the renderer shows (a summary, energy mode). */
  changed?: () => void;
}

const keptGaps = 20;
/** After the gate opens, the summary waits this long at most for every rule group to run (ms). */
const summaryWaitMs = 120_000;

export class Power {
  readonly energy: EnergyMode;
  readonly gate: WakeGate;
  private readonly watch: SleepWatch;
  private hooks: PowerHooks | null = null;
  private readonly gaps: Gap[] = [];
  private readonly counters = { suspensions: 0, suspendedSeconds: 0, clockBack: 0, clockBackSeconds: 0 };
  private seriesBefore = 0;
  /** The gap whose summary waits for fresh data and one round of rule evaluations. */
  private awaiting: { gap: Gap; seriesBefore: number; releasedAtMs: number | null } | null = null;
  private away: AwaySummary | null = null;
  private readOnBattery: (() => boolean | null) | null;

  constructor(private readonly o: PowerOptions) {
    this.energy = new EnergyMode(o.energySetting ?? 'auto', o.energyFactor);
    this.energy.onChange((active) => {
      o.logger.info(active ? 'energy mode on: intervals stretched' : 'energy mode off', { setting: this.energy.state().setting, factor: this.energy.factor });
      o.changed?.();
    });
    this.readOnBattery = o.readOnBattery === undefined ? linuxOnBattery : o.readOnBattery;
    this.gate = new WakeGate({ targets: () => this.hooks?.targets() ?? [], now: () => o.clock.now(), onRelease: (ms, timedOut) => this.released(ms, timedOut) });
    this.watch = new SleepWatch({
      clock: o.clock.sources,
      ...(o.checkEveryMs !== undefined ? { checkEveryMs: o.checkEveryMs } : {}),
      onGap: (gap) => this.gapEnded(gap),
      onClockBack: (ms) => {
        this.counters.clockBack++;
        this.counters.clockBackSeconds += ms / 1000;
        o.logger.warn('the wall clock was set back; sample times run on from the last one until it catches up', { seconds: ms / 1000 });
      },
      onCheck: () => this.beforeSleep(),
      // Without rules (or alerts to flush) nobody else asks the gate; and a summary does not wait
      // for ever on a rule group whose evaluations keep failing.
      onTick: () => {
        // The power source is read on the timer only: rule ticks and flushes also run checks.
        if (this.readOnBattery !== null) this.energy.setOnBattery(this.readOnBattery());
        if (this.gate.holding) this.gate.held();
        this.maybeSummarize(summaryWaitMs);
      },
    });
    this.beforeSleep();
    if (this.readOnBattery !== null) this.energy.setOnBattery(this.readOnBattery());
  }

  start(): void {
    this.watch.start();
  }

  stop(): void {
    this.watch.stop();
  }

  /** The running subsystems; a summary or hold needs them. */
  attach(hooks: PowerHooks): void {
    this.hooks = hooks;
  }

  /** The desktop shell's power monitor. */
  suspend(): void {
    this.watch.suspend();
  }

  resume(): void {
    this.watch.resume();
  }

  /** The shell reports the power source; the headless reader stops. */
  setOnBattery(onBattery: boolean): void {
    this.readOnBattery = null;
    this.energy.setOnBattery(onBattery);
  }

  setEnergy(setting: EnergySetting): PowerState {
    this.energy.set(setting);
    return this.state();
  }

  /**
   * Whether rule evaluation must wait (after a wake, until every target scraped again). The
   * clocks are compared here too (two reads): after a wake, timers fire in due order, and a rule
   * group's may come before the watch's.
   */
  /**
   * Holds rule evaluation until every target scraped again, as after a wake: used when the
   * network changed, so targets paused or resumed by it are judged on fresh data.
   */
  holdForFreshData(): void {
    this.gate.hold(this.o.clock.now());
  }

  rulesHeld(): boolean {
    this.watch.check();
    return this.watch.suspended || this.gate.held();
  }

  /** After each rule group evaluation: the summary is made once every group ran on fresh data. */
  rulesEvaluated(): void {
    this.maybeSummarize();
  }

  state(): PowerState {
    return { energy: this.energy.state(), rulesHeld: this.gate.holding, gaps: [...this.gaps], away: this.away };
  }

  register(registry: MetricsRegistry): void {
    const c = this.counters;
    const add = (name: string, help: string, type: 'gauge' | 'counter', f: () => number) => registry.register(callbackCollector(name, help, type, f));
    add('vigil_suspensions_total', 'Sleeps (or wall-clock jumps ahead) noticed.', 'counter', () => c.suspensions);
    add('vigil_suspended_seconds_total', 'Time spent asleep: there is no data for it.', 'counter', () => c.suspendedSeconds);
    add('vigil_clock_set_back_total', 'Times the wall clock was set back.', 'counter', () => c.clockBack);
    add('vigil_clock_ahead_of_wall_seconds', 'How far sample times run ahead of a wall clock that was set back.', 'gauge', () => this.o.clock.aheadOfWallMs() / 1000);
    add('vigil_rules_held', '1 while rule evaluation waits for fresh data after a wake.', 'gauge', () => (this.gate.holding ? 1 : 0));
    add('vigil_energy_mode_active', '1 while energy mode stretches intervals.', 'gauge', () => (this.energy.active ? 1 : 0));
    add('vigil_energy_interval_factor', 'What scrape and rule intervals are multiplied by now.', 'gauge', () => this.energy.scale());
    // Each turn of the event loop is one wake-up of the process: rate() of this is wake-ups per second.
    add('vigil_event_loop_iterations_total', 'Turns of the main event loop (libuv loop count).', 'counter', () => performance.nodeTiming.uvMetricsInfo?.loopCount ?? 0);
  }

  private beforeSleep(): void {
    this.seriesBefore = this.o.seriesCount();
  }

  private gapEnded(gap: Gap): void {
    this.counters.suspensions++;
    this.counters.suspendedSeconds += (gap.toMs - gap.fromMs) / 1000;
    this.gaps.push(gap);
    if (this.gaps.length > keptGaps) this.gaps.shift();
    this.o.logger.info('woke up after a gap; rules wait for fresh data', { seconds: (gap.toMs - gap.fromMs) / 1000, source: gap.source });
    if (this.hooks === null) return;
    this.hooks.afterGap(gap.toMs - gap.fromMs);
    this.awaiting = { gap, seriesBefore: this.seriesBefore, releasedAtMs: null };
    this.gate.hold(this.o.clock.now());
  }

  private released(heldMs: number, timedOut: boolean): void {
    if (timedOut) this.o.logger.warn('rules resume without fresh data from every target', { heldSeconds: heldMs / 1000 });
    if (this.awaiting !== null) this.awaiting.releasedAtMs = this.o.clock.now();
    this.maybeSummarize();
  }

  /** Makes the summary once every rule group ran after the gate opened, or `waitMs` after it opened. */
  private maybeSummarize(waitMs = Infinity): void {
    const w = this.awaiting;
    const hooks = this.hooks;
    if (w === null || w.releasedAtMs === null || hooks === null) return;
    if (!hooks.rulesEvaluatedSince(w.releasedAtMs) && this.o.clock.now() - w.releasedAtMs < waitMs) return;
    this.awaiting = null;
    awaySummary(hooks.away, w.gap, w.seriesBefore, this.o.clock.now())
      .then((s) => {
        this.away = s;
        this.o.changed?.();
      })
      .catch((err: unknown) => this.o.logger.error('the "while you were away" summary failed', { error: String(err) }));
  }
}
