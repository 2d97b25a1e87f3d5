// Live alerting end to end: Vigil scrapes a tiny exporter the test controls, a rule with `for`
// fires, and the notification reaches a webhook (Alertmanager's v4 payload), a real
// Alertmanager 0.25 (`alerting.alertmanagers` in the Vigil config), a local SMTP server and a
// local PagerDuty Events API v2 endpoint; a webhook answering 500 for a while gets it after it
// recovers; and when the value drops, the resolution reaches all of them.
//
// The `it`s run in order on one running engine: firing, then the flaky webhook, then resolution.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Engine } from '../../../main/engine.js';
import { silentLogger } from '../../../main/util/log.js';
import { tempDir } from '../helpers.js';
import { missingPeers, startAlertmanager, until, type Peer } from '../interop/peers.js';
import { smtpSink, type SmtpMessage } from '../notify/smtp-sink.js';

const skip = missingPeers('alertmanager');
const zeroTime = '0001-01-01T00:00:00Z';
const routingKey = 'r0ut1ngk3y0000000000000000000000';

interface Hit {
  path: string;
  status: number;
  body: Record<string, unknown>;
}

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

const close = (s: Server | null): Promise<void> => new Promise((r) => (s === null ? r() : s.close(() => r())));

describe.skipIf(skip !== '')(`live alerting on scraped data${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let value = 1;
  let exporter: Server | null = null;
  let hooks: Server | null = null;
  const hits: Hit[] = [];
  let flakyFailures = 3;
  let smtp: Awaited<ReturnType<typeof smtpSink>> | null = null;
  let am: Peer | null = null;
  let engine: Engine | null = null;
  let cleanup = (): void => {};
  let valueRaisedAt = 0;

  const at = (path: string, ok = true): Hit[] => hits.filter((h) => h.path === path && (!ok || h.status < 300));
  const withStatus = (path: string, status: string): Hit[] => at(path).filter((h) => h.body['status'] === status);
  const amAlerts = async (): Promise<Array<{ labels: Record<string, string>; status: { state: string } }>> =>
    (await (await fetch(`${am!.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string>; status: { state: string } }>;

  beforeAll(async () => {
    exporter = createServer((_req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(`# TYPE vigil_live_value gauge\nvigil_live_value ${value}\n`);
    });
    const exporterPort = await listen(exporter);
    hooks = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        let status = path === '/pd' ? 202 : 200;
        if (path === '/flaky' && flakyFailures > 0) {
          flakyFailures--;
          status = 500;
        }
        hits.push({ path, status, body: JSON.parse(b || '{}') as Record<string, unknown> });
        res.statusCode = status;
        res.end(status === 500 ? 'down for maintenance' : '{}');
      });
    });
    const hookPort = await listen(hooks);
    const hook = `http://127.0.0.1:${hookPort}`;
    smtp = await smtpSink();
    am = await startAlertmanager(
      `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs: [{url: "${hook}/am"}]\n`,
    );

    const t = tempDir('vigil-live-alerting-');
    cleanup = t.cleanup;
    const notify = join(t.dir, 'notify.yml');
    writeFileSync(
      notify,
      `global:
  smtp_smarthost: "127.0.0.1:${smtp.port}"
  smtp_from: vigil@example.test
  smtp_require_tls: false
route:
  receiver: all
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  # Workaround for the engine bug pinned in alertmanagers-route.test.ts: with
  # alerting.alertmanagers set, the root receiver gets nothing, so route to it from a child.
  routes:
    - receiver: all
receivers:
  - name: all
    webhook_configs:
      - url: "${hook}/ok"
      - url: "${hook}/flaky"
    email_configs:
      - to: oncall@example.test
        send_resolved: true
    pagerduty_configs:
      - routing_key: ${routingKey}
        url: "${hook}/pd"
`,
    );
    const rules = join(t.dir, 'rules.yml');
    writeFileSync(
      rules,
      `groups:
  - name: live
    rules:
      - alert: LiveHigh
        expr: vigil_live_value > 5
        for: 2s
        labels: {severity: critical}
        annotations:
          summary: "value {{ $value }} on {{ $labels.instance }}"
`,
    );
    const configFile = join(t.dir, 'vigil.yml');
    writeFileSync(
      configFile,
      `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
  notification_config_file: ${notify}
rule_files: ['${rules}']
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['${am.url.replace('http://', '')}']
scrape_configs:
  - job_name: live
    static_configs:
      - targets: ['127.0.0.1:${exporterPort}']
`,
    );
    engine = await Engine.start({ dataDir: join(t.dir, 'data'), configFile, shell: 'test', inProcessStorage: true, logger: silentLogger });
    await engine.startCollection({ selfAddress: '127.0.0.1:1', externalURL: 'http://vigil.test/' });
    const e = engine;
    await until(async () => {
      const r = await e.querySvc.query({ query: 'vigil_live_value' });
      return r.result.resultType === 'vector' && r.result.samples.length === 1 ? true : null;
    }, 'the first scrape of the test exporter');
  }, 30_000);

  afterAll(async () => {
    await engine?.stop();
    await am?.stop();
    await smtp?.close();
    await close(exporter);
    await close(hooks);
    cleanup();
  });

  it('fires after `for` and notifies the webhook, Alertmanager, email and PagerDuty', async () => {
    expect(hits).toEqual([]);
    valueRaisedAt = Date.now();
    value = 10;
    const [firing] = await until(() => {
      const h = withStatus('/ok', 'firing');
      return h.length > 0 ? h : null;
    }, 'the firing webhook notification', 15_000);
    const body = firing!.body;

    // Alertmanager's webhook v4 shape.
    expect(Object.keys(body).sort()).toEqual(
      ['alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version'].sort(),
    );
    expect(body['version']).toBe('4');
    expect(body['receiver']).toBe('all');
    expect(body['groupLabels']).toEqual({ alertname: 'LiveHigh' });
    expect(body['truncatedAlerts']).toBe(0);
    const alerts = body['alerts'] as WebhookAlert[];
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.status).toBe('firing');
    expect(a.labels).toMatchObject({ alertname: 'LiveHigh', severity: 'critical', job: 'live' });
    expect(a.annotations['summary']).toBe(`value 10 on ${a.labels['instance']}`);
    expect(a.endsAt).toBe(zeroTime);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    // startsAt is when it fired: `for` (2 s) after it went pending, which was after the value
    // went up (less a scrape interval: a scrape's timestamp is when it started).
    const pendingSince = (engine?.alertingRuntime?.ruleManager.alertsApi() as { alerts: Array<{ labels: Record<string, string>; activeAt: string }> }).alerts.find(
      (x) => x.labels['alertname'] === 'LiveHigh',
    )?.activeAt;
    expect(pendingSince).toBeDefined();
    expect(Date.parse(pendingSince!)).toBeGreaterThan(valueRaisedAt - 1000);
    expect(Date.parse(a.startsAt) - Date.parse(pendingSince!)).toBeGreaterThanOrEqual(2000);

    // The real Alertmanager lists it, and its own webhook carries the same fingerprint.
    const listed = await until(async () => (await amAlerts()).find((x) => x.labels['alertname'] === 'LiveHigh') ?? null, 'LiveHigh in GET /api/v2/alerts');
    expect(listed.status.state).toBe('active');
    expect(listed.labels).toEqual(a.labels);
    const fromAm = await until(() => at('/am')[0] ?? null, "Alertmanager's own webhook");
    expect(Object.keys(fromAm.body).sort()).toEqual(Object.keys(body).sort());
    const amAlert = (fromAm.body['alerts'] as WebhookAlert[])[0]!;
    expect(Object.keys(amAlert).sort()).toEqual(Object.keys(a).sort());
    expect(amAlert.fingerprint).toBe(a.fingerprint);
    expect(amAlert.labels).toEqual(a.labels);

    // Email.
    const mail = await until<SmtpMessage>(() => smtp!.messages[0] ?? null, 'the firing email');
    expect(mail.to.join(',')).toContain('oncall@example.test');
    expect(mail.data).toContain('LiveHigh');

    // PagerDuty Events API v2: routing_key, event_action, dedup_key, payload{summary, source, severity}.
    const pd = await until(() => at('/pd')[0] ?? null, 'the PagerDuty event');
    expect(pd.body['routing_key']).toBe(routingKey);
    expect(pd.body['event_action']).toBe('trigger');
    expect(String(pd.body['dedup_key'])).toMatch(/^.{1,255}$/);
    const payload = pd.body['payload'] as Record<string, unknown>;
    expect(typeof payload['summary']).toBe('string');
    expect(String(payload['summary']).length).toBeGreaterThan(0);
    expect(String(payload['summary']).length).toBeLessThanOrEqual(1024);
    expect(String(payload['summary'])).toContain('LiveHigh');
    expect(typeof payload['source']).toBe('string');
    expect(payload['severity']).toBe('critical');
    if (payload['timestamp'] !== undefined) expect(Number.isNaN(Date.parse(String(payload['timestamp'])))).toBe(false);
    const allowed = ['routing_key', 'event_action', 'dedup_key', 'payload', 'images', 'links', 'client', 'client_url'];
    expect(Object.keys(pd.body).filter((k) => !allowed.includes(k))).toEqual([]);
    const payloadKeys = ['summary', 'source', 'severity', 'timestamp', 'component', 'group', 'class', 'custom_details'];
    expect(Object.keys(payload).filter((k) => !payloadKeys.includes(k))).toEqual([]);
  }, 25_000);

  it('a webhook answering 500 for a while gets the notification after it recovers, once or twice', async () => {
    const delivered = await until(() => withStatus('/flaky', 'firing')[0] ?? null, 'the flaky webhook to get the notification', 15_000);
    expect(at('/flaky', false).filter((h) => h.status === 500)).toHaveLength(3);
    expect((delivered.body['alerts'] as WebhookAlert[])[0]?.labels['alertname']).toBe('LiveHigh');
    // Nothing changed, so no repeat within repeat_interval: one delivery to the healthy webhook,
    // at most one extra (the documented supersede race) to the flaky one.
    await new Promise((r) => setTimeout(r, 2500));
    expect(withStatus('/ok', 'firing')).toHaveLength(1);
    expect(withStatus('/flaky', 'firing').length).toBeGreaterThanOrEqual(1);
    expect(withStatus('/flaky', 'firing').length).toBeLessThanOrEqual(2);
    expect(at('/pd').filter((h) => h.body['event_action'] === 'trigger')).toHaveLength(1);
    expect(smtp!.messages).toHaveLength(1);
  }, 25_000);

  it('delivers the resolution everywhere when the value drops', async () => {
    value = 1;
    const resolved = await until(() => withStatus('/ok', 'resolved')[0] ?? null, 'the resolved webhook notification', 15_000);
    const a = (resolved.body['alerts'] as WebhookAlert[])[0]!;
    expect(a.status).toBe('resolved');
    expect(a.endsAt).not.toBe(zeroTime);
    expect(Date.parse(a.endsAt)).toBeGreaterThan(Date.parse(a.startsAt));
    await until(() => withStatus('/flaky', 'resolved')[0] ?? null, 'the resolved notification on the recovered webhook');
    const pd = await until(() => at('/pd').find((h) => h.body['event_action'] === 'resolve') ?? null, 'the PagerDuty resolve event');
    expect(pd.body['routing_key']).toBe(routingKey);
    expect(pd.body['dedup_key']).toBe(at('/pd')[0]?.body['dedup_key']);
    const mail = await until(() => smtp!.messages[1] ?? null, 'the resolved email');
    expect(mail.data).toContain('LiveHigh');
    expect(mail.data).toMatch(/RESOLVED|resolved/);
    await until(async () => ((await amAlerts()).some((x) => x.labels['alertname'] === 'LiveHigh') ? null : true), 'Alertmanager to drop the resolved alert');
  }, 25_000);
});
