/**
 * Alerting, wired: rule groups evaluated over the PromQL engine and storage, their alerts routed
 * through the notification tree (inbox, desktop, webhook, Alertmanager, email, PagerDuty), the
 * inbox kept with every state change, and the alerting side of the contract.
 */
import { EventEmitter } from 'node:events';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import { ApiError } from '../../app/api/errors.js';
import type { InboxAlert as WireInboxAlert } from '../../app/api/alerts.js';
import { parseExpr } from '../../app/promql/parser.js';
import type { Config } from '../config/schema.js';
import { buildNotifyConfig, parseNotifyConfig, type NotifyConfig, type RawNotifyConfig } from '../notify/config.js';
import { defaultNotifyConfigRaw } from '../notify/default-config.js';
import { createNotifier, type Notifier } from '../notify/notifier.js';
import { compileMatcher, matchesLabels, parseMatchers, MatcherError } from '../notify/matchers.js';
import type { InboxAlert, InboxState } from '../notify/inbox.js';
import type { NotifyAlert } from '../notify/alert.js';
import type { DesktopNotification } from '../notify/receivers/desktop.js';
import type { PromQLEngine } from '../promql/engine.js';
import { AlertingRule } from '../rules/alerting-rule.js';
import { RuleManager } from '../rules/manager.js';
import { ruleTemplateExpander } from '../rules/template.js';
import { runRuleTestFile } from '../rules/unittest-run.js';
import { parseRuleFile } from '../rules/rulefile.js';
import { parseRuleTestFile } from '../rules/unittest-file.js';
import { backtestAlertingRule, compareRuleEdit, type BacktestResult } from '../rules/backtest.js';
import { startDrill, type DrillAlert } from '../rules/drill.js';
import type { AlertingRuleSpec } from '../rules/alerting-rule.js';
import { matchRoutes } from '../notify/route.js';
import type { Alert, QueryFn } from '../rules/types.js';
import type { TSDB } from '../tsdb/db.js';
import { labelsToRecord } from '../tsdb/labels.js';
import type { Logger } from '../util/log.js';
import type { EngineEvents } from '../events.js';
import type { AlertingService } from '../api/services.js';

export interface AlertingOptions {
  dataDir: string;
  tsdb: TSDB;
  promql: PromQLEngine;
  events: EngineEvents;
  logger: Logger;
  externalURL: string;
}

/** The Alertmanager-shaped routing config: a file named by the Vigil config, or the default. */
export function notificationConfig(config: Config, externalURL: string): { config: NotifyConfig } | { errors: string[] } {
  const file = config.global.notification_config_file;
  let raw: RawNotifyConfig | unknown;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      return { errors: [`${file}: ${(err as Error).message}`] };
    }
    const checked = parseNotifyConfig(file, text);
    if (!checked.ok) return { errors: checked.errors };
    raw = parseYaml(text) as unknown;
  } else {
    // The default routing: critical → desktop (and PagerDuty when a routing key is set), the rest
    // → email when SMTP is set, everything → the inbox. Secrets come from the environment.
    const env = process.env;
    const email =
      env['VIGIL_EMAIL_TO'] && env['VIGIL_EMAIL_FROM'] && env['VIGIL_SMTP_SMARTHOST']
        ? {
            to: env['VIGIL_EMAIL_TO'],
            from: env['VIGIL_EMAIL_FROM'],
            smarthost: env['VIGIL_SMTP_SMARTHOST'],
            ...(env['VIGIL_SMTP_USERNAME'] ? { authUsername: env['VIGIL_SMTP_USERNAME'] } : {}),
            ...(env['VIGIL_SMTP_PASSWORD'] ? { authPassword: env['VIGIL_SMTP_PASSWORD'] } : {}),
          }
        : undefined;
    raw = defaultNotifyConfigRaw({
      externalURL,
      ...(env['VIGIL_PAGERDUTY_ROUTING_KEY'] ? { pagerdutyRoutingKey: env['VIGIL_PAGERDUTY_ROUTING_KEY'] } : {}),
      ...(email ? { email } : {}),
    });
  }
  // Alertmanagers of the Prometheus config (`alerting.alertmanagers`) receive every alert.
  const ams = config.alerting.alertmanagers.flatMap((am) =>
    (am.static_configs ?? []).flatMap((sc) => sc.targets.map((t) => `${am.scheme}://${t}${am.path_prefix === '/' ? '' : am.path_prefix.replace(/\/$/, '')}`)),
  );
  if (ams.length > 0 && raw !== null && typeof raw === 'object') {
    const r = raw as { receivers?: unknown[]; route?: Record<string, unknown> };
    r.receivers = [...(r.receivers ?? []), { name: 'prometheus-config-alertmanagers', alertmanager_configs: ams.map((url) => ({ url })) }];
    if (r.route) {
      // A node handles an alert only when none of its children match, so a matching `continue`
      // child at the root would take every alert from the root receiver. Keep the user's tree
      // whole as the second child of a root with the same settings.
      const { routes: _routes, ...settings } = r.route;
      r.route = { ...settings, routes: [{ receiver: 'prometheus-config-alertmanagers', continue: true }, { ...r.route }] };
    }
  }
  const built = buildNotifyConfig(raw, (p) => `${file ?? 'notification config'}: ${p.join('.')}:`);
  return built.ok ? { config: built.value } : { errors: built.errors };
}

