import { describe, it, expect } from 'vitest';
import { parseNotifyConfig } from '../../../main/notify/config.js';
import { matchRoutes, groupKey, groupLabels } from '../../../main/notify/route.js';
import { parseMatchers } from '../../../main/notify/matchers.js';
import { defaultNotifyConfig } from '../../../main/notify/default-config.js';

const text = `global:
  resolve_timeout: 1m
route:
  receiver: default
  group_by: [alertname]
  group_wait: 10s
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
      routes:
        - match: {team: db}
          receiver: dba
    - match_re: {service: "api|web"}
      receiver: web
      group_by: ['...']
      repeat_interval: 1h
    - matchers: ['{env=~"prod.*", team!="ops"}']
      receiver: prod
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [instance]
receivers:
  - name: default
    inbox: true
  - name: pager
    pagerduty_configs: [{routing_key: abc}]
  - name: dba
    webhook_configs: [{url: "http://127.0.0.1:1/dba"}]
  - name: web
    webhook_configs: [{url: "http://127.0.0.1:1/web", max_alerts: 5}]
  - name: prod
    desktop_configs: [{}]
`;

describe('notification config', () => {
  const r = parseNotifyConfig('am.yml', text);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const cfg = r.value;

  it('inherits timing and grouping down the tree', () => {
    const [pager, web] = cfg.route.routes;
    expect(cfg.route.groupWaitMs).toBe(10_000);
    expect(cfg.route.groupIntervalMs).toBe(300_000);
    expect(pager?.groupWaitMs).toBe(10_000);
    expect(pager?.routes[0]?.groupBy).toEqual(['alertname']);
    expect(web?.groupBy).toBe('all');
    expect(web?.repeatIntervalMs).toBe(3600_000);
    expect(cfg.global.resolveTimeoutMs).toBe(60_000);
  });

  // [labels, receivers the alert is routed to]
  const table: [Record<string, string>, string[]][] = [
    [{ alertname: 'A' }, ['default']],
    [{ alertname: 'A', severity: 'critical' }, ['pager']],
    [{ alertname: 'A', severity: 'critical', team: 'db' }, ['dba']],
    [{ alertname: 'A', severity: 'critical', service: 'api' }, ['pager', 'web']],
    [{ alertname: 'A', service: 'apis' }, ['default']],
    [{ alertname: 'A', service: 'web' }, ['web']],
    [{ alertname: 'A', env: 'production' }, ['prod']],
    [{ alertname: 'A', env: 'production', team: 'ops' }, ['default']],
    [{ alertname: 'A', severity: 'critical', env: 'prod' }, ['pager', 'prod']],
  ];
  it.each(table)('routes %j to %j', (labels, want) => {
    expect(matchRoutes(cfg.route, labels).map((r) => r.receiver)).toEqual(want);
  });

  it('builds group keys from group_by labels', () => {
    const route = cfg.route;
    const g = groupLabels(route, { alertname: 'Down', instance: 'x' });
    expect(g).toEqual({ alertname: 'Down' });
    expect(groupKey(route, g)).toBe('{}:{alertname="Down"}');
    const web = cfg.route.routes[1];
    if (web === undefined) throw new Error('missing route');
    expect(groupLabels(web, { a: '1', service: 'web' })).toEqual({ a: '1', service: 'web' });
  });

  it.each([
    ['route:\n  receiver: nope\nreceivers: [{name: x}]\n', 'am.yml: 2:13: route.receiver: undefined receiver "nope" used in route'],
    ['route:\n  receiver: x\n  group_wait: 5q\nreceivers: [{name: x}]\n', 'am.yml: 3:15: route.group_wait: not a valid duration string'],
    ['route:\n  receiver: x\n  routes:\n    - matchers: ["a=~\\"(\\""]\nreceivers: [{name: x}]\n', 'am.yml: 4:7: route.routes[0]: invalid regular expression'],
    ['route:\n  receiver: x\nreceivers:\n  - name: x\n    webhook_config: []\n', 'am.yml: 5:21: receivers[0].webhook_config: field webhook_config not found'],
    ['route:\n  receiver: x\nreceivers:\n  - name: x\n  - name: x\n', 'receivers[1].name: notification config name "x" is not unique'],
    ['route:\n  receiver: x\nreceivers:\n  - name: x\n    webhook_configs: [{url: "not a url"}]\n', 'am.yml: 5:29: receivers[0].webhook_configs[0].url: Invalid URL'],
    ['route:\n  receiver: x\n  group_by: ["...", a]\nreceivers: [{name: x}]\n', 'wildcard group_by'],
    ['route:\n  receiver: x\n  matchers: [a="b"]\nreceivers: [{name: x}]\n', 'root route must not have any matchers'],
    ['route: {}\nreceivers: []\n', 'root route must specify a default receiver'],
    ['route:\n  receiver: x\nreceivers:\n  - name: x\n    email_configs: [{to: a@b}]\n', 'no global SMTP smarthost set'],
    ['route: [\n', 'am.yml: yaml:'],
  ])('rejects %j', (bad, want) => {
    const res = parseNotifyConfig('am.yml', bad);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors.join('\n')).toContain(want);
  });

  it('parses matcher syntax', () => {
    expect(parseMatchers('{a="b", c=~"d.*",e!="f" , g!~"h"}')).toEqual([
      { name: 'a', op: '=', value: 'b' },
      { name: 'c', op: '=~', value: 'd.*' },
      { name: 'e', op: '!=', value: 'f' },
      { name: 'g', op: '!~', value: 'h' },
    ]);
    expect(parseMatchers('severity=critical')).toEqual([{ name: 'severity', op: '=', value: 'critical' }]);
    expect(parseMatchers('a="x,y}"')).toEqual([{ name: 'a', op: '=', value: 'x,y}' }]);
    expect(() => parseMatchers('=b')).toThrow(/bad matcher/);
  });

  it('has a valid default config that routes critical to desktop and everything to the inbox', () => {
    const plain = defaultNotifyConfig();
    expect(matchRoutes(plain.route, { severity: 'critical' }).map((r) => r.receiver)).toEqual(['critical']);
    expect(matchRoutes(plain.route, { severity: 'warning' }).map((r) => r.receiver)).toEqual(['default']);
    expect(plain.receivers.get('critical')?.desktop_configs?.length).toBe(1);
    expect(plain.receivers.get('critical')?.pagerduty_configs).toBeUndefined();
    expect(plain.receivers.get('default')?.email_configs).toBeUndefined();
    expect([...plain.receivers.values()].every((r) => r.inbox === true)).toBe(true);
    const full = defaultNotifyConfig({ pagerdutyRoutingKey: 'k', email: { to: 'me@x', from: 'vigil@x', smarthost: 'localhost:25' } });
    expect(full.receivers.get('critical')?.pagerduty_configs?.[0]?.routing_key).toBe('k');
    expect(full.receivers.get('default')?.email_configs?.[0]?.to).toBe('me@x');
  });
});
