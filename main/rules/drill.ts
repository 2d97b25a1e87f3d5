/**
 * Fire drills: run the real rule evaluator (a `RuleGroup` of fresh rule instances) over the real
 * storage plus synthetic series held in an overlay, step by step, and report how alerts go
 * pending → firing → resolved. Either fast-forward through the whole drill in simulated time
 * (`runToEnd`) or follow the wall clock (`start` / `stop`). Every alert a drill raises carries
 * `drill="true"`, so the inbox can mark it DRILL and routing can send a test notification that
 * says so; and because the label is part of the alert's identity, a drill alert can never merge
 * with or resolve a live one. Nothing is written to the real storage: all appends (including the
 * ALERTS series) go to the overlay.
 */
import type { PromQLEngine } from '../promql/engine.js';
import type { Queryable } from '../tsdb/interface.js';
import { labelsKey, type Labels } from '../tsdb/labels.js';
import { AlertingRule, type AlertingRuleSpec } from './alerting-rule.js';
import { defaultMaxBacktestSteps } from './backtest.js';
import { expanderFor, queryFnFor } from './backtest-query.js';
import { expandDrillSeries, DrillInputError, type DrillSeries } from './drill-series.js';
import { RuleGroup, type GroupDeps, type Rule } from './group.js';
import { OverlayStorage } from './overlay-storage.js';
import { RecordingRule, type RecordingRuleSpec } from './recording-rule.js';
import type { Alert, AlertState } from './types.js';

export { DrillInputError,  } from './drill-series.js';

const drillLabel = 'drill';

/** Several rules evaluated in order, e.g. a recording rule an alert depends on. */
interface DrillGroupSpec {
  name: string;
  rules: readonly (AlertingRuleSpec | RecordingRuleSpec)[];
}

export interface DrillOptions {
  rule: AlertingRuleSpec | DrillGroupSpec;
  series: readonly DrillSeries[];
  realStorage: Queryable;
  engine: PromQLEngine;
  durationMs: number;
  /** Evaluation interval of the drill. Default 15 s. */
  stepMs?: number;
  resendDelayMs?: number;
  /** Alerts that need (re)sending after an evaluation, already labelled drill="true". */
  onAlerts?: (alerts: DrillAlert[], drillId: string) => void;
  onTransition?: (t: DrillTransition, drillId: string) => void;
  now?: () => number;
  id?: string;
  externalLabels?: Record<string, string>;
  externalURL?: string;
  /**
   * Whether a synthetic series hides the real series with the same labels (default true), so a
   * live scrape of that series cannot interleave with the drill's curve.
   */
  shadowReal?: boolean;
  maxSteps?: number;
}

/** A copy of an alert handed out of the drill (never the evaluator's own mutable object). */
export interface DrillAlert {
  rule: string;
  labels: Labels;
  annotations: Record<string, string>;
  state: 'firing' | 'resolved';
  activeAtMs: number;
  firedAtMs: number | null;
  resolvedAtMs: number | null;
  drill: true;
}

interface DrillTransition {
  atMs: number;
  /** `atMs` minus the drill start. */
  offsetMs: number;
  rule: string;
  labels: Labels;
  from: AlertState;
  to: AlertState;
}

export interface DrillStep {
  atMs: number;
  offsetMs: number;
  alerts: { rule: string; labels: Labels; state: 'pending' | 'firing' }[];
}

export interface DrillTimeline {
  id: string;
  startMs: number;
  stepMs: number;
  steps: DrillStep[];
  transitions: DrillTransition[];
  notifications: { atMs: number; alerts: DrillAlert[] }[];
  /** Rule errors seen during the drill, with the evaluation time. */
  errors: { atMs: number; rule: string; message: string }[];
}

let drillCounter = 0;

function isGroup(r: AlertingRuleSpec | DrillGroupSpec): r is DrillGroupSpec {
  return 'rules' in r;
}

