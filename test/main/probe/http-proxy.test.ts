import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../../../main/probe/runner.js';
import { startRecordingProxy } from '../http-client/recording-proxy.js';
import { tempDir } from '../helpers.js';
import { makePki, type Pki } from './fixtures-pki.js';
import { httpServer, httpsServer, type Closable } from './fixtures-servers.js';
import { logText, moduleFrom, sample } from './helpers.js';

const opensslMissing = spawnSync('openssl', ['version']).status !== 0;

describe.skipIf(opensslMissing)("the http prober goes through the module's proxy (blackbox: to the resolved IP)", () => {
  const tmp = tempDir('vigil-probe-proxy-');
  let pki: Pki;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  const servers: Record<string, Closable> = {};

  beforeAll(async () => {
    pki = makePki(tmp.dir);
    servers['tls'] = await httpsServer(pki, 'leaf', ['int']);
    servers['plain'] = await httpServer();
    proxy = await startRecordingProxy();
  });
  afterAll(async () => {
    await proxy.close();
    await Promise.all(Object.values(servers).map((s) => s.close()));
    tmp.cleanup();
  });

  it('tunnels an https probe with CONNECT and proxy_connect_header, and still verifies the chain', async () => {
    proxy.seen.length = 0;
    const module = `prober: http\ntimeout: 5s\nhttp:\n  proxy_url: ${proxy.url}\n  proxy_connect_header:\n    X-Probe: [p1]\n  tls_config:\n    ca_file: ${pki.rootCrt}`;
    const r = await runProbe(moduleFrom(module), `https://127.0.0.1:${servers['tls']!.port}/`);
    expect(r.success, logText(r)).toBe(true);
    expect(sample(r, 'probe_http_ssl')).toBe(1);
    expect(proxy.seen.map((s) => [s.method, s.target, s.headers['x-probe']])).toEqual([['CONNECT', `127.0.0.1:${servers['tls']!.port}`, 'p1']]);
  });

  it('sends a plain http probe to the proxy in absolute form, with Proxy-Authorization from the proxy URL', async () => {
    proxy.seen.length = 0;
    const module = `prober: http\ntimeout: 5s\nhttp:\n  proxy_url: ${proxy.url.replace('http://', 'http://probe:secret@')}`;
    const r = await runProbe(moduleFrom(module), `http://127.0.0.1:${servers['plain']!.port}/fixed`);
    expect(r.success, logText(r)).toBe(true);
    expect(proxy.seen.map((s) => [s.method, s.target])).toEqual([['GET', `http://127.0.0.1:${servers['plain']!.port}/fixed`]]);
    expect(proxy.seen[0]!.headers['proxy-authorization']).toBe(`Basic ${Buffer.from('probe:secret').toString('base64')}`);
  });

  it('fails naming the proxy when it refuses the tunnel', async () => {
    const refusing = http.createServer();
    refusing.on('connect', (_req, socket: Socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    try {
      const module = `prober: http\ntimeout: 5s\nhttp:\n  proxy_url: http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
      const r = await runProbe(moduleFrom(module), `https://127.0.0.1:${servers['tls']!.port}/`);
      expect(r.success).toBe(false);
      expect(logText(r)).toMatch(/proxyconnect tcp: the proxy 127\.0\.0\.1:\d+ answered CONNECT 127\.0\.0\.1:\d+ with 407 Proxy Authentication Required/);
    } finally {
      await new Promise((r) => refusing.close(r));
    }
  });
});
