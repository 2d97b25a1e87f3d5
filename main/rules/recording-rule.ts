/**
 * A recording rule (Prometheus' rules/recording.go): evaluates its expression and stores the
 * result under the new metric name with the rule's labels; refuses duplicate label sets and
 * results over the group's limit.
 */
import { labelsKey, metricNameLabel, normalizeLabels } from '../tsdb/labels.js';
import type { EvalContext } from './alerting-rule.js';
import type { RuleHealth, RuleSample } from './types.js';

export interface RecordingRuleSpec {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export class RecordingRule {
  health: RuleHealth = { health: 'unknown', lastError: '', lastEvaluationMs: null, evaluationSeconds: 0 };

  constructor(readonly spec: RecordingRuleSpec) {}

  get name(): string {
    return this.spec.record;
  }

  async eval(ts: number, ctx: EvalContext): Promise<RuleSample[]> {
    const started = performance.now();
    try {
      const res = await ctx.query(this.spec.expr, ts - ctx.queryOffsetMs, ctx.signal);
      const seen = new Set<string>();
      const out: RuleSample[] = [];
      for (const s of res) {
        const pairs = s.labels.filter((l) => l.name !== metricNameLabel).map((l) => ({ name: l.name, value: l.value }));
        for (const [k, v] of Object.entries(this.spec.labels)) pairs.push({ name: k, value: v });
        pairs.push({ name: metricNameLabel, value: this.spec.record });
        const labels = normalizeLabels(pairs);
        const key = labelsKey(labels);
        if (seen.has(key)) throw new Error('vector contains metrics with the same labelset after applying rule labels');
        seen.add(key);
        out.push({ labels, value: s.value, ...(s.h !== undefined ? { h: s.h } : {}) });
      }
      if (ctx.limit > 0 && out.length > ctx.limit) throw new Error(`exceeded limit of ${ctx.limit} with ${out.length} series`);
      this.health = { health: 'ok', lastError: '', lastEvaluationMs: ts, evaluationSeconds: (performance.now() - started) / 1000 };
      return out;
    } catch (err) {
      this.health = { health: 'err', lastError: (err as Error).message, lastEvaluationMs: ts, evaluationSeconds: (performance.now() - started) / 1000 };
      throw err;
    }
  }
}
