/**
 * Alerting, wired: rule groups evaluated over the PromQL engine and storage, their alerts routed
 * through the notification tree, the inbox kept in step with every evaluation, and the alerting
 * side of the contract (main/api/alerting-service.ts) over them.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { appUrl, exploreQuery } from '../../app/app-urls.js';
import { alertmanagerUrls } from '../config/alertmanagers.js';
import type { Config } from '../config/schema.js';
import type { NotifyConfig } from '../notify/config.js';
import { recordEvaluatedAlerts } from '../notify/inbox-sync.js';
import { loadNotificationConfig } from '../notify/notification-config.js';
import { createNotifier, type Notifier } from '../notify/notifier.js';
import type { DesktopNotification } from '../notify/receivers/desktop.js';
import type { PromQLEngine } from '../promql/engine.js';
import { AlertingRule } from '../rules/alerting-rule.js';
import { RuleManager } from '../rules/manager.js';
import { RuleFiles } from '../rules/rule-files.js';
import { ruleTemplateExpander } from '../rules/template.js';
import type { Alert, QueryFn } from '../rules/types.js';
import type { RuleQueryRunner } from '../rules/backtest-query.js';
import type { TSDB } from '../tsdb/db.js';
import { getLabel, labelsToRecord } from '../tsdb/labels.js';
import type { Logger } from '../util/log.js';
import type { EngineEvents } from '../events.js';
import { alertingService } from '../api/alerting-service.js';
import type { AlertingService } from '../api/services.js';

export interface AlertingOptions {
  dataDir: string;
  tsdb: TSDB;
  promql: PromQLEngine;
  events: EngineEvents;
  logger: Logger;
  externalURL: string;
  /** The engine's clock (main/util/engine-clock.ts). */
  now?: () => number;
  /** Sleep and energy mode (main/power/): hold evaluation after a wake, stretch intervals. */
  held?: () => boolean;
  intervalScale?: () => number;
  onGroupEvaluated?: () => void;
  /**
   * Jobs paused away from their network (main/network/): their firing alerts (by the `job`
   * label) stay in the inbox but are not sent; resolutions still are.
   */
  heldJobs?: () => ReadonlySet<string>;
  /** Backtests on a remote data source (main/api/remote-sources.ts); rules stay local. */
  remoteRunner?: (source: string) => RuleQueryRunner;
}

export class Alerting {
  readonly notifier: Notifier;
  readonly ruleManager: RuleManager;
  readonly service: AlertingService;
  private readonly ruleFiles: RuleFiles;
  private readonly desktop = new EventEmitter();
  private started = false;
  private evaluationIntervalMs: number;