function markedRule(spec: AlertingRuleSpec | RecordingRuleSpec): Rule {
  if ('record' in spec) return new RecordingRule(spec);
  return new AlertingRule({ ...spec, labels: { ...spec.labels, [drillLabel]: 'true' } });
}

export class Drill {
  readonly id: string;
  readonly startMs: number;
  readonly stepMs: number;
  readonly storage: OverlayStorage;
  private readonly group: RuleGroup;
  private readonly deps: GroupDeps;
  private readonly steps: number;
  private readonly prev = new Map<string, { rule: string; labels: Labels; state: AlertState }>();
  private readonly timeline: DrillTimeline;
  private next = 0;
  private currentTs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: 'simulated' | 'realtime' | null = null;
  private realtimeDone: ((t: DrillTimeline) => void) | null = null;

  constructor(private readonly opts: DrillOptions) {
    const now = opts.now ?? Date.now;
    this.id = opts.id ?? `drill-${++drillCounter}-${now().toString(36)}`;
    this.startMs = now();
    this.stepMs = opts.stepMs ?? 15_000;
    if (!(this.stepMs > 0)) throw new DrillInputError(`drill step must be positive, got ${this.stepMs} ms`);
    if (!(opts.durationMs >= 0) || !Number.isFinite(opts.durationMs)) throw new DrillInputError(`drill duration must be a finite, non-negative number of ms, got ${opts.durationMs}`);
    this.steps = Math.floor(opts.durationMs / this.stepMs) + 1;
    const maxSteps = opts.maxSteps ?? defaultMaxBacktestSteps;
    if (this.steps > maxSteps) {
      throw new DrillInputError(`drill would need ${this.steps} evaluations; the limit is ${maxSteps}. Shorten the drill or use a longer step.`);
    }
    this.currentTs = this.startMs;

    this.storage = new OverlayStorage(opts.realStorage, { shadowReal: opts.shadowReal ?? true });
    // Sorted by time so several series (or points) for one label set load in order.
    const samples = expandDrillSeries(opts.series, this.startMs, this.stepMs).sort((a, b) => a.t - b.t);
    for (const s of samples) this.storage.add(s.labels, s.t, s.v);

    const specs = isGroup(opts.rule) ? opts.rule.rules : [opts.rule];
    for (const spec of specs) {
      try {
        opts.engine.options.parse(spec.expr);
      } catch (err) {
        const name = 'record' in spec ? spec.record : spec.name;
        throw new DrillInputError(`drill rule "${name}": ${(err as Error).message} in ${JSON.stringify(spec.expr)}; fix the expression first`);
      }
    }
    const name = opts.rule.name;
    this.group = new RuleGroup({ name: `drill: ${name}`, file: '(drill)', intervalMs: this.stepMs, limit: 0, queryOffsetMs: 0, rules: specs.map(markedRule) });
    const query = queryFnFor(opts.engine, this.storage);
    this.deps = {
      ctx: {
        query,
        expand: expanderFor(query, () => this.currentTs),
        externalLabels: opts.externalLabels ?? {},
        externalURL: opts.externalURL ?? '',
      },
      storage: this.storage,
      resendDelayMs: opts.resendDelayMs ?? 60_000,
      onAlerts: (alerts, rule) => this.deliver(alerts, rule),
    };
    this.timeline = { id: this.id, startMs: this.startMs, stepMs: this.stepMs, steps: [], transitions: [], notifications: [], errors: [] };
  }

  get done(): boolean {
    return this.next >= this.steps;
  }

  /** The timeline so far (live arrays; copy before mutating). */
  get result(): DrillTimeline {
    return this.timeline;
  }

  /** Evaluates the next step in simulated time; null once the drill is over. */
  async step(): Promise<DrillStep | null> {
    if (this.done) return null;
    const ts = this.startMs + this.next * this.stepMs;
    this.next++;
    this.currentTs = ts;
    await this.group.evalAt(ts, this.deps);
    return this.observe(ts);
  }

