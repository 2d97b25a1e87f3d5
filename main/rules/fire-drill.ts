/**
 * A fire drill as the Rules page asks for it: the rule runs over synthetic samples in a sandbox
 * overlay (nothing is stored), its alerts are recorded in the inbox marked DRILL, and a
 * drill-marked test notification goes to the receivers the routing tree selects for them.
 */
import type { RequestOf, ResponseOf } from '../../app/api/channels.js';
import { ApiError } from '../../app/api/errors.js';
import { appUrl } from '../../app/app-urls.js';
import { parseExpr } from '../../app/promql/parser.js';
import type { NotifyAlert } from '../notify/alert.js';
import type { Notifier } from '../notify/notifier.js';
import type { Route } from '../notify/config.js';
import { matchRoutes } from '../notify/route.js';
import type { PromQLEngine } from '../promql/engine.js';
import type { Queryable } from '../tsdb/interface.js';
import { labelsToRecord } from '../tsdb/labels.js';
import type { Logger } from '../util/log.js';
import type { AlertingRuleSpec } from './alerting-rule.js';
import { startDrill, type DrillAlert } from './drill.js';

/** An alerting rule as the contract carries it, its expression checked by the shared parser. */
export function alertingRuleSpec(r: RequestOf<'backtest'>['rule']): AlertingRuleSpec {
  try {
    parseExpr(r.expr);
  } catch (err) {
    throw new ApiError({ kind: 'bad_request', errorType: 'bad_data', message: `rule ${r.alert}: ${(err as Error).message}` });
  }
  return { name: r.alert, expr: r.expr, forMs: r.forSeconds * 1000, keepFiringForMs: r.keepFiringForSeconds * 1000, labels: r.labels, annotations: r.annotations };
}

export interface FireDrillDeps {
  storage: Queryable;
  engine: PromQLEngine;
  notifier: Pick<Notifier, 'inbox' | 'integrations'>;
  route: Route;
  externalURL: string;
  logger: Logger;
}

let drills = 0;

export async function runFireDrill(d: FireDrillDeps, r: RequestOf<'fireDrill'>): Promise<ResponseOf<'fireDrill'>> {
  const spec = alertingRuleSpec(r.rule);
  const stepMs = r.stepSeconds * 1000;
  const longest = Math.max(...r.series.map((s) => s.values.trim().split(/\s+/).length));
  const durationMs = Math.min(24 * 3600_000, longest * stepMs * 4 + spec.forMs + spec.keepFiringForMs + 2 * stepMs);
  const drillId = `drill-${Date.now().toString(36)}-${++drills}`;
  const firing: DrillAlert[] = [];
  let timeline;
  try {
    const drill = startDrill({
      id: drillId,
      rule: spec,
      series: r.series.map((s) => ({ selector: s.selector, values: s.values, stepMs })),
      realStorage: d.storage,
      engine: d.engine,
      durationMs,
      stepMs,
      externalURL: d.externalURL,
      onAlerts: (alerts) => firing.push(...alerts.filter((a) => a.state === 'firing')),
    });
    timeline = await drill.runToEnd();
  } catch (err) {
    throw new ApiError({ kind: 'bad_request', message: `fire drill of ${spec.name}: ${(err as Error).message}` });
  }
  const states: ResponseOf<'fireDrill'>['timeline'] = timeline.transitions.map((t) => ({ atMs: t.atMs, labels: labelsToRecord(t.labels), state: t.to }));
  for (const t of states) d.notifier.inbox.record(t.labels, {}, t.state === 'inactive' ? 'resolved' : t.state, t.atMs, { drill: true });
  const receivers = new Set<string>();
  const first = firing[0];
  if (first) {
    const labels = labelsToRecord(first.labels);
    for (const route of matchRoutes(d.route, labels)) receivers.add(route.receiver);
    if (r.notify) {
      const alert: NotifyAlert = {
        labels,
        annotations: { ...first.annotations, summary: `[DRILL] ${first.annotations['summary'] ?? spec.name}` },
        startsAtMs: first.firedAtMs ?? first.activeAtMs,
        endsAtMs: 0,
        generatorURL: appUrl(d.externalURL, { page: 'alerts', drill: drillId }),
        updatedAtMs: Date.now(),
      };
      for (const receiver of receivers) {
        for (const integration of d.notifier.integrations.get(receiver) ?? []) {
          await integration
            .send({ receiver, groupKey: `${drillId}:${receiver}`, groupLabels: { alertname: spec.name, drill: 'true' }, alerts: [alert], externalURL: d.externalURL, atMs: Date.now() }, AbortSignal.timeout(10_000))
            .catch((err: unknown) => d.logger.warn('drill notification failed', { receiver, integration: integration.name, error: String(err) }));
        }
      }
    }
  }
  return { drillId, timeline: states, receivers: [...receivers] };
}
