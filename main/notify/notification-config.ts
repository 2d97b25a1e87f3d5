/**
 * The routing config Vigil runs with: the Alertmanager-shaped file the Vigil config names, or the
 * default routing with secrets from the environment, plus a receiver for the Prometheus config's
 * Alertmanagers.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { buildNotifyConfig, parseNotifyConfig, type NotifyConfig } from './config.js';
import { defaultNotifyConfigRaw, type DefaultConfigOptions } from './default-config.js';

export interface NotificationSources {
  /** `global.notification_config_file`, when set. */
  file: string | undefined;
  /** Alertmanagers of `alerting.alertmanagers`; each receives every alert. */
  alertmanagerUrls: readonly string[];
  /** The URL users open Vigil at, for links in notifications. */
  externalURL: string;
  env?: NodeJS.ProcessEnv;
}

const prometheusAlertmanagersReceiver = 'prometheus-config-alertmanagers';

export function loadNotificationConfig(s: NotificationSources): { config: NotifyConfig } | { errors: string[] } {
  const { file } = s;
  let raw: unknown;
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
    raw = defaultNotifyConfigRaw(defaultsFromEnv(s.externalURL, s.env ?? process.env));
  }
  if (s.alertmanagerUrls.length > 0 && raw !== null && typeof raw === 'object') {
    const r = raw as { receivers?: unknown[]; route?: Record<string, unknown> };
    r.receivers = [...(r.receivers ?? []), { name: prometheusAlertmanagersReceiver, alertmanager_configs: s.alertmanagerUrls.map((url) => ({ url })) }];
    if (r.route) {
      // A node handles an alert only when none of its children match, so a matching `continue`
      // child at the root would take every alert from the root receiver. Keep the user's tree
      // whole as the second child of a root with the same settings.
      const { routes: _routes, ...settings } = r.route;
      r.route = { ...settings, routes: [{ receiver: prometheusAlertmanagersReceiver, continue: true }, { ...r.route }] };
    }
  }
  const built = buildNotifyConfig(raw, (p) => `${file ?? 'notification config'}: ${p.join('.')}:`);
  return built.ok ? { config: built.value } : { errors: built.errors };
}

/**
 * The default routing: critical → desktop (and PagerDuty when a routing key is set), the rest →
 * email when SMTP is set, everything → the inbox. Secrets come from the environment.
 */
function defaultsFromEnv(externalURL: string, env: NodeJS.ProcessEnv): DefaultConfigOptions {
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
  return {
    externalURL,
    ...(env['VIGIL_PAGERDUTY_ROUTING_KEY'] ? { pagerdutyRoutingKey: env['VIGIL_PAGERDUTY_ROUTING_KEY'] } : {}),
    ...(email ? { email } : {}),
  };
}
