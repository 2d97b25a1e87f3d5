/**
 * Alert backtests: replay an alerting rule over stored history, one evaluation per step, with
 * the live state machine (`AlertingRule.eval` and `alertsToSend`, not a re-implementation), and
 * report when each alert would have been pending or firing and how many notifications it would
 * have sent. Lets a user see an alarm fire on real data before trusting it.
 *
 * The run warms up before `startMs` (by default `for` + `keep_firing_for`, in whole steps) so an
 * alert that was already pending or firing when the window opens is in that state at `startMs`,
 * as it would be live; nothing seen during the warm-up is reported. Known difference from live
 * evaluation: the ALERTS series the rule would have written are not stored, so a rule whose
 * expression reads ALERTS sees only what live evaluation wrote, if anything.
 */
import type { PromQLEngine } from '../promql/engine.js';
import type { Queryable } from '../tsdb/interface.js';
import { labelsKey, type Labels } from '../tsdb/labels.js';
import { AlertingRule, type AlertingRuleSpec, type EvalContext } from './alerting-rule.js';
import { expanderFor, gridQueryFn, localRunner, type RuleQueryRunner } from './backtest-query.js';
import { IntervalTracker, totalMs, type ActiveState, type AlertInterval } from './backtest-intervals.js';
import { compareBacktests, type BacktestComparison } from './backtest-compare.js';
import type { ExpandFn } from './types.js';
import { formatDuration } from '../../app/dialect/duration.js';

export { compareBacktests,  type BacktestComparison } from './backtest-compare.js';

/** Same bound as a range query's points per series, for the same reason: bounded work per request. */
export const defaultMaxBacktestSteps = 11_000;
const keptErrors = 20;

export class BacktestLimitError extends Error {
  readonly kind = 'too_many_steps';
}

export interface BacktestOptions {
  queryable: Queryable;
  engine: PromQLEngine;
  /** Where the rule's queries run; default this engine over `queryable` (a remote data source otherwise). */
  runner?: RuleQueryRunner;
  startMs: number;
  endMs: number;
  /** The rule group's evaluation interval; `for` is measured in evaluations of it. Default 1m. */
  evaluationIntervalMs?: number;
  /** Default: the evaluation interval, which is what live evaluation does. */
  stepMs?: number;
  /** Alertmanager resend delay (Prometheus' --rules.alert.resend-delay). Default 1m. */
  resendDelayMs?: number;
  externalLabels?: Record<string, string>;
  externalURL?: string;
  /** The group's `limit` (0 = none) and `query_offset`. */
  limit?: number;
  queryOffsetMs?: number;
  /** Evaluate this long before `startMs` without reporting. Default: `for` + `keep_firing_for`. */
  warmupMs?: number;
  /** Cap on evaluations, warm-up included. Default 11,000. */
  maxSteps?: number;
  signal?: AbortSignal;
  /**
   * Answer the rule's expression from range queries over blocks of steps instead of one instant
   * query per step (same values, much faster). Default true.
   */
  rangeQueries?: boolean;
  /** Override the template expander (default: the rule-template engine with `query` bound to history). */
  expand?: ExpandFn;
}

/**
 * What one send to Alertmanager was: the first send of a firing alert, a resend while it keeps
 * firing, the first send after it resolved, or a repeat of that (Prometheus keeps resending a
 * resolved alert every resend delay for the 15 minutes it retains it).
 */
type SendKind = 'firing' | 'resend' | 'resolved' | 'resolved-resend';

interface BacktestSend {
  atMs: number;
  kind: SendKind;
}

export interface BacktestAlert {
  labels: Labels;
  intervals: AlertInterval[];
  pendingMs: number;
  firingMs: number;
  /**
   * Notifications sent to Alertmanager: first firing sends, resends while firing, and one
   * resolved send per episode. Repeats of the resolved send are counted apart, in
   * `resolvedResends`, and listed in `sends`.
   */
  notifications: number;
  resolvedResends: number;
  sends: BacktestSend[];
}

