import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as TcpServer } from 'node:net';
import { smtpSink } from './smtp-sink.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { createNotifier, type Notifier } from '../../../main/notify/notifier.js';
import { config, alert } from './helpers.js';
import type { WebhookPayload } from '../../../main/notify/receivers/webhook.js';
import type { PagerdutyEvent } from '../../../main/notify/receivers/pagerduty.js';
import { desktopEvent, type DesktopNotification } from '../../../main/notify/receivers/desktop.js';
import { fingerprint } from '../../../main/notify/alert.js';
import { emailIntegration } from '../../../main/notify/receivers/email.js';
import { DeliveryError } from '../../../main/notify/integration.js';

interface Hit {
  path: string;
  body: string;
}

/** A loopback HTTP server whose answer for each request is decided by `status(n)`. */
async function httpSink(status: (n: number) => number = () => 200): Promise<{ url: string; hits: Hit[]; ok: Hit[]; server: Server }> {
  const hits: Hit[] = [];
  const ok: Hit[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const hit = { path: req.url ?? '', body };
      hits.push(hit);
      const code = status(hits.length);
      if (code < 300) ok.push(hit);
      res.writeHead(code).end(code < 300 ? '' : 'try later');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, hits, ok, server };
}

const closeServer = (s: Server | TcpServer): Promise<void> => new Promise((r) => s.close(() => r()));
const fastBackoff = { initialMs: 5, maxMs: 40, maxAttempts: 12, random: () => 0.5 };

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-notify-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function webhookConfig(url: string, extra = ''): string {
  return `global:\n  external_url: http://vigil.local:9090\nroute:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 0s\n  group_interval: 1m\nreceivers:\n  - name: hook\n    webhook_configs: [{url: "${url}/hook"${extra}}]\n`;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function notifier(text: string, stateFile = ':memory:', extra: { desktop?: EventEmitter } = {}): Notifier {
  const n = createNotifier({ config: config(text), stateFile, backoff: fastBackoff, ...extra });
  cleanup.push(() => n.close().catch(() => {}));
  return n;
}

describe('webhook receiver', () => {
  it('posts Alertmanager webhook payload version 4', async () => {
    const sink = await httpSink();
    cleanup.push(() => closeServer(sink.server));
    const n = notifier(webhookConfig(sink.url));
    const t0 = Date.now() - 60_000;
    n.dispatcher.put([
      alert({ alertname: 'Down', instance: 'a', job: 'node' }, t0, 0, { summary: 'a down', runbook: 'r' }),
      alert({ alertname: 'Down', instance: 'b', job: 'node' }, t0, 0, { summary: 'b down', runbook: 'r' }),
    ]);
    await until(() => sink.hits.length === 1, 'the webhook');
    const hit = sink.hits[0];
    expect(hit?.path).toBe('/hook');
    const p = JSON.parse(hit?.body ?? '{}') as WebhookPayload;
    expect(Object.keys(p).sort()).toEqual(['alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version']);
    expect(p).toMatchObject({
      receiver: 'hook',
      status: 'firing',
      version: '4',
      groupLabels: { alertname: 'Down' },
      commonLabels: { alertname: 'Down', job: 'node' },
      commonAnnotations: { runbook: 'r' },
      externalURL: 'http://vigil.local:9090',
      groupKey: '{}:{alertname="Down"}',
      truncatedAlerts: 0,
    });
    const a = p.alerts.find((x) => x.labels['instance'] === 'a');
    expect(a).toEqual({
      status: 'firing',
      labels: { alertname: 'Down', instance: 'a', job: 'node' },
      annotations: { summary: 'a down', runbook: 'r' },
      startsAt: new Date(t0).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://vigil.local/graph',
      fingerprint: fingerprint({ alertname: 'Down', instance: 'a', job: 'node' }),
    });
  });

  it('truncates to max_alerts and reports the rest', async () => {
    const sink = await httpSink();
    cleanup.push(() => closeServer(sink.server));
    const n = notifier(webhookConfig(sink.url, ', max_alerts: 1'));
    n.dispatcher.put([alert({ alertname: 'X', i: '1' }, Date.now() - 60_000), alert({ alertname: 'X', i: '2' }, Date.now() - 60_000)]);
    await until(() => sink.hits.length === 1, 'the webhook');
    const p = JSON.parse(sink.hits[0]?.body ?? '{}') as WebhookPayload;
    expect(p.alerts).toHaveLength(1);
    expect(p.truncatedAlerts).toBe(1);
  });

  it('retries a 500 with backoff and delivers once the receiver recovers', async () => {
    const sink = await httpSink((n) => (n <= 4 ? 500 : 200));
    cleanup.push(() => closeServer(sink.server));
    const n = notifier(webhookConfig(sink.url));
    n.dispatcher.put([alert({ alertname: 'Flaky' }, Date.now() - 60_000)]);
    await until(() => sink.ok.length === 1, 'a successful delivery');
    await n.delivery.idle();
    expect(sink.hits).toHaveLength(5);
    expect(sink.ok).toHaveLength(1);
    expect(n.delivery.stats).toMatchObject({ sent: 1, failed: 0 });
    expect(n.store.outbox()).toHaveLength(0);
  });

  it('keeps duplicates bounded when the receiver is down for several group intervals', async () => {
    const started = Date.now();
    const sink = await httpSink(() => (Date.now() - started < 400 ? 500 : 200));
    cleanup.push(() => closeServer(sink.server));
    const text = webhookConfig(sink.url).replace('group_interval: 1m', 'group_interval: 50ms');
    const n = notifier(text);
    const a = alert({ alertname: 'Outage' }, Date.now() - 60_000);
    // Re-sent as a rule evaluation would, across many group intervals of the outage.
    const refresh = setInterval(() => n.dispatcher.put([a]), 20);
    cleanup.push(() => clearInterval(refresh));
    await until(() => sink.ok.length >= 1, 'delivery after the outage');
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(refresh);
    await n.delivery.idle();
    expect(sink.hits.length).toBeGreaterThan(1);
    expect(sink.ok.length).toBeGreaterThanOrEqual(1);
    expect(sink.ok.length).toBeLessThanOrEqual(2);
  });

  it('does not retry a 400', async () => {
    const sink = await httpSink(() => 400);
    cleanup.push(() => closeServer(sink.server));
    const n = notifier(webhookConfig(sink.url));
    n.dispatcher.put([alert({ alertname: 'Bad' }, Date.now() - 60_000)]);
    await until(() => n.delivery.stats.failed === 1, 'the permanent failure');
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.hits).toHaveLength(1);
    expect(n.store.outbox()).toHaveLength(0);
  });

  it('retries 429', async () => {
    const sink = await httpSink((n) => (n === 1 ? 429 : 200));
    cleanup.push(() => closeServer(sink.server));
    const n = notifier(webhookConfig(sink.url));
    n.dispatcher.put([alert({ alertname: 'Slow' }, Date.now() - 60_000)]);
    await until(() => sink.ok.length === 1, 'delivery after 429');
    expect(sink.hits).toHaveLength(2);
  });

  it('re-delivers what was not delivered after a restart, without duplicates', async () => {
    const dir = tempDir();
    const file = join(dir, 'notify.sqlite');
    let up = false;
    const sink = await httpSink(() => (up ? 200 : 503));
    cleanup.push(() => closeServer(sink.server));
    const first = createNotifier({ config: config(webhookConfig(sink.url)), stateFile: file, backoff: { ...fastBackoff, maxAttempts: 1000 } });
    first.dispatcher.put([alert({ alertname: 'Restart' }, Date.now() - 60_000)]);
    await until(() => sink.hits.length >= 2, 'failing attempts');
    await first.close(); // "crash": the notification stays queued
    expect(sink.ok).toHaveLength(0);

    up = true;
    const second = createNotifier({ config: config(webhookConfig(sink.url)), stateFile: file, backoff: fastBackoff });
    cleanup.push(() => second.close());
    await until(() => sink.ok.length === 1, 're-delivery after restart');
    await second.delivery.idle();
    expect(sink.ok).toHaveLength(1);
    expect(JSON.parse(sink.ok[0]?.body ?? '{}')).toMatchObject({ status: 'firing', groupLabels: { alertname: 'Restart' } });
    expect(second.store.outbox()).toHaveLength(0);
    expect(second.store.getNlog('{}:{alertname="Restart"}', 'hook/webhook/0')?.firing).toHaveLength(1);
  });
});