  private constructor(
    private readonly o: AlertingOptions,
    notifyConfig: NotifyConfig,
    config: Config,
  ) {
    this.evaluationIntervalMs = config.global.evaluation_interval;
    this.notifier = createNotifier({
      config: notifyConfig,
      stateFile: join(o.dataDir, 'notify.sqlite'),
      log: o.logger.child('notify'),
      desktop: this.desktop,
      ...(o.held ? { held: o.held } : {}),
    });
    this.desktop.on('notification', (n: DesktopNotification) =>
      o.events.emit({ type: 'notification', id: `${n.groupKey}@${Date.now()}`, title: n.title, body: n.body, severity: n.severity, alertFingerprint: n.alertFingerprint, drill: n.drill }),
    );
    const query: QueryFn = async (expr, ts, signal) => {
      const r = await o.promql.instantQuery(o.tsdb, expr, ts, signal ? { signal } : {});
      if (r.result.type === 'vector') return r.result.samples.map((s) => ({ labels: s.labels, value: s.v, ...(s.h !== undefined ? { h: s.h } : {}) }));
      if (r.result.type === 'scalar') return [{ labels: [], value: r.result.v }];
      throw new Error(`rule expression must return a vector or scalar, got ${r.result.type}`);
    };
    let evalTs = Date.now();
    const expand = ruleTemplateExpander({
      query: async (q: string) => (await query(q, evalTs)).map((s) => ({ Labels: labelsToRecord(s.labels), Value: s.value })),
    });
    const changed = () => o.events.emit({ type: 'alertsChanged' });
    this.ruleManager = new RuleManager({
      query,
      expand: (t, d, n) => expand(t, d, n),
      storage: o.tsdb,
      queryable: o.tsdb,
      externalLabels: config.global.external_labels,
      externalURL: o.externalURL,
      evaluationIntervalMs: config.global.evaluation_interval,
      onAlerts: (alerts, rule) => this.send(alerts, rule),
      onGroupEvaluated: (group, ts) => {
        evalTs = ts;
        const active = group.spec.rules.flatMap((r) => (r instanceof AlertingRule ? [...r.active.values()] : []));
        const evaluated = active.map((a) => ({ labels: labelsToRecord(a.labels), annotations: a.annotations, state: a.state, activeAtMs: a.activeAtMs }));
        if (recordEvaluatedAlerts(this.notifier.inbox, evaluated, ts)) changed();
        o.onGroupEvaluated?.();
      },
      logWarn: (m, f) => o.logger.warn(m, f),
      ...(o.now ? { now: o.now } : {}),
      ...(o.held ? { held: o.held } : {}),
      ...(o.intervalScale ? { intervalScale: o.intervalScale } : {}),
    });
    this.ruleFiles = new RuleFiles(this.ruleManager, o.logger);
    this.service = alertingService({
      notifier: this.notifier,
      route: notifyConfig.route,
      ruleManager: this.ruleManager,
      ruleFiles: this.ruleFiles,
      storage: o.tsdb,
      engine: o.promql,
      externalURL: o.externalURL,
      evaluationIntervalMs: () => this.evaluationIntervalMs,
      ...(o.remoteRunner ? { remoteRunner: o.remoteRunner } : {}),
      changed,
      logger: o.logger,
    });
    this.apply(config);
  }

  static create(o: AlertingOptions, config: Config): Alerting {
    const n = loadNotificationConfig({ file: config.global.notification_config_file, alertmanagerUrls: alertmanagerUrls(config), externalURL: o.externalURL });
    if ('errors' in n) throw new Error(`invalid notification config:\n${n.errors.join('\n')}`);
    return new Alerting(o, n.config, config);
  }

  /** Loads the config's rule files; errors are kept for the Rules page and the old rules stay. */
  apply(config: Config): void {
    this.evaluationIntervalMs = config.global.evaluation_interval;
    this.ruleFiles.reload(config.rule_files);
    if (!this.started) {
      this.started = true;
      this.ruleManager.start();
    }
  }

  /** A sleep of `gapMs` ended (main/power/): `for` timers skip it, firing alerts are sent again. */
  afterGap(gapMs: number): void {
    const now = this.o.now?.() ?? Date.now();
    for (const { rule, alerts } of this.ruleManager.afterGap(gapMs)) {
      for (const a of alerts) {
        a.lastSentAtMs = now;
        a.validUntilMs = now + 4 * Math.max(60_000, this.evaluationIntervalMs);
      }
      this.send(alerts, rule);
    }
  }

  /** Labels of the alerts firing now. */
  firing(): Array<Record<string, string>> {
    return this.ruleManager.ruleGroups.flatMap((g) =>
      g.spec.rules.flatMap((r) => (r instanceof AlertingRule ? [...r.active.values()].filter((a) => a.state === 'firing').map((a) => labelsToRecord(a.labels)) : [])),
    );
  }

  private send(alerts: Alert[], rule: AlertingRule): void {
    const now = Date.now();
    const generatorURL = appUrl(this.o.externalURL, exploreQuery(rule.spec.expr));
    const held = this.o.heldJobs?.();
    const sent = held && held.size > 0 ? alerts.filter((a) => a.resolvedAtMs != null || !held.has(getLabel(a.labels, 'job'))) : alerts;
    if (sent.length === 0) return;
    this.notifier.dispatcher.put(
      sent.map((a) => ({
        labels: labelsToRecord(a.labels),
        annotations: a.annotations,
        startsAtMs: a.firedAtMs ?? a.activeAtMs,
        endsAtMs: a.resolvedAtMs ?? a.validUntilMs ?? 0,
        generatorURL,
        updatedAtMs: now,
      })),
    );
  }

  async stop(): Promise<void> {
    this.ruleManager.stop();
    await this.notifier.close();
  }
}