export interface BacktestResult {
  rule: string;
  startMs: number;
  endMs: number;
  stepMs: number;
  evaluations: number;
  /** Evaluations run before `startMs` to build up state; not reported. */
  warmupEvaluations: number;
  /** Sorted by labels' key; only alerts that were pending or firing at some evaluation. */
  alerts: BacktestAlert[];
  notifications: number;
  /** Evaluations that failed (the alert state then carries over, as live); first few kept. */
  errorCount: number;
  errors: { atMs: number; message: string }[];
}

/** Number of evaluations in `[startMs, endMs]` at `stepMs`; throws a readable error past the cap. */
function backtestSteps(ruleName: string, startMs: number, endMs: number, stepMs: number, maxSteps: number): number {
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) throw new RangeError(`backtest of rule "${ruleName}": start and end must be finite times`);
  if (!(stepMs > 0)) throw new RangeError(`backtest of rule "${ruleName}": step must be positive, got ${stepMs} ms`);
  if (endMs < startMs) throw new RangeError(`backtest of rule "${ruleName}": end is before start; swap them`);
  const steps = Math.floor((endMs - startMs) / stepMs) + 1;
  if (steps > maxSteps) {
    const minStep = Math.ceil((endMs - startMs) / (maxSteps - 1) / 1000) * 1000;
    throw new BacktestLimitError(
      `backtest of rule "${ruleName}" would need ${steps} evaluations (${formatDuration(endMs - startMs)} at a ${formatDuration(stepMs)} step); ` +
        `the limit is ${maxSteps}. Shorten the window or use a step of at least ${formatDuration(minStep)}.`,
    );
  }
  return steps;
}

