/**
 * Runs the configured probes (`probe_configs`) on their interval and timeout and appends the
 * results through an Appendable with `job`, `instance` (the target) and `module` labels. Series
 * that vanish between runs (e.g. TLS gauges after a failed handshake) and every series of a
 * stopped probe get Prometheus' staleness marker, as a scrape would.
 */
import { labelsFromRecord, labelsKey, type Labels } from '../tsdb/labels.js';
import { StaleNaN, type Appendable } from '../tsdb/interface.js';
import type { Logger } from '../util/log.js';
import { silentLogger } from '../util/log.js';
import { ProbeHistory } from './history.js';
import { runProbe } from './runner.js';
import type { ProbeModule } from './module-schema.js';
import type { ProbeResult } from './types.js';
import type { ProbeConfig } from './config.js';
import type { ProbeRunner } from './pool.js';

export interface ProbeSchedulerOptions {
  readonly appendable: Appendable;
  readonly modules: ReadonlyMap<string, ProbeModule>;
  readonly configs: readonly ProbeConfig[];
  readonly logger?: Logger;
  readonly history?: ProbeHistory;
  readonly pingPath?: string;
  /** Clock for sample timestamps (the engine's, which never goes back); default Date.now. */
  readonly now?: () => number;
  /** Intervals are multiplied by this (energy mode); read at every tick. */
  readonly intervalScale?: () => number;
  /** Where probes run: a ProbePool's run, or (default) runProbe in this thread. */
  readonly runner?: ProbeRunner;
}

interface Slot {
  readonly config: ProbeConfig;
  readonly module: ProbeModule;
  readonly target: string;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  lastSeries: Map<string, Labels>;
  /** Start time of the last completed run (ms), for the wake gate. */
  lastRunMs?: number;
}

/** Spreads targets over the interval by a stable hash, as Prometheus offsets scrapes. */
function offsetMs(key: string, intervalMs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return h % Math.max(1, intervalMs);
}

export class ProbeScheduler {
  readonly history: ProbeHistory;
  private readonly slots: Slot[] = [];
  private readonly logger: Logger;
  private stopped = true;
  private controller = new AbortController();

  constructor(private readonly opts: ProbeSchedulerOptions) {
    this.history = opts.history ?? new ProbeHistory();
    this.logger = opts.logger ?? silentLogger;
    for (const config of opts.configs) {
      const module = opts.modules.get(config.module);
      if (module === undefined) throw new Error(`probe job "${config.job_name}": unknown module "${config.module}"; define it in the module file`);
      for (const target of config.targets) this.slots.push({ config, module, target, lastSeries: new Map() });
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.controller.signal.aborted) this.controller = new AbortController();
    for (const slot of this.slots) {
      const key = `${slot.config.job_name}/${slot.target}`;
      slot.timer = setTimeout(() => this.tick(slot), offsetMs(key, slot.config.scrape_interval));
    }
  }

  private tick(slot: Slot): void {
    if (this.stopped) return;
    // Never overlap runs of one probe: a slow target skips a beat instead of piling up.
    slot.running ??= this.runSlot(slot)
      .then(
        () => undefined,
        (err: unknown) => this.logger.error('probe run failed', { job: slot.config.job_name, target: slot.target, err: String(err) }),
      )
      .finally(() => (slot.running = undefined));
    slot.timer = setTimeout(() => this.tick(slot), slot.config.scrape_interval * this.scale());
  }

  private scale(): number {
    return Math.max(1, this.opts.intervalScale?.() ?? 1);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Each probe's last completed run and schedule, for the wake gate (main/power/wake-gate.ts). */
  runStates(): Array<{ lastScrapeMs: number | null; intervalMs: number; timeoutMs: number }> {
    const scale = this.scale();
    return this.slots.map((s) => ({ lastScrapeMs: s.lastRunMs ?? null, intervalMs: s.config.scrape_interval * scale, timeoutMs: s.config.scrape_timeout }));
  }

  /** Stops all timers, waits for running probes, and marks every series stale. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots) clearTimeout(slot.timer);
    this.controller.abort();
    await Promise.all(this.slots.map((s) => s.running));
    const app = this.opts.appendable.appender();
    const t = this.now();
    for (const slot of this.slots) {
      for (const labels of slot.lastSeries.values()) this.tryAppend(app, labels, t, StaleNaN);
      slot.lastSeries.clear();
    }
    await app.commit();
  }

  /** Every configured probe (job × module × target), in config order. */
  probes(): { job: string; module: string; prober: string; target: string }[] {
    return this.slots.map((s) => ({ job: s.config.job_name, module: s.config.module, prober: s.module.prober, target: s.target }));
  }

  /** Runs every configured probe once, now (for tests and "probe now" in the UI). */
  async runAll(): Promise<ProbeResult[]> {
    return Promise.all(this.slots.map((s) => this.runSlot(s)));
  }

  /** Runs the probes of one target of one job now, between its scheduled runs (a website just added). */
  async runTarget(job: string, target: string): Promise<ProbeResult[]> {
    return Promise.all(this.slots.filter((s) => s.config.job_name === job && s.target === target).map((s) => this.runSlot(s)));
  }

  private timeoutSeconds(slot: Slot): number {
    const moduleMs = slot.module.timeout ?? 0;
    const ms = moduleMs > 0 ? Math.min(moduleMs, slot.config.scrape_timeout) : slot.config.scrape_timeout;
    return ms / 1000;
  }

  private async runSlot(slot: Slot): Promise<ProbeResult> {
    const t = this.now();
    const result = await (this.opts.runner ?? runProbe)(slot.module, slot.target, {
      timeoutSeconds: this.timeoutSeconds(slot),
      signal: this.controller.signal,
      ...(this.opts.pingPath !== undefined ? { pingPath: this.opts.pingPath } : {}),
    });
    this.history.record({ job: slot.config.job_name, module: slot.config.module, target: slot.target, time: t, success: result.success, durationMs: result.durationMs, log: result.log, certificates: result.certificates });
    if (!result.success) {
      const last = [...result.log].reverse().find((e) => e.level === 'error' && e.phase !== 'probe');
      this.logger.debug('probe failed', { job: slot.config.job_name, target: slot.target, reason: last?.msg ?? 'unknown' });
    }
    const app = this.opts.appendable.appender();
    const seen = new Map<string, Labels>();
    for (const s of result.samples) {
      const labels = labelsFromRecord({ ...s.labels, __name__: s.name, job: slot.config.job_name, instance: slot.target, module: slot.config.module });
      seen.set(labelsKey(labels), labels);
      this.tryAppend(app, labels, t, s.value);
    }
    for (const [key, labels] of slot.lastSeries) if (!seen.has(key)) this.tryAppend(app, labels, t, StaleNaN);
    slot.lastSeries = seen;
    await app.commit();
    slot.lastRunMs = t;
    return result;
  }

  private tryAppend(app: ReturnType<Appendable['appender']>, labels: Labels, t: number, v: number): void {
    try {
      app.append(labels, t, v);
    } catch (err) {
      // A rejected sample (out of order after a clock step, say) must not lose the rest.
      this.logger.warn('probe sample rejected by storage', { err: (err as Error).message });
    }
  }
}
