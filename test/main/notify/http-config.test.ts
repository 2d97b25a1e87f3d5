import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../../main/notify/config.js';
import { webhookIntegration } from '../../../main/notify/receivers/webhook.js';
import type { Notification } from '../../../main/notify/integration.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-notify-http-'));
const seen: { path: string; method: string; auth: string }[] = [];
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ path: req.url ?? '', method: req.method ?? '', auth: req.headers.authorization ?? '' });
      if (req.url === '/moved') res.writeHead(307, { location: '/hook' }).end();
      else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const notification: Notification = { receiver: 'r', groupKey: 'g', groupLabels: {}, alerts: [], externalURL: '', atMs: 0 };

function webhook(httpConfig: string, path = '/hook') {
  const r = parseNotifyConfig('n.yml', `route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs:\n      - url: ${base}${path}\n        http_config:\n${httpConfig.replace(/^/gm, '          ')}\n`);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const cfg = r.value.receivers.get('r')?.webhook_configs?.[0];
  if (cfg === undefined) throw new Error('no webhook');
  return webhookIntegration('r', cfg);
}

describe('receiver http_config (Alertmanager)', () => {
  it('sends basic auth with username_file and password_file, and follows a 307 with the POST', async () => {
    writeFileSync(join(dir, 'user'), 'am\n');
    writeFileSync(join(dir, 'pass'), 'pw\n');
    seen.length = 0;
    await webhook(`basic_auth: {username_file: ${join(dir, 'user')}, password_file: ${join(dir, 'pass')}}`, '/moved').send(notification, new AbortController().signal);
    const auth = 'Basic ' + Buffer.from('am:pw').toString('base64');
    expect(seen).toEqual([
      { path: '/moved', method: 'POST', auth },
      { path: '/hook', method: 'POST', auth },
    ]);
  });

  it('follow_redirects: false makes the 3xx a failed delivery', async () => {
    await expect(webhook('follow_redirects: false', '/moved').send(notification, new AbortController().signal)).rejects.toThrow(/answered 307/);
  });

  it('sends authorization credentials and refuses Prometheus-invalid combinations with its message', async () => {
    seen.length = 0;
    await webhook('authorization: {credentials: tok}').send(notification, new AbortController().signal);
    expect(seen[0]?.auth).toBe('Bearer tok');
    const bad = parseNotifyConfig('n.yml', `route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs:\n      - url: ${base}/hook\n        http_config: {basic_auth: {username: u}, authorization: {credentials: x}}\n`);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join('\n')).toContain('at most one of basic_auth, oauth2 & authorization must be configured');
  });
});
