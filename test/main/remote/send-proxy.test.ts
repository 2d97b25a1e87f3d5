// remote_write's proxy_url: the request goes through the configured proxy (the host name of the
// receiver need not resolve: the recording proxy sends every host to 127.0.0.1).
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../main/config/load.js';
import { endpointAgent, sendOnce } from '../../../main/remote/send.js';
import { endpointOf } from '../../../main/remote/queue-settings.js';
import { encodeWriteRequest, snappyCompress } from '../../../main/remote/proto.js';
import { startRecordingProxy } from '../http-client/recording-proxy.js';
import { FakeReceiver } from './fake-receiver.js';

describe('remote write through proxy_url', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('sends the request to the proxy, which reaches the receiver', async () => {
    const receiver = new FakeReceiver();
    const base = new URL(await receiver.start());
    cleanups.push(() => receiver.stop());
    const proxy = await startRecordingProxy();
    cleanups.push(() => proxy.close());
    const url = `http://receiver.invalid:${base.port}/api/v1/write`;
    const loaded = parseConfig(`remote_write:\n  - url: ${url}\n    proxy_url: ${proxy.url}\n`, 'prometheus.yml');
    if (!loaded.ok) throw new Error(loaded.errors.map(String).join('; '));
    const ep = endpointOf(loaded.config.remote_write[0]!, 'Vigil/test');
    const body = snappyCompress(encodeWriteRequest({ timeseries: [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 1000 }] }] }));
    const outcome = await sendOnce(ep, endpointAgent(ep.url), body, false, new AbortController().signal);
    expect(outcome).toEqual({ kind: 'sent' });
    expect(proxy.seen.map((r) => [r.method, r.target])).toEqual([['POST', url]]);
    expect(receiver.received.map((s) => s.labels)).toEqual([[{ name: '__name__', value: 'up' }]]);
  });
});
