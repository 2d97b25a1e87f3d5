/**
 * The notification config a fresh install gets: critical alerts pop up on the desktop (and
 * page through PagerDuty when a routing key is set), everything else goes by email when SMTP
 * is configured, and every alert lands in the inbox.
 */
import { buildNotifyConfig, type NotifyConfig, type RawNotifyConfig } from './config.js';

export interface DefaultConfigOptions {
  pagerdutyRoutingKey?: string;
  email?: { to: string; from: string; smarthost: string; authUsername?: string; authPassword?: string; requireTls?: boolean };
  externalURL?: string;
}

export function defaultNotifyConfigRaw(o: DefaultConfigOptions = {}): RawNotifyConfig {
  const critical = {
    name: 'critical',
    inbox: true,
    desktop_configs: [{ send_resolved: true }],
    ...(o.pagerdutyRoutingKey !== undefined && o.pagerdutyRoutingKey !== '' ? { pagerduty_configs: [{ routing_key: o.pagerdutyRoutingKey, send_resolved: true }] } : {}),
  };
  const rest = {
    name: 'default',
    inbox: true,
    ...(o.email !== undefined
      ? {
          email_configs: [
            {
              to: o.email.to,
              from: o.email.from,
              smarthost: o.email.smarthost,
              send_resolved: false,
              ...(o.email.authUsername !== undefined ? { auth_username: o.email.authUsername } : {}),
              ...(o.email.authPassword !== undefined ? { auth_password: o.email.authPassword } : {}),
              ...(o.email.requireTls !== undefined ? { require_tls: o.email.requireTls } : {}),
            },
          ],
        }
      : {}),
  };
  return {
    global: { resolve_timeout: '5m', ...(o.externalURL !== undefined ? { external_url: o.externalURL } : {}) },
    route: {
      receiver: 'default',
      group_by: ['alertname'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [{ matchers: ['severity="critical"'], receiver: 'critical', group_wait: '10s' }],
    },
    inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'instance'] }],
    receivers: [rest, critical] as RawNotifyConfig['receivers'],
  };
}

export function defaultNotifyConfig(o: DefaultConfigOptions = {}): NotifyConfig {
  const r = buildNotifyConfig(defaultNotifyConfigRaw(o), (p) => `default notification config: ${p.join('.')}:`);
  if (!r.ok) throw new Error(`the default notification config is invalid (a bug): ${r.errors.join('; ')}`);
  return r.value;
}
