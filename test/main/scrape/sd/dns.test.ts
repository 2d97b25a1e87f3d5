import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsSdConfig } from '../../../../main/config/schema-sd.js';
import { DnsDiscoverer } from '../../../../main/scrape/sd/dns.js';
import type { DiscoveryErrorEvent } from '../../../../main/scrape/sd/discoverer.js';

// A tiny authoritative DNS server on 127.0.0.1 answering from a table; names not in the
// table get NXDOMAIN, and "broken.test" gets SERVFAIL.
type Answer = dnsPacket.Answer;
const zone: Record<string, Answer[]> = {
  'SRV _prometheus._tcp.svc.test': [
    { type: 'SRV', name: '_prometheus._tcp.svc.test', ttl: 30, data: { port: 9100, target: 'node1.svc.test', priority: 10, weight: 5 } },
    { type: 'SRV', name: '_prometheus._tcp.svc.test', ttl: 30, data: { port: 9200, target: 'node2.svc.test', priority: 10, weight: 5 } },
  ],
  'A web.svc.test': [
    { type: 'A', name: 'web.svc.test', ttl: 30, data: '10.0.0.1' },
    { type: 'A', name: 'web.svc.test', ttl: 30, data: '10.0.0.2' },
  ],
  'AAAA web.svc.test': [{ type: 'AAAA', name: 'web.svc.test', ttl: 30, data: 'fd00::1' }],
  'MX mail.svc.test': [{ type: 'MX', name: 'mail.svc.test', ttl: 30, data: { preference: 10, exchange: 'mx1.svc.test' } }],
};

let server: Socket;
let port = 0;
const queries: string[] = [];

beforeAll(async () => {
  server = createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (question === undefined) return;
    queries.push(`${question.type} ${question.name}`);
    const answers = zone[`${question.type} ${question.name}`];
    const rcode = question.name === 'broken.test' ? 2 : answers === undefined && !Object.keys(zone).some((k) => k.endsWith(' ' + question.name)) ? 3 : 0;
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | rcode,
      questions: [question],
      answers: answers ?? [],
    });
    server.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((done) => server.bind(0, '127.0.0.1', done));
  port = server.address().port;
});

afterAll(() => {
  server.close();
});

function cfg(over: Partial<DnsSdConfig>): DnsSdConfig {
  return { names: [], refresh_interval: 30_000, type: 'SRV', port: 0, nameserver: `127.0.0.1:${port}`, ...over };
}

describe('DnsDiscoverer against a local DNS server', () => {
  it('SRV: one target per record, Prometheus meta labels', async () => {
    const groups = await new DnsDiscoverer(cfg({ names: ['_prometheus._tcp.svc.test'] })).refresh();
    expect(groups).toEqual([
      {
        source: '_prometheus._tcp.svc.test',
        labels: {},
        targets: [
          { __address__: 'node1.svc.test:9100', __meta_dns_name: '_prometheus._tcp.svc.test', __meta_dns_srv_record_target: 'node1.svc.test.', __meta_dns_srv_record_port: '9100' },
          { __address__: 'node2.svc.test:9200', __meta_dns_name: '_prometheus._tcp.svc.test', __meta_dns_srv_record_target: 'node2.svc.test.', __meta_dns_srv_record_port: '9200' },
        ],
      },
    ]);
  });

  it('A and AAAA use the configured port (IPv6 in brackets)', async () => {
    const a = await new DnsDiscoverer(cfg({ names: ['web.svc.test'], type: 'A', port: 80 })).refresh();
    expect(a[0]!.targets.map((t) => t['__address__'])).toEqual(['10.0.0.1:80', '10.0.0.2:80']);
    expect(a[0]!.targets[0]!['__meta_dns_name']).toBe('web.svc.test');
    const aaaa = await new DnsDiscoverer(cfg({ names: ['web.svc.test'], type: 'AAAA', port: 443 })).refresh();
    expect(aaaa[0]!.targets.map((t) => t['__address__'])).toEqual(['[fd00::1]:443']);
  });

  it('MX: __meta_dns_mx_record_target', async () => {
    const mx = await new DnsDiscoverer(cfg({ names: ['mail.svc.test'], type: 'MX', port: 25 })).refresh();
    expect(mx[0]!.targets).toEqual([{ __address__: 'mx1.svc.test:25', __meta_dns_mx_record_target: 'mx1.svc.test.', __meta_dns_name: 'mail.svc.test' }]);
  });

  it('a name that does not exist empties its group; a failing server keeps the old one and reports', async () => {
    const errors: DiscoveryErrorEvent[] = [];
    const d = new DnsDiscoverer(cfg({ names: ['gone.test', 'broken.test'] }), (e) => errors.push(e), 1000);
    const groups = await d.refresh();
    expect(groups).toEqual([{ source: 'gone.test', targets: [], labels: {} }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`broken.test via 127.0.0.1:${port}`);
  });

  it('run() sends the first refresh and stops on abort', async () => {
    const ac = new AbortController();
    const sent = new Promise<number>((done) => {
      void new DnsDiscoverer(cfg({ names: ['_prometheus._tcp.svc.test'] })).run(ac.signal, (g) => done(g[0]!.targets.length));
    });
    expect(await sent).toBe(2);
    ac.abort();
    expect(queries).toContain('SRV _prometheus._tcp.svc.test');
  });
});
