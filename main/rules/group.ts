/**
 * A rule group: rules evaluated in order at one timestamp per interval, results appended to
 * storage, staleness markers for series a rule stopped producing, and alerts handed on for
 * notification. Scheduled like Prometheus: a fixed per-group offset inside the interval so
 * groups spread out, and missed iterations skipped rather than queued.
 */
import type { Appendable } from '../tsdb/interface.js';
import { StaleNaN, StorageError } from '../tsdb/interface.js';
import { labelsKey, type Labels } from '../tsdb/labels.js';
import { AlertingRule, type EvalContext } from './alerting-rule.js';
import type { RecordingRule } from './recording-rule.js';
import type { Alert } from './types.js';

export type Rule = AlertingRule | RecordingRule;

export interface GroupSpec {
  name: string;
  file: string;
  intervalMs: number;
  limit: number;
  queryOffsetMs: number;
  rules: Rule[];
}

export interface GroupDeps {
  ctx: Omit<EvalContext, 'limit' | 'queryOffsetMs'>;
  storage: Appendable;
  /** Alerts of one rule that need (re)sending after an evaluation. */
  onAlerts?: (alerts: Alert[], rule: AlertingRule, group: RuleGroup) => void;
  resendDelayMs?: number;
  /** Called after each evaluation is committed (the manager restores `for` state after the first). */
  onEvaluated?: (group: RuleGroup, ts: number) => Promise<void> | void;
  logWarn?: (msg: string, fields?: Record<string, unknown>) => void;
  /** True while evaluation must wait (after a wake, until fresh data is in); the tick is skipped. */
  held?: () => boolean;
  /** The interval is multiplied by this (energy mode); read at every tick. */
  intervalScale?: () => number;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class RuleGroup {
  lastEvaluationMs: number | null = null;
  evaluationSeconds = 0;
  missedIterations = 0;
  private readonly previous = new Map<Rule, Map<string, Labels>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** The grid point the armed timer is for. */
  private dueMs = 0;

  constructor(readonly spec: GroupSpec) {}

  get name(): string {
    return this.spec.name;
  }

  /** The evaluation time at or before `nowMs`, offset by a hash of the group so groups spread. */
  evalTimestamp(nowMs: number): number {
    const interval = this.spec.intervalMs;
    const offset = fnv1a(`${this.spec.file}\u0000${this.spec.name}`) % interval;
    const adj = nowMs - offset;
    return adj - (((adj % interval) + interval) % interval) + offset;
  }

  /** Evaluates every rule at `ts` and appends the results; rule errors are recorded per rule. */
  async evalAt(ts: number, deps: GroupDeps): Promise<void> {
    const started = performance.now();
    const sampleTs = ts - this.spec.queryOffsetMs;
    // One commit per rule, as Prometheus: a later rule sees an earlier recording rule's output.
    for (const rule of this.spec.rules) {
      const app = deps.storage.appender();
      const ctx: EvalContext = { ...deps.ctx, limit: this.spec.limit, queryOffsetMs: this.spec.queryOffsetMs };
      let samples;
      try {
        samples = await rule.eval(ts, ctx);
      } catch {
        app.rollback();
        continue; // the rule's health carries the error
      }
      const seen = new Map<string, Labels>();
      for (const s of samples) {
        const key = labelsKey(s.labels);
        seen.set(key, s.labels);
        try {
          if (s.h === undefined) app.append(s.labels, sampleTs, s.value);
          else if (app.appendHistogram) app.appendHistogram(s.labels, sampleTs, s.h);
          else throw new StorageError(`${rule.name}: this storage does not take native histograms`);
        } catch (err) {
          if (!(err instanceof StorageError)) throw err;
          deps.logWarn?.('rule sample rejected', { group: this.name, rule: rule.name, error: err.message });
        }
      }
      // Series this rule produced last time but not now get a staleness marker.
      for (const [key, labels] of this.previous.get(rule) ?? []) {
        if (seen.has(key)) continue;
        try {
          app.append(labels, sampleTs, StaleNaN);
        } catch (err) {
          if (!(err instanceof StorageError)) throw err;
        }
      }
      this.previous.set(rule, seen);
      if (rule instanceof AlertingRule && deps.onAlerts) {
        const toSend = rule.alertsToSend(ts, deps.resendDelayMs ?? 60_000, this.spec.intervalMs);
        if (toSend.length > 0) deps.onAlerts(toSend, rule, this);
      }
      await app.commit();
    }
    this.lastEvaluationMs = ts;
    this.evaluationSeconds = (performance.now() - started) / 1000;
    await deps.onEvaluated?.(this, ts);
  }

  /** Runs the group on its schedule until `stop()`. */
  start(deps: GroupDeps, now: () => number = Date.now): void {
    this.stopped = false;
    const tick = (): void => {
      if (this.stopped) return;
      // A timer can fire a little early (Node arms it from the event loop's cached time, stale
      // after long synchronous work such as a start-up): evaluating then would take the previous
      // grid point, before the group even started. Wait out the remainder instead.
      const early = this.dueMs - now();
      if (early > 0 && early < this.spec.intervalMs) {
        this.timer = setTimeout(tick, early);
        return;
      }
      const ts = this.evalTimestamp(now());
      if ((this.lastEvaluationMs !== null && ts <= this.lastEvaluationMs) || deps.held?.() === true) {
        this.schedule(tick, now, deps);
        return;
      }
      if (this.lastEvaluationMs !== null) {
        const missed = Math.floor((ts - this.lastEvaluationMs) / this.spec.intervalMs) - 1;
        if (missed > 0) this.missedIterations += missed;
      }
      void this.evalAt(ts, deps)
        .catch((err: unknown) => deps.logWarn?.('rule group evaluation failed', { group: this.name, error: String(err) }))
        .finally(() => this.schedule(tick, now, deps));
    };
    this.schedule(tick, now, deps);
  }

  private schedule(tick: () => void, now: () => number, deps: GroupDeps): void {
    if (this.stopped) return;
    // On the group's grid, `scale` intervals on: a stretched schedule wakes up less, not just evaluates less.
    const scale = Math.max(1, Math.round(deps.intervalScale?.() ?? 1));
    const next = this.evalTimestamp(now()) + this.spec.intervalMs * scale;
    this.dueMs = next;
    this.timer = setTimeout(tick, Math.max(0, next - now()));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
