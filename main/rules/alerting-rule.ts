/**
 * An alerting rule's state machine, as Prometheus' rules/alerting.go: results of the expression
 * become pending alerts, pending alerts fire after `for`, alerts that leave the result resolve
 * (kept 15 minutes for notification), `keep_firing_for` holds firing alerts after their condition
 * clears, `limit` caps active alerts. Produces the `ALERTS` and `ALERTS_FOR_STATE` series.
 */
import { labelsKey, labelsToRecord, metricNameLabel, normalizeLabels, type Labels } from '../tsdb/labels.js';
import type { Alert, ExpandFn, QueryFn, RuleHealth, RuleSample } from './types.js';

export const resolvedRetentionMs = 15 * 60_000;

export interface AlertingRuleSpec {
  name: string;
  expr: string;
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface EvalContext {
  query: QueryFn;
  expand: ExpandFn;
  externalLabels: Record<string, string>;
  externalURL: string;
  /** 0 means unlimited, as in Prometheus. */
  limit: number;
  queryOffsetMs: number;
  signal?: AbortSignal;
}

export class AlertingRule {
  readonly active = new Map<string, Alert>();
  health: RuleHealth = { health: 'unknown', lastError: '', lastEvaluationMs: null, evaluationSeconds: 0 };
  /** Set when state was restored from ALERTS_FOR_STATE after a restart. */
  restored = false;

  constructor(readonly spec: AlertingRuleSpec) {}

  get name(): string {
    return this.spec.name;
  }

  /** Evaluates at `ts` and returns the ALERTS / ALERTS_FOR_STATE samples to store. */
  async eval(ts: number, ctx: EvalContext): Promise<RuleSample[]> {
    const started = performance.now();
    try {
      const res = await ctx.query(this.spec.expr, ts - ctx.queryOffsetMs, ctx.signal);
      const out = await this.update(ts, res, ctx);
      this.health = { health: 'ok', lastError: '', lastEvaluationMs: ts, evaluationSeconds: (performance.now() - started) / 1000 };
      return out;
    } catch (err) {
      this.health = { health: 'err', lastError: (err as Error).message, lastEvaluationMs: ts, evaluationSeconds: (performance.now() - started) / 1000 };
      throw err;
    }
  }

  private async update(ts: number, res: RuleSample[], ctx: EvalContext): Promise<RuleSample[]> {
    // As Prometheus: a template that fails to expand yields its error text, the rule still runs.
    const expand = async (tmpl: string, data: Parameters<EvalContext['expand']>[1], name: string): Promise<string> => {
      try {
        return await ctx.expand(tmpl, data, name);
      } catch (err) {
        return `<error expanding template: ${(err as Error).message}>`;
      }
    };
    const fresh = new Map<string, Alert>();
    for (const sample of res) {
      const metricLabels = labelsToRecord(sample.labels);
      const data = { labels: metricLabels, value: sample.value, externalLabels: ctx.externalLabels, externalURL: ctx.externalURL };
      const pairs = sample.labels.filter((l) => l.name !== metricNameLabel).map((l) => ({ name: l.name, value: l.value }));
      for (const [k, tmpl] of Object.entries(this.spec.labels)) pairs.push({ name: k, value: await expand(tmpl, data, `label ${k}`) });
      pairs.push({ name: 'alertname', value: this.spec.name });
      const labels = normalizeLabels(pairs);
      const annotations: Record<string, string> = {};
      for (const [k, tmpl] of Object.entries(this.spec.annotations)) annotations[k] = await expand(tmpl, data, `annotation ${k}`);
      const key = labelsKey(labels);
      if (fresh.has(key)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
      fresh.set(key, {
        labels,
        annotations,
        state: 'pending',
        value: sample.value,
        activeAtMs: ts,
        firedAtMs: null,
        resolvedAtMs: null,
        lastSentAtMs: null,
        validUntilMs: null,
        keepFiringSinceMs: null,
      });
    }
    for (const [key, a] of fresh) {
      const existing = this.active.get(key);
      if (existing && existing.state !== 'inactive') {
        existing.value = a.value;
        existing.annotations = a.annotations;
        continue;
      }
      this.active.set(key, a);
    }
    let activeCount = 0;
    for (const [key, a] of this.active) {
      if (!fresh.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && this.spec.keepFiringForMs > 0) {
          a.keepFiringSinceMs ??= ts;
          keepFiring = ts - a.keepFiringSinceMs < this.spec.keepFiringForMs;
        }
        if (!keepFiring) {
          if (a.state === 'pending' || (a.resolvedAtMs !== null && ts - a.resolvedAtMs > resolvedRetentionMs)) this.active.delete(key);
          if (a.state !== 'inactive') {
            a.state = 'inactive';
            a.resolvedAtMs = ts;
          }
          continue;
        }
      } else {
        a.keepFiringSinceMs = null;
      }
      activeCount++;
      if (a.state === 'pending' && ts - a.activeAtMs >= this.spec.forMs) {
        a.state = 'firing';
        a.firedAtMs = ts;
      }
    }
    if (ctx.limit > 0 && activeCount > ctx.limit) {
      this.active.clear();
      throw new Error(`exceeded limit of ${ctx.limit} with ${activeCount} alerts`);
    }
    const out: RuleSample[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'inactive') continue;
      out.push({ labels: normalizeLabels([...a.labels, { name: metricNameLabel, value: 'ALERTS' }, { name: 'alertstate', value: a.state }]), value: 1 });
      out.push({ labels: normalizeLabels([...a.labels, { name: metricNameLabel, value: 'ALERTS_FOR_STATE' }]), value: a.activeAtMs / 1000 });
    }
    return out;
  }

  /** Alerts that should be (re)sent now, as Prometheus' needsSending with `resendDelay`. */
  alertsToSend(ts: number, resendDelayMs: number, intervalMs: number): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'pending') continue;
      const needs =
        a.lastSentAtMs === null || (a.resolvedAtMs !== null && a.resolvedAtMs > a.lastSentAtMs) || a.lastSentAtMs + resendDelayMs < ts;
      if (!needs) continue;
      a.lastSentAtMs = ts;
      a.validUntilMs = ts + 4 * Math.max(resendDelayMs, intervalMs);
      out.push(a);
    }
    return out;
  }

  /**
   * Restores `activeAt` of pending alerts after a restart from the last `ALERTS_FOR_STATE`
   * sample, as Prometheus' RestoreForState: the downtime does not count towards `for`.
   */
  restoreForState(ts: number, lastForState: (labels: Labels) => { t: number; v: number } | null, gracePeriodMs: number): void {
    if (this.spec.forMs < gracePeriodMs) return;
    for (const a of this.active.values()) {
      if (a.state !== 'pending') continue;
      const last = lastForState(a.labels);
      if (last === null) continue;
      const downAt = last.t;
      let restoredActiveAt = last.v * 1000;
      const timeRemaining = this.spec.forMs - (downAt - restoredActiveAt);
      if (timeRemaining <= 0) {
        // It was firing when we went down; the next evaluation fires it again if still true.
      } else if (timeRemaining < gracePeriodMs) {
        restoredActiveAt = ts + gracePeriodMs - this.spec.forMs;
      } else {
        restoredActiveAt += ts - downAt;
      }
      a.activeAtMs = restoredActiveAt;
    }
    this.restored = true;
  }
}