export class Alerting implements AlertingService {
  readonly notifier: Notifier;
  readonly ruleManager: RuleManager;
  private readonly desktop = new EventEmitter();
  private readonly query: QueryFn;
  private started = false;
  private ruleErrors: string[] = [];
  private evaluationIntervalMs: number;
  private config: Config;
  private drills = 0;

  constructor(
    private readonly o: AlertingOptions,
    private readonly notifyConfig: NotifyConfig,
    config: Config,
  ) {
    this.evaluationIntervalMs = config.global.evaluation_interval;
    this.config = config;
    this.notifier = createNotifier({ config: notifyConfig, stateFile: join(o.dataDir, 'notify.sqlite'), log: o.logger.child('notify'), desktop: this.desktop });
    this.desktop.on('notification', (n: DesktopNotification) =>
      o.events.emit({
        type: 'notification',
        id: `${n.groupKey}@${Date.now()}`,
        title: n.title,
        body: n.body,
        severity: n.severity,
        alertFingerprint: n.alertFingerprint,
        drill: n.drill,
      }),
    );
    this.query = async (expr, ts, signal) => {
      const r = await o.promql.instantQuery(o.tsdb, expr, ts, signal ? { signal } : {});
      if (r.result.type === 'vector') return r.result.samples.map((s) => ({ labels: s.labels, value: s.v }));
      if (r.result.type === 'scalar') return [{ labels: [], value: r.result.v }];
      throw new Error(`rule expression must return a vector or scalar, got ${r.result.type}`);
    };
    let evalTs = Date.now();
    const expand = ruleTemplateExpander({
      query: async (q: string) => (await this.query(q, evalTs)).map((s) => ({ Labels: labelsToRecord(s.labels), Value: s.value })),
    });
    this.ruleManager = new RuleManager({
      query: this.query,
      expand: (t, d, n) => expand(t, d, n),
      storage: o.tsdb,
      queryable: o.tsdb,
      externalLabels: config.global.external_labels,
      externalURL: o.externalURL,
      evaluationIntervalMs: config.global.evaluation_interval,
      onAlerts: (alerts, rule) => this.send(alerts, rule),
      onGroupEvaluated: (group, ts) => {
        evalTs = ts;
        this.recordInbox(group.spec.rules.filter((r): r is AlertingRule => r instanceof AlertingRule), ts);
      },
      logWarn: (m, f) => o.logger.warn(m, f),
    });
    this.apply(config);
  }

