/**
 * Loads rule files, runs their groups, restores `for` state after a restart, and answers
 * `/api/v1/rules` and `/api/v1/alerts` as Prometheus does. A reload that fails keeps the running
 * groups (and their alert state) untouched.
 */
import { readFileSync } from 'node:fs';
import type { Appendable, Queryable } from '../tsdb/interface.js';
import { labelsToRecord, metricNameLabel, type Labels } from '../tsdb/labels.js';
import { AlertingRule } from './alerting-rule.js';
import { RecordingRule } from './recording-rule.js';
import { RuleGroup, type Rule } from './group.js';
import { parseRuleFile, type ParseRulesOptions } from './rulefile.js';
import { configuredFiles } from '../util/glob.js';
import type { Alert, ExpandFn, QueryFn } from './types.js';

export interface RuleManagerDeps {
  query: QueryFn;
  expand: ExpandFn;
  storage: Appendable;
  /** For restoring `for` state from ALERTS_FOR_STATE after a restart. */
  queryable: Queryable;
  externalLabels: Record<string, string>;
  externalURL: string;
  evaluationIntervalMs: number;
  onAlerts?: (alerts: Alert[], rule: AlertingRule, group: RuleGroup) => void;
  /** After every group evaluation (the inbox records alert state changes from here). */
  onGroupEvaluated?: (group: RuleGroup, ts: number) => void;
  logWarn?: (msg: string, fields?: Record<string, unknown>) => void;
  parseOptions?: ParseRulesOptions;
  now?: () => number;
  /** True while evaluation must wait for fresh data (after a wake). */
  held?: () => boolean;
  /** Evaluation intervals are multiplied by this (energy mode). */
  intervalScale?: () => number;
}

const outageToleranceMs = 3_600_000;
const forGracePeriodMs = 600_000;

function goTime(ms: number | null): string {
  return ms === null ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString();
}

/** Go's strconv.FormatFloat(v, 'e', -1, 64), which Prometheus uses for alert values. */
type ParsedRuleFile = Extract<ReturnType<typeof parseRuleFile>, { ok: true }>;

/**
 * The files `rule_files` names: patterns expanded as Prometheus does (Go's filepath.Glob; one
 * matching nothing adds nothing), literal paths as given. A malformed pattern adds an error.
 */
export function expandRuleFiles(patterns: readonly string[], errors: string[] = []): string[] {
  return patterns.flatMap((p) => {
    try {
      return configuredFiles(p);
    } catch (err) {
      errors.push(`error retrieving rule files for ${p}: ${(err as Error).message}`);
      return [];
    }
  });
}

/** Reads and parses rule files: each file's groups, and every error (file:line: message). */
export function readRuleFiles(files: readonly string[], opts?: ParseRulesOptions): { errors: string[]; files: Array<{ file: string; parsed: ParsedRuleFile }> } {
  const errors: string[] = [];
  const out: Array<{ file: string; parsed: ParsedRuleFile }> = [];
  for (const file of expandRuleFiles(files, errors)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      errors.push(`${file}: ${(err as Error).message}`);
      continue;
    }
    const parsed = parseRuleFile(file, text, opts);
    if (!parsed.ok) errors.push(...parsed.errors);
    else out.push({ file, parsed });
  }
  return { errors, files: out };
}

function formatAlertValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${mant}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
}

export class RuleManager {
  private groups: RuleGroup[] = [];
  private files: string[] = [];
  private running = false;

  constructor(private readonly deps: RuleManagerDeps) {}

  /** Parses every file; on any error nothing changes and the errors are returned. */
  load(files: string[]): string[] {
    const { errors, files: read } = readRuleFiles(files, this.deps.parseOptions);
    const next: RuleGroup[] = [];
    for (const { file, parsed } of read) {
      for (const g of parsed.value.groups) {
        const rules: Rule[] = g.rules.map((r) =>
          r.kind === 'alert'
            ? new AlertingRule({ name: r.alert, expr: r.expr, forMs: r.forMs, keepFiringForMs: r.keepFiringForMs, labels: { ...g.labels, ...r.labels }, annotations: r.annotations })
            : new RecordingRule({ record: r.record, expr: r.expr, labels: { ...g.labels, ...r.labels } }),
        );
        next.push(new RuleGroup({ name: g.name, file, intervalMs: g.intervalMs ?? this.deps.evaluationIntervalMs, limit: g.limit, queryOffsetMs: g.queryOffsetMs ?? 0, rules }));
      }
    }
    if (errors.length > 0) return errors;
    // Keep alert state of rules that survive the reload (same group, file, name and expression).
    const old = new Map(this.groups.flatMap((g) => g.spec.rules.map((r) => [`${g.spec.file}|${g.name}|${r.name}|${r.spec.expr}`, r] as const)));
    for (const g of next) {
      g.spec.rules.forEach((r) => {
        const prev = old.get(`${g.spec.file}|${g.name}|${r.name}|${r.spec.expr}`);
        if (prev instanceof AlertingRule && r instanceof AlertingRule) for (const [k, a] of prev.active) r.active.set(k, a);
      });
    }
    const wasRunning = this.running;
    this.stop();
    this.groups = next;
    this.files = files;
    if (wasRunning) this.start();
    return [];
  }

  get ruleFiles(): readonly string[] {
    return this.files;
  }

  get ruleGroups(): readonly RuleGroup[] {
    return this.groups;
  }