  /** Fast-forwards through the whole drill and returns its timeline. */
  async runToEnd(): Promise<DrillTimeline> {
    if (this.running === 'realtime') throw new Error(`drill ${this.id} is running in real time; stop() it first`);
    this.running = 'simulated';
    try {
      while (!this.done) await this.step();
    } finally {
      this.running = null;
    }
    return this.timeline;
  }

  /**
   * Follows the wall clock (the `now` option): evaluates each step once its time has come
   * (steps already due, e.g. when started late, run at once, in order).
   * Resolves with the timeline when the drill ends or `stop()` is called.
   */
  start(): Promise<DrillTimeline> {
    if (this.running !== null) throw new Error(`drill ${this.id} is already running`);
    this.running = 'realtime';
    const now = this.opts.now ?? Date.now;
    return new Promise((resolve) => {
      this.realtimeDone = resolve;
      const tick = (): void => {
        this.timer = null;
        if (this.running !== 'realtime') return;
        if (this.done) {
          this.finishRealtime();
          return;
        }
        const due = this.startMs + this.next * this.stepMs;
        if (now() < due) {
          this.timer = setTimeout(tick, due - now());
          return;
        }
        void this.step()
          .catch((err: unknown) => this.timeline.errors.push({ atMs: due, rule: this.group.name, message: String(err) }))
          .finally(tick);
      };
      tick();
    });
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.running === 'realtime') this.finishRealtime();
  }

  private finishRealtime(): void {
    this.running = null;
    const done = this.realtimeDone;
    this.realtimeDone = null;
    done?.(this.timeline);
  }

  private deliver(alerts: Alert[], rule: AlertingRule): void {
    const out: DrillAlert[] = alerts.map((a) => ({
      rule: rule.name,
      labels: a.labels,
      annotations: { ...a.annotations },
      state: a.state === 'firing' ? 'firing' : 'resolved',
      activeAtMs: a.activeAtMs,
      firedAtMs: a.firedAtMs,
      resolvedAtMs: a.resolvedAtMs,
      drill: true,
    }));
    this.timeline.notifications.push({ atMs: this.currentTs, alerts: out });
    this.opts.onAlerts?.(out, this.id);
  }

  private observe(ts: number): DrillStep {
    const step: DrillStep = { atMs: ts, offsetMs: ts - this.startMs, alerts: [] };
    const seen = new Set<string>();
    for (const r of this.group.spec.rules) {
      if (r.health.health === 'err' && r.health.lastEvaluationMs === ts) {
        this.timeline.errors.push({ atMs: ts, rule: r.name, message: r.health.lastError });
      }
      if (!(r instanceof AlertingRule)) continue;
      for (const a of r.active.values()) {
        const key = `${r.name}\u0000${labelsKey(a.labels)}`;
        seen.add(key);
        if (a.state !== 'inactive') step.alerts.push({ rule: r.name, labels: a.labels, state: a.state });
        this.transition(key, ts, r.name, a.labels, a.state);
      }
    }
    for (const [key, p] of this.prev) if (!seen.has(key)) this.transition(key, ts, p.rule, p.labels, 'inactive');
    this.timeline.steps.push(step);
    return step;
  }

  private transition(key: string, ts: number, rule: string, labels: Labels, to: AlertState): void {
    const from = this.prev.get(key)?.state ?? 'inactive';
    if (to === 'inactive') this.prev.delete(key);
    else this.prev.set(key, { rule, labels, state: to });
    if (from === to) return;
    const t: DrillTransition = { atMs: ts, offsetMs: ts - this.startMs, rule, labels, from, to };
    this.timeline.transitions.push(t);
    this.opts.onTransition?.(t, this.id);
  }
}

/** Creates a drill with its synthetic series loaded; call `runToEnd()` or `start()`. */
export function startDrill(opts: DrillOptions): Drill {
  return new Drill(opts);
}