  static create(o: AlertingOptions, config: Config): Alerting {
    const n = notificationConfig(config, o.externalURL);
    if ('errors' in n) throw new Error(`invalid notification config:\n${n.errors.join('\n')}`);
    return new Alerting(o, n.config, config);
  }

  /** Loads the config's rule files; errors are kept for the Rules page and the old rules stay. */
  apply(config: Config): void {
    this.evaluationIntervalMs = config.global.evaluation_interval;
    this.config = config;
    const errors = this.ruleManager.load([...config.rule_files]);
    this.ruleErrors = errors;
    if (errors.length > 0) this.o.logger.error(`rule files not loaded:\n${errors.join('\n')}`);
    if (!this.started) {
      this.started = true;
      this.ruleManager.start();
    }
  }

  private send(alerts: Alert[], rule: AlertingRule): void {
    const now = Date.now();
    const out: NotifyAlert[] = alerts.map((a) => ({
      labels: labelsToRecord(a.labels),
      annotations: a.annotations,
      startsAtMs: a.firedAtMs ?? a.activeAtMs,
      endsAtMs: a.resolvedAtMs ?? a.validUntilMs ?? 0,
      generatorURL: `${this.o.externalURL.replace(/\/?$/, '/')}#/explore?q0=${encodeURIComponent(rule.spec.expr)}&tab=graph`,
      updatedAtMs: now,
    }));
    this.notifier.dispatcher.put(out);
  }

  private recordInbox(rules: AlertingRule[], ts: number): void {
    let changed = false;
    for (const rule of rules) {
      for (const a of rule.active.values()) {
        const state: InboxState = a.state === 'inactive' ? 'resolved' : a.state;
        const labels = labelsToRecord(a.labels);
        const before = this.notifier.inbox.list().find((x) => x.labels['alertname'] === labels['alertname'] && sameLabels(x.labels, labels));
        if (before?.state === state) continue;
        this.notifier.inbox.record(labels, a.annotations, state, ts, { drill: labels['drill'] === 'true', startsAtMs: a.activeAtMs });
        changed = true;
      }
    }
    if (changed) this.o.events.emit({ type: 'alertsChanged' });
  }

  private exprOf(alertname: string | undefined): string | null {
    for (const g of this.ruleManager.ruleGroups) for (const r of g.spec.rules) if (r instanceof AlertingRule && r.name === alertname) return r.spec.expr;
    return null;
  }

  private wire(a: InboxAlert): WireInboxAlert {
    return {
      fingerprint: a.fingerprint,
      labels: a.labels,
      annotations: a.annotations,
      state: a.state,
      firstSeenMs: a.firstSeenMs,
      lastChangeMs: a.lastChangeMs,
      history: a.history,
      notes: a.notes,
      ack: a.ack ? { by: a.ack.by, comment: a.ack.comment, atMs: a.ack.atMs } : null,
      drill: a.drill,
      flapping: a.flapping,
      silencedBy: this.notifier.silences.mutedBy(a.labels),
      expr: this.exprOf(a.labels['alertname']),
    };
  }

  private matchers(text: string | undefined, where: string) {
    if (text === undefined || text.trim() === '') return [];
    try {
      return parseMatchers(text).map(compileMatcher);
    } catch (err) {
      if (err instanceof MatcherError) throw new ApiError({ kind: 'bad_request', message: `${where}: ${err.message}` });
      throw err;
    }
  }

