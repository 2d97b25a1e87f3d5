/** Alertmanager's webhook receiver, payload version 4. */
import { fingerprint, rfc3339 } from '../alert.js';
import type { WebhookConfig } from '../config.js';
import { common, firingAndResolved, postJson, type Integration, type Notification } from '../integration.js';
import { parseDuration } from '../../../app/dialect/duration.js';

interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookPayload {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: WebhookAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

export function webhookPayload(n: Notification, maxAlerts = 0): WebhookPayload {
  const { firing } = firingAndResolved(n);
  const all = n.alerts.map(
    (a): WebhookAlert => ({
      status: a.endsAtMs !== 0 && a.endsAtMs <= n.atMs ? 'resolved' : 'firing',
      labels: a.labels,
      annotations: a.annotations,
      startsAt: rfc3339(a.startsAtMs),
      // Alertmanager reports a firing alert's end as Go's zero time.
      endsAt: a.endsAtMs !== 0 && a.endsAtMs <= n.atMs ? rfc3339(a.endsAtMs) : rfc3339(0),
      generatorURL: a.generatorURL,
      fingerprint: fingerprint(a.labels),
    }),
  );
  const kept = maxAlerts > 0 ? all.slice(0, maxAlerts) : all;
  return {
    receiver: n.receiver,
    status: firing.length > 0 ? 'firing' : 'resolved',
    alerts: kept,
    groupLabels: n.groupLabels,
    commonLabels: common(n.alerts.map((a) => a.labels)),
    commonAnnotations: common(n.alerts.map((a) => a.annotations)),
    externalURL: n.externalURL,
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: all.length - kept.length,
  };
}

export function webhookIntegration(name: string, cfg: WebhookConfig): Integration {
  const timeoutMs = cfg.timeout === undefined ? 10_000 : parseDuration(cfg.timeout);
  return {
    name,
    kind: 'webhook',
    sendResolved: cfg.send_resolved,
    send: (n, signal) => postJson(cfg.url, webhookPayload(n, cfg.max_alerts), signal, `webhook ${name}`, timeoutMs, cfg.http_config),
  };
}