  start(): void {
    this.running = true;
    const now = this.deps.now ?? Date.now;
    for (const g of this.groups) {
      let restored = false;
      g.start(
        {
          ctx: { query: this.deps.query, expand: this.deps.expand, externalLabels: this.deps.externalLabels, externalURL: this.deps.externalURL },
          storage: this.deps.storage,
          // Restore `for` state once, right after the first evaluation created the alerts.
          onEvaluated: async (group, ts) => {
            this.deps.onGroupEvaluated?.(group, ts);
            if (restored) return;
            restored = true;
            await this.restore(group, ts).catch((err: unknown) => this.deps.logWarn?.('restoring alert state failed', { group: group.name, error: String(err) }));
          },
          onAlerts: this.deps.onAlerts,
          logWarn: this.deps.logWarn,
          ...(this.deps.held ? { held: this.deps.held } : {}),
          ...(this.deps.intervalScale ? { intervalScale: this.deps.intervalScale } : {}),
        },
        now,
      );
    }
  }

  stop(): void {
    this.running = false;
    for (const g of this.groups) g.stop();
  }

  /**
   * After a sleep of `gapMs`: pending alerts' `for` does not count the time asleep (their activeAt
   * moves on by the gap, as a restart's downtime does), and every firing alert is returned so
   * it can be sent again, valid from now, before the notifier's timeout resolves it for lack of
   * news while the rules wait for fresh data.
   */
  afterGap(gapMs: number): Array<{ rule: AlertingRule; alerts: Alert[] }> {
    const firing: Array<{ rule: AlertingRule; alerts: Alert[] }> = [];
    for (const g of this.groups) {
      for (const r of g.spec.rules) {
        if (!(r instanceof AlertingRule)) continue;
        const alerts: Alert[] = [];
        for (const a of r.active.values()) {
          if (a.state === 'pending') a.activeAtMs += gapMs;
          else if (a.state === 'firing') alerts.push(a);
        }
        if (alerts.length > 0) firing.push({ rule: r, alerts });
      }
    }
    return firing;
  }

  /** Whether every group has evaluated at or after `ms`. */
  evaluatedSince(ms: number): boolean {
    return this.groups.every((g) => g.lastEvaluationMs !== null && g.lastEvaluationMs >= ms);
  }

  /**
   * Looks up the newest ALERTS_FOR_STATE sample of each pending alert within the outage
   * tolerance, before `ts` (so the sample the first evaluation just wrote is not taken).
   */
  async restore(group: RuleGroup, ts: number): Promise<void> {
    const rules = group.spec.rules.filter((r): r is AlertingRule => r instanceof AlertingRule && r.spec.forMs > 0);
    if (rules.length === 0) return;
    const querier = await this.deps.queryable.querier(ts - outageToleranceMs, ts - 1);
    try {
      for (const rule of rules) {
        const set = await querier.select([
          { op: '=', name: metricNameLabel, value: 'ALERTS_FOR_STATE' },
          { op: '=', name: 'alertname', value: rule.name },
        ]);
        const last = new Map<string, { t: number; v: number }>();
        for (const s of set.series) {
          const { t, v } = s.samples();
          const n = t.length - 1;
          // A staleness marker last means the alert was not active when we went down.
          if (n < 0 || v[n] !== v[n]) continue;
          last.set(JSON.stringify(labelsToRecord(s.labels.filter((l) => l.name !== metricNameLabel))), { t: t[n]!, v: v[n]! });
        }
        rule.restoreForState(ts, (labels: Labels) => last.get(JSON.stringify(labelsToRecord(labels))) ?? null, forGracePeriodMs);
      }
    } finally {
      querier.close();
    }
  }

  /** `/api/v1/rules` data. */
  rulesApi(filter: { type?: 'alert' | 'record' } = {}): unknown {
    return {
      groups: this.groups.map((g) => ({
        name: g.name,
        file: g.spec.file,
        interval: g.spec.intervalMs / 1000,
        limit: g.spec.limit,
        evaluationTime: g.evaluationSeconds,
        lastEvaluation: goTime(g.lastEvaluationMs),
        rules: g.spec.rules
          .filter((r) => !filter.type || (filter.type === 'alert') === r instanceof AlertingRule)
          .map((r) => {
            const common = {
              name: r.name,
              query: r.spec.expr,
              labels: r.spec.labels,
              health: r.health.health,
              lastError: r.health.lastError,
              evaluationTime: r.health.evaluationSeconds,
              lastEvaluation: goTime(r.health.lastEvaluationMs),
            };
            if (r instanceof RecordingRule) return { ...common, type: 'recording' };
            const alerts = [...r.active.values()].filter((a) => a.state !== 'inactive');
            const state = alerts.some((a) => a.state === 'firing') ? 'firing' : alerts.length > 0 ? 'pending' : 'inactive';
            return {
              ...common,
              type: 'alerting',
              state,
              duration: r.spec.forMs / 1000,
              keepFiringFor: r.spec.keepFiringForMs / 1000,
              annotations: r.spec.annotations,
              alerts: alerts.map((a) => this.alertJson(a)),
            };
          }),
      })),
    };
  }

  /** `/api/v1/alerts` data. */
  alertsApi(): unknown {
    return {
      alerts: this.groups.flatMap((g) =>
        g.spec.rules.flatMap((r) => (r instanceof AlertingRule ? [...r.active.values()].filter((a) => a.state !== 'inactive').map((a) => this.alertJson(a)) : [])),
      ),
    };
  }

  private alertJson(a: Alert): Record<string, unknown> {
    const out: Record<string, unknown> = {
      labels: labelsToRecord(a.labels),
      annotations: a.annotations,
      state: a.state,
      activeAt: goTime(a.activeAtMs),
      value: formatAlertValue(a.value),
    };
    if (a.keepFiringSinceMs !== null) out['keepFiringSince'] = goTime(a.keepFiringSinceMs);
    return out;
  }
}
