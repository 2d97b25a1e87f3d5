import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';
import { alertmanagerUrls } from '../../../main/config/alertmanagers.js';
import { loadNotificationConfig } from '../../../main/notify/notification-config.js';
import type { Config } from '../../../main/config/schema.js';

const notificationConfig = (config: Config, externalURL: string) =>
  loadNotificationConfig({ file: config.global.notification_config_file, alertmanagerUrls: alertmanagerUrls(config), externalURL });
import { matchRoutes } from '../../../main/notify/route.js';

function config() {
  const r = parseConfig('scrape_configs: []\n', 'vigil.yml');
  if (!r.ok) throw new Error(String(r.errors));
  return r.config;
}

describe('the default notification routing', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('sends critical alerts to the desktop and the inbox, the rest to the inbox', () => {
    const n = notificationConfig(config(), 'http://vigil.test/');
    if ('errors' in n) throw new Error(n.errors.join('\n'));
    const critical = matchRoutes(n.config.route, { alertname: 'A', severity: 'critical' }).map((r) => r.receiver);
    const other = matchRoutes(n.config.route, { alertname: 'B', severity: 'warning' }).map((r) => r.receiver);
    const receiver = (name: string) => n.config.receivers.get(name)!;
    expect(critical).toEqual(['critical']);
    expect(receiver('critical')).toMatchObject({ inbox: true, desktop_configs: [expect.anything()] });
    expect(receiver('critical').pagerduty_configs ?? []).toEqual([]);
    expect(other).toEqual(['default']);
    expect(receiver('default').email_configs ?? []).toEqual([]);
  });

  it('adds PagerDuty for critical alerts and email for the rest when the environment sets them', () => {
    process.env['VIGIL_PAGERDUTY_ROUTING_KEY'] = 'key-123';
    process.env['VIGIL_EMAIL_TO'] = 'ops@example.com';
    process.env['VIGIL_EMAIL_FROM'] = 'vigil@example.com';
    process.env['VIGIL_SMTP_SMARTHOST'] = '127.0.0.1:2525';
    const n = notificationConfig(config(), 'http://vigil.test/');
    if ('errors' in n) throw new Error(n.errors.join('\n'));
    const receiver = (name: string) => n.config.receivers.get(name)!;
    expect(receiver('critical').pagerduty_configs).toHaveLength(1);
    expect(receiver('default').email_configs).toHaveLength(1);
  });
});