describe('PagerDuty and desktop receivers', () => {
  it('triggers and resolves a PagerDuty event with the same dedup key', async () => {
    const sink = await httpSink(() => 202);
    cleanup.push(() => closeServer(sink.server));
    const text = `route:\n  receiver: pd\n  group_by: [alertname]\n  group_wait: 0s\n  group_interval: 100ms\nreceivers:\n  - name: pd\n    pagerduty_configs: [{routing_key: KEY, url: "${sink.url}/v2/enqueue", client: Vigil}]\n`;
    const n = notifier(text);
    const t0 = Date.now() - 60_000;
    n.dispatcher.put([alert({ alertname: 'Down', severity: 'critical', instance: 'a' }, t0)]);
    await until(() => sink.hits.length === 1, 'the trigger');
    n.dispatcher.put([alert({ alertname: 'Down', severity: 'critical', instance: 'a' }, t0, Date.now())]);
    await until(() => sink.hits.length === 2, 'the resolve', 5000);
    const [trigger, resolve] = sink.hits.map((h) => JSON.parse(h.body) as PagerdutyEvent);
    expect(trigger).toMatchObject({ routing_key: 'KEY', event_action: 'trigger', payload: { severity: 'critical', source: 'Vigil', summary: '[FIRING:1] Down (instance="a" severity="critical")' } });
    expect(trigger?.payload?.custom_details['num_firing']).toBe(1);
    expect(resolve).toMatchObject({ routing_key: 'KEY', event_action: 'resolve' });
    expect(resolve?.dedup_key).toBe(trigger?.dedup_key);
    expect(trigger?.dedup_key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('emits desktop notifications and records the inbox', async () => {
    const desktop = new EventEmitter();
    const got: DesktopNotification[] = [];
    desktop.on(desktopEvent, (d: DesktopNotification) => got.push(d));
    const text = `route:\n  receiver: me\n  group_wait: 0s\nreceivers:\n  - name: me\n    inbox: true\n    desktop_configs: [{}]\n`;
    const n = notifier(text, ':memory:', { desktop });
    n.dispatcher.put([alert({ alertname: 'CertExpiry', severity: 'critical' }, Date.now() - 60_000, 0, { summary: 'certificate expires in 3 days' })]);
    await until(() => got.length === 1, 'the desktop event');
    expect(got[0]).toMatchObject({ title: '[FIRING:1] CertExpiry (severity="critical")', body: 'certificate expires in 3 days', severity: 'critical', firing: 1 });
    await n.delivery.idle();
    expect(n.inbox.list().map((a) => [a.labels['alertname'], a.state])).toEqual([['CertExpiry', 'firing']]);
  });
});

describe('email receiver', () => {
  it('delivers over SMTP to a local server', async () => {
    const smtp = await smtpSink();
    cleanup.push(() => smtp.close());
    const text = `global:\n  smtp_smarthost: "127.0.0.1:${smtp.port}"\n  smtp_from: vigil@example.test\n  smtp_require_tls: false\nroute:\n  receiver: mail\n  group_wait: 0s\nreceivers:\n  - name: mail\n    email_configs: [{to: oncall@example.test}]\n`;
    const n = notifier(text);
    n.dispatcher.put([alert({ alertname: 'DiskFull', instance: 'db-1' }, Date.now() - 60_000, 0, { summary: 'disk 97% full' })]);
    await until(() => smtp.messages.length === 1, 'the email');
    const msg = smtp.messages[0];
    expect(msg?.from).toContain('vigil@example.test');
    expect(msg?.to.join()).toContain('oncall@example.test');
    // nodemailer writes the subject as RFC 2047 encoded words (it contains quotes); decode them.
    const subject = /^Subject: (.*(?:\r\n .*)*)/m.exec(msg?.data ?? '')?.[1] ?? '';
    const decoded = subject.replace(/\r\n /g, '').replace(/=\?UTF-8\?Q\?(.*?)\?=/g, (_m, q: string) => q.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))));
    expect(decoded).toBe('[FIRING:1] DiskFull (instance="db-1")');
    expect(msg?.data).toContain('summary = disk 97% full');
  });

  it('treats an SMTP 5xx as permanent', async () => {
    const smtp = await smtpSink(true);
    cleanup.push(() => smtp.close());
    const integ = emailIntegration('m/email/0', { to: 'a@b.test', from: 'v@b.test', smarthost: `127.0.0.1:${smtp.port}`, require_tls: false, send_resolved: false });
    const err = await integ
      .send({ receiver: 'm', groupKey: 'k', groupLabels: {}, alerts: [alert({ alertname: 'X' }, Date.now())], externalURL: '', atMs: Date.now() }, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).retryable).toBe(false);
  });
});