  async alerts(r: RequestOf<'alerts'>): Promise<ResponseOf<'alerts'>> {
    const ms = this.matchers(r.filter, 'filter');
    const list = this.notifier.inbox
      .list(r.states ? { states: r.states } : {})
      .filter((a) => (r.includeDrills ?? true) || !a.drill)
      .filter((a) => matchesLabels(ms, a.labels))
      .sort((a, b) => b.lastChangeMs - a.lastChangeMs);
    return { alerts: list.map((a) => this.wire(a)) };
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError({ kind: 'bad_request', message: (err as Error).message });
    }
  }

  async ackAlert(r: RequestOf<'ackAlert'>): Promise<ResponseOf<'ackAlert'>> {
    const a = this.guard(() => this.notifier.inbox.acknowledge(r.fingerprint, 'you', r.comment ?? '', Date.now()));
    this.o.events.emit({ type: 'alertsChanged' });
    return { alert: this.wire(a) };
  }
  async unackAlert(r: RequestOf<'unackAlert'>): Promise<ResponseOf<'unackAlert'>> {
    const a = this.guard(() => this.notifier.inbox.unacknowledge(r.fingerprint));
    this.o.events.emit({ type: 'alertsChanged' });
    return { alert: this.wire(a) };
  }
  async addAlertNote(r: RequestOf<'addAlertNote'>): Promise<ResponseOf<'addAlertNote'>> {
    const a = this.guard(() => this.notifier.inbox.addNote(r.fingerprint, 'you', r.text, Date.now()));
    return { alert: this.wire(a) };
  }

  async silences(): Promise<ResponseOf<'silences'>> {
    const s = this.notifier.silences;
    return { silences: s.list().map((x) => ({ ...x, state: s.state(x) })) };
  }
  async createSilence(r: RequestOf<'createSilence'>): Promise<ResponseOf<'createSilence'>> {
    const s = this.notifier.silences;
    const created = this.guard(() =>
      s.add({ matchers: r.matchers, startsAtMs: r.startsAtMs ?? Date.now(), endsAtMs: r.endsAtMs, createdBy: r.createdBy, comment: r.comment }),
    );
    this.o.events.emit({ type: 'alertsChanged' });
    return { ...created, state: s.state(created) };
  }
  async expireSilence(r: RequestOf<'expireSilence'>): Promise<ResponseOf<'expireSilence'>> {
    const s = this.notifier.silences;
    const expired = this.guard(() => s.expire(r.id));
    this.o.events.emit({ type: 'alertsChanged' });
    return { ...expired, state: s.state(expired) };
  }
  async previewSilence(r: RequestOf<'previewSilence'>): Promise<ResponseOf<'previewSilence'>> {
    const ms = this.guard(() => r.matchers.map(compileMatcher));
    const hit = this.notifier.inbox.list({ states: ['pending', 'firing'] }).filter((a) => matchesLabels(ms, a.labels));
    return { alerts: hit.map((a) => this.wire(a)) };
  }

  async rules(): Promise<ResponseOf<'rules'>> {
    return {
      errors: this.ruleErrors,
      groups: this.ruleManager.ruleGroups.map((g) => ({
        name: g.name,
        file: g.spec.file,
        intervalSeconds: g.spec.intervalMs / 1000,
        lastEvaluationMs: g.lastEvaluationMs,
        evaluationSeconds: g.evaluationSeconds,
        rules: g.spec.rules.map((r) => {
          const alerting = r instanceof AlertingRule;
          const active = alerting ? [...r.active.values()].filter((a) => a.state !== 'inactive') : [];
          return {
            name: r.name,
            type: alerting ? ('alerting' as const) : ('recording' as const),
            query: r.spec.expr,
            labels: r.spec.labels,
            annotations: alerting ? r.spec.annotations : {},
            forSeconds: alerting ? r.spec.forMs / 1000 : 0,
            keepFiringForSeconds: alerting ? r.spec.keepFiringForMs / 1000 : 0,
            health: r.health.health,
            lastError: r.health.lastError,
            lastEvaluationMs: r.health.lastEvaluationMs,
            evaluationSeconds: r.health.evaluationSeconds,
            state: alerting ? (active.some((a) => a.state === 'firing') ? 'firing' : active.length > 0 ? 'pending' : 'inactive') : null,
          };
        }),
      })),
    };
  }

  /**
   * Only the config's rule files may be read or written, and unit-test files (.yml/.yaml) in the
   * same folders: the page cannot make Vigil touch other files.
   */
  private allowedPath(path: string, kind: 'rules' | 'tests'): string {
    const abs = resolve(path);
    const ruleFiles = this.config.rule_files.map((f) => resolve(f));
    const ok = kind === 'rules' ? ruleFiles.includes(abs) : /\.ya?ml$/.test(abs) && ruleFiles.some((f) => dirname(f) === dirname(abs));
    if (!ok) {
      throw new ApiError({
        kind: 'forbidden',
        message: kind === 'rules' ? `${path} is not one of the config's rule_files` : `${path} is not a .yml/.yaml file beside one of the config's rule_files`,
      });
    }
    return abs;
  }

  async readRuleText(r: RequestOf<'readRuleText'>): Promise<ResponseOf<'readRuleText'>> {
    const path = this.allowedPath(r.path, r.kind);
    try {
      return { path, text: readFileSync(path, 'utf8') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && r.kind === 'tests') return { path, text: '' };
      throw new ApiError({ kind: 'bad_request', message: `${path}: ${(err as Error).message}` });
    }
  }

  async saveRuleText(r: RequestOf<'saveRuleText'>): Promise<ResponseOf<'saveRuleText'>> {
    const path = this.allowedPath(r.path, r.kind);
    const checked = r.kind === 'rules' ? parseRuleFile(path, r.text) : parseRuleTestFile(path, r.text);
    if (!checked.ok) return { saved: false, errors: checked.errors };
    // Write beside and rename: a reader never sees half a file.
    const tmp = `${path}.vigil-tmp`;
    writeFileSync(tmp, r.text);
    renameSync(tmp, path);
    if (r.kind === 'rules') {
      const errors = this.ruleManager.load([...this.config.rule_files]);
      this.ruleErrors = errors;
      if (errors.length > 0) return { saved: true, errors };
      this.o.events.emit({ type: 'alertsChanged' });
    }
    return { saved: true, errors: [] };
  }

  async runRuleTests(r: RequestOf<'runRuleTests'>): Promise<ResponseOf<'runRuleTests'>> {
    let ok = true;
    let report = '';
    for (const f of r.files) {
      const res = await runRuleTestFile(f);
      ok &&= res.ok;
      report += res.report + '\n';
    }
    return { ok, report };
  }

  /** Checks a rule's expression with the shared parser before running anything for it. */
  checkExpr(expr: string): void {
    try {
      parseExpr(expr);
    } catch (err) {
      throw new ApiError({ kind: 'bad_request', errorType: 'bad_data', message: (err as Error).message });
    }
  }

  private spec(r: RequestOf<'backtest'>['rule']): AlertingRuleSpec {
    this.checkExpr(r.expr);
    return { name: r.alert, expr: r.expr, forMs: r.forSeconds * 1000, keepFiringForMs: r.keepFiringForSeconds * 1000, labels: r.labels, annotations: r.annotations };
  }

  async backtest(r: RequestOf<'backtest'>): Promise<ResponseOf<'backtest'>> {
    const opts = {
      queryable: this.o.tsdb,
      engine: this.o.promql,
      startMs: r.startMs,
      endMs: r.endMs,
      evaluationIntervalMs: this.evaluationIntervalMs,
      ...(r.stepMs !== undefined ? { stepMs: r.stepMs } : {}),
      externalURL: this.o.externalURL,
    };
    const run = (x: BacktestResult) => ({
      alerts: x.alerts.map((a) => ({ labels: labelsToRecord(a.labels), intervals: a.intervals.map((i) => ({ state: i.state, startMs: i.startMs, endMs: i.endMs })) })),
      notifications: x.notifications,
    });
    try {
      if (r.compareWith) {
        const cmp = await compareRuleEdit(this.spec(r.compareWith), this.spec(r.rule), opts);
        return { edited: run(cmp.edited), saved: run(cmp.saved), summary: [cmp.summary] };
      }
      return { edited: run(await backtestAlertingRule(this.spec(r.rule), opts)), saved: null, summary: [] };
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError({ kind: 'bad_request', message: `backtest: ${(err as Error).message}` });
    }
  }

  /**
   * Runs the rule over synthetic samples in a sandbox overlay (nothing is stored), records the
   * alerts in the inbox marked DRILL, and sends a drill-marked test notification to the
   * receivers the routing tree selects for them.
   */
  async fireDrill(r: RequestOf<'fireDrill'>): Promise<ResponseOf<'fireDrill'>> {
    const spec = this.spec(r.rule);
    const stepMs = r.stepSeconds * 1000;
    const longest = Math.max(...r.series.map((s) => s.values.trim().split(/\s+/).length));
    const durationMs = Math.min(24 * 3600_000, longest * stepMs * 4 + spec.forMs + spec.keepFiringForMs + 2 * stepMs);
    const drillId = `drill-${Date.now().toString(36)}-${++this.drills}`;
    const firing: DrillAlert[] = [];
    let timeline;
    try {
      const drill = startDrill({
        id: drillId,
        rule: spec,
        series: r.series.map((s) => ({ selector: s.selector, values: s.values, stepMs })),
        realStorage: this.o.tsdb,
        engine: this.o.promql,
        durationMs,
        stepMs,
        externalURL: this.o.externalURL,
        onAlerts: (alerts) => firing.push(...alerts.filter((a) => a.state === 'firing')),
      });
      timeline = await drill.runToEnd();
    } catch (err) {
      throw new ApiError({ kind: 'bad_request', message: `fire drill: ${(err as Error).message}` });
    }
    const states: ResponseOf<'fireDrill'>['timeline'] = timeline.transitions.map((t) => ({ atMs: t.atMs, labels: labelsToRecord(t.labels), state: t.to }));
    for (const t of timeline.transitions) {
      const state = t.to === 'inactive' ? 'resolved' : t.to;
      const labels = labelsToRecord(t.labels);
      this.notifier.inbox.record(labels, {}, state, t.atMs, { drill: true });
    }
    const receivers = new Set<string>();
    const first = firing[0];
    if (first) {
      const labels = labelsToRecord(first.labels);
      for (const route of matchRoutes(this.notifyConfig.route, labels)) receivers.add(route.receiver);
      if (r.notify) {
        const alert: NotifyAlert = {
          labels,
          annotations: { ...first.annotations, summary: `[DRILL] ${first.annotations['summary'] ?? spec.name}` },
          startsAtMs: first.firedAtMs ?? first.activeAtMs,
          endsAtMs: 0,
          generatorURL: `${this.o.externalURL.replace(/\/?$/, '/')}#/alerts?drill=${drillId}`,
          updatedAtMs: Date.now(),
        };
        for (const receiver of receivers) {
          for (const integration of this.notifier.integrations.get(receiver) ?? []) {
            await integration
              .send({ receiver, groupKey: `${drillId}:${receiver}`, groupLabels: { alertname: spec.name, drill: 'true' }, alerts: [alert], externalURL: this.o.externalURL, atMs: Date.now() }, AbortSignal.timeout(10_000))
              .catch((err: unknown) => this.o.logger.warn('drill notification failed', { receiver, integration: integration.name, error: String(err) }));
          }
        }
      }
    }
    this.o.events.emit({ type: 'alertsChanged' });
    return { drillId, timeline: states, receivers: [...receivers] };
  }

  /** Prometheus' /api/v1/rules and /api/v1/alerts data. */
  rulesApi(params: URLSearchParams): unknown {
    const type = params.get('type');
    return this.ruleManager.rulesApi(type === 'alert' || type === 'record' ? { type } : {});
  }
  alertsApi(): unknown {
    return this.ruleManager.alertsApi();
  }

  async stop(): Promise<void> {
    this.ruleManager.stop();
    await this.notifier.close();
  }
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
