// `alerting.alertmanagers` in the Vigil config adds a receiver for those Alertmanagers to the
// notification routing tree. Alertmanager's routing gives an alert to a node only when none of
// its children match, so the added route must not take alerts away from the user's receivers.
import { describe, it, expect, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../main/config/load.js';
import { alertmanagerUrls } from '../../../main/config/alertmanagers.js';
import { loadNotificationConfig } from '../../../main/notify/notification-config.js';
import type { Config } from '../../../main/config/schema.js';

const notificationConfig = (config: Config, externalURL: string) =>
  loadNotificationConfig({ file: config.global.notification_config_file, alertmanagerUrls: alertmanagerUrls(config), externalURL });
import { matchRoutes } from '../../../main/notify/route.js';
import { tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('vigil-am-route-');
afterAll(cleanup);

function receiversFor(notify: string, labels: Record<string, string>): string[] {
  const file = join(dir, `notify-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, notify);
  const loaded = parseConfig(
    `global:\n  notification_config_file: ${file}\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:9093']\n`,
    join(dir, 'vigil.yml'),
  );
  if (!loaded.ok) throw new Error(loaded.errors.map(String).join('\n'));
  const n = notificationConfig(loaded.config, 'http://127.0.0.1:1/');
  if ('errors' in n) throw new Error(n.errors.join('\n'));
  return matchRoutes(n.config.route, labels).map((r) => r.receiver).sort();
}

describe('alerting.alertmanagers and the notification routing tree', () => {
  it('a child route that matches still wins over the root, and the Alertmanagers get it too', () => {
    const notify = `route:\n  receiver: root\n  routes:\n    - receiver: team\n      matchers: ['team="db"']\nreceivers:\n  - name: root\n    webhook_configs: [{url: "http://127.0.0.1:1/root"}]\n  - name: team\n    webhook_configs: [{url: "http://127.0.0.1:1/team"}]\n`;
    expect(receiversFor(notify, { alertname: 'A', team: 'db' })).toEqual(['prometheus-config-alertmanagers', 'team']);
  });

  // The Alertmanagers' `continue` route must not take alerts away from the root receiver.
  it('the root receiver still gets alerts no child route matches', () => {
    const notify = `route:\n  receiver: root\nreceivers:\n  - name: root\n    webhook_configs: [{url: "http://127.0.0.1:1/root"}]\n`;
    expect(receiversFor(notify, { alertname: 'A' })).toEqual(['prometheus-config-alertmanagers', 'root']);
  });
});