export async function backtestAlertingRule(spec: AlertingRuleSpec, opts: BacktestOptions): Promise<BacktestResult> {
  const intervalMs = opts.evaluationIntervalMs ?? 60_000;
  const stepMs = opts.stepMs ?? intervalMs;
  const warmupMs = opts.warmupMs ?? spec.forMs + spec.keepFiringForMs;
  if (!(warmupMs >= 0)) throw new RangeError(`backtest of rule "${spec.name}": warm-up must be zero or positive, got ${warmupMs} ms`);
  const warmup = Math.ceil(warmupMs / stepMs);
  const steps = backtestSteps(spec.name, opts.startMs - warmup * stepMs, opts.endMs, stepMs, opts.maxSteps ?? defaultMaxBacktestSteps) - warmup;
  const resendDelayMs = opts.resendDelayMs ?? 60_000;

  // Annotations cannot change states or sends (a failing one only yields error text), and
  // expanding them at every step of every alert costs more than the evaluation: leave them out.
  const rule = new AlertingRule({ ...spec, annotations: {} });
  // A typo would otherwise fail every one of up to 11,000 evaluations the same way.
  try {
    opts.engine.options.parse(spec.expr);
  } catch (err) {
    throw new SyntaxError(`backtest of rule "${spec.name}": ${(err as Error).message} in ${JSON.stringify(spec.expr)}; fix the expression and run it again`);
  }
  const queryOffsetMs = opts.queryOffsetMs ?? 0;
  const runner = opts.runner ?? localRunner(opts.engine, opts.queryable);
  const query =
    opts.rangeQueries === false
      ? runner.instant
      : gridQueryFn(runner, {
          expr: spec.expr,
          firstMs: opts.startMs - warmup * stepMs - queryOffsetMs,
          lastMs: opts.startMs + (steps - 1) * stepMs - queryOffsetMs,
          stepMs,
        });
  let currentTs = opts.startMs;
  const ctx: EvalContext = {
    query,
    expand: opts.expand ?? expanderFor(query, () => currentTs),
    externalLabels: opts.externalLabels ?? {},
    externalURL: opts.externalURL ?? '',
    limit: opts.limit ?? 0,
    queryOffsetMs,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  };

  const tracker = new IntervalTracker();
  const sends = new Map<string, BacktestSend[]>();
  const sentLabels = new Map<string, Labels>();
  // Keyed by the evaluator's alert object: a new episode (re-fire after resolving) is a new object.
  const sentFiring = new WeakSet<object>();
  const sentResolved = new WeakSet<object>();
  const errors: BacktestResult['errors'] = [];
  let errorCount = 0;
  let lastTs = opts.startMs;
  for (let i = -warmup; i < steps; i++) {
    opts.signal?.throwIfAborted();
    const ts = opts.startMs + i * stepMs;
    const reported = i >= 0;
    currentTs = ts;
    let ok = true;
    try {
      await rule.eval(ts, ctx);
    } catch (err) {
      // As a rule group does: the failure is the rule's health, the alert state carries over.
      ok = false;
      if (reported) {
        errorCount++;
        if (errors.length < keptErrors) errors.push({ atMs: ts, message: (err as Error).message });
      }
    }
    if (reported) {
      lastTs = ts;
      tracker.observe(ts, activeStates(rule));
    }
    if (!ok) continue;
    // Called during the warm-up too, so resend timing at `startMs` follows earlier sends.
    const toSend = rule.alertsToSend(ts, resendDelayMs, intervalMs);
    if (!reported) {
      for (const a of toSend) (a.state === 'firing' ? sentFiring : sentResolved).add(a);
      continue;
    }
    for (const a of toSend) {
      const key = labelsKey(a.labels);
      sentLabels.set(key, a.labels);
      let list = sends.get(key);
      if (list === undefined) {
        list = [];
        sends.set(key, list);
      }
      let kind: SendKind;
      if (a.state === 'firing') {
        kind = sentFiring.has(a) ? 'resend' : 'firing';
        sentFiring.add(a);
      } else {
        kind = sentResolved.has(a) ? 'resolved-resend' : 'resolved';
        sentResolved.add(a);
      }
      list.push({ atMs: ts, kind });
    }
  }

  const intervals = tracker.finish(lastTs + stepMs);
  const alerts: BacktestAlert[] = [];
  // Sends without intervals happen too: an alert that fired during the warm-up and resolves at the start.
  for (const key of [...new Set([...intervals.keys(), ...sends.keys()])].sort()) {
    const list = intervals.get(key) ?? [];
    const s = sends.get(key) ?? [];
    alerts.push({
      labels: tracker.labels.get(key) ?? sentLabels.get(key) ?? [],
      intervals: list,
      pendingMs: totalMs(list.filter((x) => x.state === 'pending')),
      firingMs: totalMs(list.filter((x) => x.state === 'firing')),
      notifications: s.filter((x) => x.kind !== 'resolved-resend').length,
      resolvedResends: s.filter((x) => x.kind === 'resolved-resend').length,
      sends: s,
    });
  }
  return {
    rule: spec.name,
    startMs: opts.startMs,
    endMs: opts.endMs,
    stepMs,
    evaluations: steps,
    warmupEvaluations: warmup,
    alerts,
    notifications: alerts.reduce((n, a) => n + a.notifications, 0),
    errorCount,
    errors,
  };
}

/** Backtests the saved and the edited rule over the same window and compares them. */
export async function compareRuleEdit(saved: AlertingRuleSpec, edited: AlertingRuleSpec, opts: BacktestOptions): Promise<BacktestComparison> {
  const a = await backtestAlertingRule(saved, opts);
  const b = await backtestAlertingRule(edited, opts);
  return compareBacktests(a, b);
}

function activeStates(rule: AlertingRule): Map<string, { labels: Labels; state: ActiveState }> {
  const out = new Map<string, { labels: Labels; state: ActiveState }>();
  for (const [key, a] of rule.active) {
    if (a.state === 'inactive') continue;
    out.set(key, { labels: a.labels, state: a.state });
  }
  return out;
}
