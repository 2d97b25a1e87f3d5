/**
 * Sends alerts to a real Alertmanager through its v2 API (`POST /api/v2/alerts`, a JSON array).
 * A resolved alert carries its end so Alertmanager resolves it at once. A firing one carries an
 * end just past the time Vigil will next re-send it (`validForMs`), as Prometheus does, so it
 * stays active between our notifications yet expires if Vigil goes away; without `validForMs`
 * it is sent without `endsAt` and Alertmanager's resolve_timeout applies.
 */
import { rfc3339, type NotifyAlert } from '../alert.js';
import type { AlertmanagerTargetConfig } from '../config.js';
import type { HttpClientSettings } from '../../http-client/schema.js';
import { postJson, type Integration } from '../integration.js';

interface AlertmanagerV2Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

function toAlertmanagerAlerts(alerts: readonly NotifyAlert[], nowMs: number, validForMs?: number): AlertmanagerV2Alert[] {
  return alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations,
    startsAt: rfc3339(a.startsAtMs),
    ...(a.endsAtMs !== 0 && a.endsAtMs <= nowMs ? { endsAt: rfc3339(a.endsAtMs) } : validForMs !== undefined ? { endsAt: rfc3339(nowMs + validForMs) } : {}),
    ...(a.generatorURL !== '' ? { generatorURL: a.generatorURL } : {}),
  }));
}

function alertsUrl(base: string): string {
  return base.replace(/\/+$/, '') + '/api/v2/alerts';
}

export async function postToAlertmanager(base: string, alerts: readonly NotifyAlert[], nowMs: number, signal: AbortSignal, validForMs?: number, client?: HttpClientSettings): Promise<void> {
  await postJson(alertsUrl(base), toAlertmanagerAlerts(alerts, nowMs, validForMs), signal, `alertmanager ${base}`, undefined, client);
}

export function alertmanagerIntegration(name: string, cfg: AlertmanagerTargetConfig): Integration {
  return {
    name,
    kind: 'alertmanager',
    sendResolved: cfg.send_resolved,
    send: (n, signal) => postToAlertmanager(cfg.url, n.alerts, n.atMs, signal, n.validForMs, cfg.http_config),
  };
}
