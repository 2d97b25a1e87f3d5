/**
 * The alerting side of the contract: the inbox, silences and the Rules page, answered from the
 * notifier, the rule manager and the config's rule files. Notification and rule logic stay in
 * main/notify/ and main/rules/; this file turns them into contract answers.
 */
import type { ResponseOf } from '../../app/api/channels.js';
import { ApiError } from '../../app/api/errors.js';
import type { InboxAlert as WireInboxAlert } from '../../app/api/alerts.js';
import type { InboxAlert } from '../notify/inbox.js';
import { compileMatcher, matchesLabels, parseMatchers, MatcherError } from '../notify/matchers.js';
import type { Notifier } from '../notify/notifier.js';
import type { Route } from '../notify/config.js';
import type { PromQLEngine } from '../promql/engine.js';
import { AlertingRule } from '../rules/alerting-rule.js';
import { localSourceUid } from '../../app/api/remote-sources.js';
import type { RuleQueryRunner } from '../rules/backtest-query.js';
import { backtestAlertingRule, compareRuleEdit, type BacktestResult } from '../rules/backtest.js';
import { alertingRuleSpec, runFireDrill } from '../rules/fire-drill.js';
import type { RuleManager } from '../rules/manager.js';
import type { RuleFiles } from '../rules/rule-files.js';
import type { Queryable } from '../tsdb/interface.js';
import { labelsToRecord } from '../tsdb/labels.js';
import type { Logger } from '../util/log.js';
import type { AlertingService } from './services.js';

export interface AlertingServiceDeps {
  notifier: Notifier;
  route: Route;
  ruleManager: RuleManager;
  ruleFiles: RuleFiles;
  storage: Queryable;
  engine: PromQLEngine;
  externalURL: string;
  evaluationIntervalMs: () => number;
  /** Where a backtest naming a remote data source runs its queries (absent: remote backtests are refused). */
  remoteRunner?: (source: string) => RuleQueryRunner;
  /** Tells the pages the inbox or the rules changed. */
  changed: () => void;
  logger: Logger;
}

