import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postToAlertmanager } from '../../../main/notify/receivers/alertmanager.js';
import { webhookPayload } from '../../../main/notify/receivers/webhook.js';
import { alert } from './helpers.js';
import { createNotifier } from '../../../main/notify/notifier.js';
import { parseNotifyConfig } from '../../../main/notify/config.js';

const bin = '/usr/bin/prometheus-alertmanager';

async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const addr = s.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function until<T>(f: () => Promise<T | null>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string };
}

describe.skipIf(!existsSync(bin))(`real Alertmanager 0.25 (skipped: ${bin} missing)`, () => {
  let dir = '';
  let am: ChildProcess | null = null;
  let base = '';
  let hook: Server | null = null;
  const hookBodies: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
    hook = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        hookBodies.push(b);
        res.end();
      });
    });
    await new Promise<void>((r) => hook?.listen(0, '127.0.0.1', r));
    const ha = hook.address();
    const hookPort = typeof ha === 'object' && ha !== null ? ha.port : 0;
    writeFileSync(
      join(dir, 'am.yml'),
      `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs: [{url: "http://127.0.0.1:${hookPort}/"}]\n`,
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    am = spawn(bin, [`--config.file=${join(dir, 'am.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { stdio: 'ignore' });
    await until(async () => ((await fetch(`${base}/-/ready`)).ok ? true : null), 'Alertmanager to be ready');
  }, 30_000);

  afterAll(async () => {
    if (am?.pid !== undefined) process.kill(am.pid, 'SIGTERM');
    await new Promise<void>((r) => (am === null || am.exitCode !== null ? r() : am.once('exit', () => r())));
    await new Promise<void>((r) => (hook === null ? r() : hook.close(() => r())));
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts our alerts, lists them, resolves them, and its webhook payload has our shape', async () => {
    const t0 = Date.now() - 60_000;
    const labels = { alertname: 'VigilInterop', instance: 'host-1', severity: 'warning' };
    await postToAlertmanager(base, [alert(labels, t0, 0, { summary: 'from Vigil' })], Date.now(), AbortSignal.timeout(5000), 3600_000);
    const listed = await until(async () => {
      const list = (await (await fetch(`${base}/api/v2/alerts`)).json()) as AmAlert[];
      return list.find((a) => a.labels['alertname'] === 'VigilInterop') ?? null;
    }, 'the alert in GET /api/v2/alerts');
    expect(listed.labels).toEqual(labels);
    expect(listed.status.state).toBe('active');
    // It stays active until the validity we sent, not Alertmanager's resolve_timeout.
    expect(Date.parse((listed as unknown as { endsAt: string }).endsAt)).toBeGreaterThan(Date.now() + 3000_000);

    const amHook = await until(async () => (hookBodies.length > 0 ? (JSON.parse(hookBodies[0] ?? '{}') as Record<string, unknown>) : null), "Alertmanager's webhook");
    const ours = webhookPayload({ receiver: 'hook', groupKey: 'k', groupLabels: {}, alerts: [alert(labels, t0)], externalURL: '', atMs: Date.now() }) as unknown as Record<string, unknown>;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(amHook).sort());
    const amAlert = (amHook['alerts'] as Record<string, unknown>[])[0] ?? {};
    expect(Object.keys((ours['alerts'] as Record<string, unknown>[])[0] ?? {}).sort()).toEqual(Object.keys(amAlert).sort());
    expect(amAlert['fingerprint']).toBe((ours['alerts'] as { fingerprint: string }[])[0]?.fingerprint);
    expect(amAlert['endsAt']).toBe('0001-01-01T00:00:00Z');

    await postToAlertmanager(base, [alert(labels, t0, Date.now() - 1000)], Date.now(), AbortSignal.timeout(5000));
    await until(async () => {
      const list = (await (await fetch(`${base}/api/v2/alerts`)).json()) as AmAlert[];
      return list.some((a) => a.labels['alertname'] === 'VigilInterop') ? null : true;
    }, 'the alert to be resolved');
  }, 30_000);

  it('forwards through the routing tree with an alertmanager_configs receiver', async () => {
    const cfg = parseNotifyConfig('vigil.yml', `route:\n  receiver: am\n  group_wait: 0s\n  group_interval: 100ms\nreceivers:\n  - name: am\n    alertmanager_configs: [{url: "${base}"}]\n`);
    if (!cfg.ok) throw new Error(cfg.errors.join('\n'));
    const n = createNotifier({ config: cfg.value, stateFile: ':memory:', backoff: { initialMs: 10, maxMs: 100, maxAttempts: 5 } });
    try {
      const labels = { alertname: 'VigilRouted', instance: 'host-2' };
      const t0 = Date.now() - 60_000;
      n.dispatcher.put([alert(labels, t0)]);
      const listed = (await (async () => {
        for (let i = 0; i < 150; i++) {
          const list = (await (await fetch(`${base}/api/v2/alerts`)).json()) as AmAlert[];
          const hit = list.find((a) => a.labels['alertname'] === 'VigilRouted');
          if (hit !== undefined) return hit;
          await new Promise((r) => setTimeout(r, 100));
        }
        return null;
      })()) as AmAlert | null;
      expect(listed?.labels).toEqual(labels);
      n.dispatcher.put([alert(labels, t0, Date.now())]);
      await until(async () => {
        const list = (await (await fetch(`${base}/api/v2/alerts`)).json()) as AmAlert[];
        return list.some((a) => a.labels['alertname'] === 'VigilRouted') ? null : true;
      }, 'the routed alert to be resolved');
    } finally {
      await n.close();
    }
  }, 30_000);

  it('rejects what Alertmanager rejects (an object instead of an array is 400)', async () => {
    const res = await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ labels: { a: 'b' } }) });
    expect(res.status).toBe(400);
  });
});