/** Errors of the notification and rule layers are the caller's input problems. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError({ kind: 'bad_request', message: (err as Error).message });
  }
}

export function alertingService(d: AlertingServiceDeps): AlertingService {
  const { notifier } = d;
  const exprOf = (alertname: string | undefined): string | null => {
    for (const g of d.ruleManager.ruleGroups) for (const r of g.spec.rules) if (r instanceof AlertingRule && r.name === alertname) return r.spec.expr;
    return null;
  };
  const wire = (a: InboxAlert): WireInboxAlert => ({
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
    silencedBy: notifier.silences.mutedBy(a.labels),
    expr: exprOf(a.labels['alertname']),
  });
  const changedAlert = (a: InboxAlert) => {
    d.changed();
    return { alert: wire(a) };
  };
  const withState = <T extends Parameters<Notifier['silences']['state']>[0]>(s: T) => ({ ...s, state: notifier.silences.state(s) });
  const backtestRun = (x: BacktestResult) => ({
    alerts: x.alerts.map((a) => ({ labels: labelsToRecord(a.labels), intervals: a.intervals.map((i) => ({ state: i.state, startMs: i.startMs, endMs: i.endMs })) })),
    notifications: x.notifications,
  });

  return {
    async alerts(r) {
      let ms: ReturnType<typeof compileMatcher>[] = [];
      if (r.filter !== undefined && r.filter.trim() !== '') {
        try {
          ms = parseMatchers(r.filter).map(compileMatcher);
        } catch (err) {
          if (err instanceof MatcherError) throw new ApiError({ kind: 'bad_request', message: `filter: ${err.message}` });
          throw err;
        }
      }
      // The inbox lists newest change first.
      const list = notifier.inbox
        .list(r.states ? { states: r.states } : {})
        .filter((a) => ((r.includeDrills ?? true) || !a.drill) && matchesLabels(ms, a.labels));
      return { alerts: list.map(wire) };
    },
    async ackAlert(r) {
      return changedAlert(guard(() => notifier.inbox.acknowledge(r.fingerprint, 'you', r.comment ?? '', Date.now())));
    },
    async unackAlert(r) {
      return changedAlert(guard(() => notifier.inbox.unacknowledge(r.fingerprint)));
    },
    async addAlertNote(r) {
      return { alert: wire(guard(() => notifier.inbox.addNote(r.fingerprint, 'you', r.text, Date.now()))) };
    },
    async silences() {
      return { silences: notifier.silences.list().map(withState) };
    },
    async createSilence(r) {
      const created = guard(() => notifier.silences.add({ matchers: r.matchers, startsAtMs: r.startsAtMs ?? Date.now(), endsAtMs: r.endsAtMs, createdBy: r.createdBy, comment: r.comment }));
      d.changed();
      return withState(created);
    },
    async expireSilence(r) {
      const expired = guard(() => notifier.silences.expire(r.id));
      d.changed();
      return withState(expired);
    },
    async previewSilence(r) {
      const ms = guard(() => r.matchers.map(compileMatcher));
      return { alerts: notifier.inbox.list({ states: ['pending', 'firing'] }).filter((a) => matchesLabels(ms, a.labels)).map(wire) };
    },
    async rules() {
      return rulesPage(d.ruleManager, d.ruleFiles.errors);
    },
    async readRuleText(r) {
      return d.ruleFiles.read(r);
    },
    async saveRuleText(r) {
      const saved = d.ruleFiles.save(r);
      if (saved.saved && r.kind === 'rules' && saved.errors.length === 0) d.changed();
      return saved;
    },
    runRuleTests: (r) => d.ruleFiles.runTests(r),
    async backtest(r) {
      const remote = r.source !== undefined && r.source !== '' && r.source !== localSourceUid;
      if (remote && d.remoteRunner === undefined) throw new ApiError({ kind: 'unavailable', where: 'source', message: 'remote data sources are not available here' });
      const opts = {
        queryable: d.storage,
        engine: d.engine,
        ...(remote ? { runner: d.remoteRunner!(r.source!) } : {}),
        startMs: r.startMs,
        endMs: r.endMs,
        evaluationIntervalMs: d.evaluationIntervalMs(),
        ...(r.stepMs !== undefined ? { stepMs: r.stepMs } : {}),
        externalURL: d.externalURL,
      };
      try {
        if (r.compareWith) {
          const cmp = await compareRuleEdit(alertingRuleSpec(r.compareWith), alertingRuleSpec(r.rule), opts);
          return { edited: backtestRun(cmp.edited), saved: backtestRun(cmp.saved), summary: [cmp.summary] };
        }
        return { edited: backtestRun(await backtestAlertingRule(alertingRuleSpec(r.rule), opts)), saved: null, summary: [] };
      } catch (err) {
        if (err instanceof ApiError) throw err;
        throw new ApiError({ kind: 'bad_request', message: `backtest of ${r.rule.alert}: ${(err as Error).message}` });
      }
    },
    async fireDrill(r) {
      const answer = await runFireDrill({ storage: d.storage, engine: d.engine, notifier, route: d.route, externalURL: d.externalURL, logger: d.logger }, r);
      d.changed();
      return answer;
    },
  };
}

function rulesPage(manager: RuleManager, errors: string[]): ResponseOf<'rules'> {
  return {
    errors,
    groups: manager.ruleGroups.map((g) => ({
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

/** Prometheus' /api/v1/rules data (`type=alert|record` filters). */
export function prometheusRules(manager: RuleManager | undefined, params: URLSearchParams): unknown {
  const type = params.get('type');
  return manager?.rulesApi(type === 'alert' || type === 'record' ? { type } : {}) ?? { groups: [] };
}
