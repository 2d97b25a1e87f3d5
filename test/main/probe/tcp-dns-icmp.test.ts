import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProbe } from '../../../main/probe/runner.js';
import { splitHostPort } from '../../../main/probe/tcp.js';
import { compileRegex, expandTemplate } from '../../../app/dialect/regex.js';
import { parsePingOutput } from '../../../main/probe/icmp.js';
import { tempDir } from '../helpers.js';
import { makePki, type Pki } from './fixtures-pki.js';
import { bannerServer, dnsServer, type Closable } from './fixtures-servers.js';
import { logText, moduleFrom, names, sample } from './helpers.js';

const opensslMissing = spawnSync('openssl', ['version']).status !== 0;

describe('tcp helpers', () => {
  it('splits host:port like Go and expands regexp templates like regexp.Expand', () => {
    expect(splitHostPort('127.0.0.1:25')).toEqual({ host: '127.0.0.1', port: 25 });
    expect(splitHostPort('[::1]:53')).toEqual({ host: '::1', port: 53 });
    expect(splitHostPort('example.com')).toBeNull();
    expect(splitHostPort('a:99999')).toBeNull();
    const m = compileRegex('^(?P<code>\\d+) (\\S+)', 'unanchored').exec('220 mx.example ESMTP')!;
    expect(expandTemplate('EHLO ${2} $code $$1', m)).toBe('EHLO mx.example 220 $1');
  });
});

describe.skipIf(opensslMissing)('tcp prober: banner, query_response and STARTTLS', () => {
  const tmp = tempDir('vigil-probe-tcp-');
  let pki: Pki;
  let banner: Closable;
  beforeAll(async () => {
    pki = makePki(tmp.dir);
    banner = await bannerServer(pki);
  });
  afterAll(async () => {
    await banner.close();
    tmp.cleanup();
  });

  it('walks the dialogue, upgrades with STARTTLS and reports the chain', async () => {
    const m = moduleFrom(`prober: tcp
timeout: 3s
tcp:
  query_response:
    - expect: "^220 ([^ ]+) ESMTP"
      send: "EHLO \${1}"
    - expect: "^250 STARTTLS"
    - send: STARTTLS
    - expect: "^220"
      starttls: true
    - send: PING
    - expect: "^PONG"
  tls_config:
    ca_file: ${pki.rootCrt}
    server_name: localhost`);
    const r = await runProbe(m, `127.0.0.1:${banner.port}`);
    expect(r.success, logText(r)).toBe(true);
    expect(logText(r)).toMatch(/Sending line.*EHLO vigil\.test/);
    expect(sample(r, 'probe_ssl_earliest_cert_expiry')).toBeGreaterThan(Date.now() / 1000);
    expect(names(r)).toContain('probe_ssl_cert_not_after_timestamp_seconds');
  });

  it('shows what was received when the expected line never comes', async () => {
    // The server keeps the connection open, so this ends in a read timeout: as in blackbox, that
    // is a read error, not probe_failed_due_to_regex (the differential test checks the parity).
    const r = await runProbe(moduleFrom('prober: tcp\ntimeout: 500ms\ntcp:\n  query_response:\n    - expect: "^SSH-2.0"'), `127.0.0.1:${banner.port}`);
    expect(r.success).toBe(false);
    expect(sample(r, 'probe_failed_due_to_regex')).toBe(0);
    expect(logText(r)).toMatch(/Error reading from connection.*220 vigil\.test ESMTP ready/);
  });

  it('sets probe_failed_due_to_regex when the server closes without a matching line', async () => {
    const r = await runProbe(moduleFrom('prober: tcp\ntimeout: 2s\ntcp:\n  query_response:\n    - send: QUIT\n    - expect: "^SSH-2.0"'), `127.0.0.1:${banner.port}`);
    expect(r.success).toBe(false);
    expect(sample(r, 'probe_failed_due_to_regex')).toBe(1);
    expect(logText(r)).toMatch(/Regexp did not match.*221 bye/);
  });

  it('reports a refused connection', async () => {
    const r = await runProbe(moduleFrom('prober: tcp\ntimeout: 1s'), '127.0.0.1:1');
    expect(r.success).toBe(false);
    expect(logText(r)).toMatch(/ECONNREFUSED/);
    expect(sample(r, 'probe_ip_protocol')).toBe(4);
  });
});

describe('dns prober against a dns-packet UDP server', () => {
  let dns: Closable & { readonly tcpPort: number };
  beforeAll(async () => {
    dns = await dnsServer();
  });
  afterAll(() => dns.close());

  it('counts records, reports the SOA serial and validates answers', async () => {
    const target = `127.0.0.1:${dns.port}`;
    const a = await runProbe(moduleFrom('prober: dns\ntimeout: 2s\ndns:\n  query_name: vigil.test\n  query_type: A\n  validate_answer_rrs:\n    fail_if_not_matches_regexp: ["\\\\tIN\\\\tA\\\\t192\\\\.0\\\\.2\\\\."]'), target);
    expect(a.success, logText(a)).toBe(true);
    expect(sample(a, 'probe_dns_answer_rrs')).toBe(2);
    expect(sample(a, 'probe_dns_authority_rrs')).toBe(1);
    expect(sample(a, 'probe_dns_query_succeeded')).toBe(1);
    const soa = await runProbe(moduleFrom('prober: dns\ntimeout: 2s\ndns:\n  query_name: vigil.test\n  query_type: SOA'), target);
    expect(sample(soa, 'probe_dns_serial')).toBe(2026112601);
    const bad = await runProbe(moduleFrom('prober: dns\ntimeout: 2s\ndns:\n  query_name: vigil.test\n  query_type: A\n  validate_answer_rrs:\n    fail_if_matches_regexp: ["192\\\\.0\\\\.2\\\\.11"]'), target);
    expect(bad.success).toBe(false);
    expect(logText(bad)).toMatch(/fail_if_matches_regexp.*vigil\.test\.\\t300\\tIN\\tA\\t192\.0\.2\.11/);
  });

  it('queries over TCP as well', async () => {
    const r = await runProbe(moduleFrom('prober: dns\ntimeout: 2s\ndns:\n  transport_protocol: tcp\n  query_name: vigil.test\n  query_type: MX\n  validate_answer_rrs:\n    fail_if_none_matches_regexp: ["(?P<pref>10) mx\\\\.vigil\\\\.test\\\\.\\\\z"]'), `127.0.0.1:${dns.tcpPort}`);
    expect(r.success, logText(r)).toBe(true);
    expect(sample(r, 'probe_dns_answer_rrs')).toBe(1);
  });

  it('fails on NXDOMAIN unless the rcode is allowed, and times out on a silent server', async () => {
    const nx = await runProbe(moduleFrom('prober: dns\ntimeout: 2s\ndns:\n  query_name: nope.example\n  query_type: A'), `127.0.0.1:${dns.port}`);
    expect(nx.success).toBe(false);
    expect(logText(nx)).toMatch(/NXDOMAIN/);
    const ok = await runProbe(moduleFrom('prober: dns\ntimeout: 2s\ndns:\n  query_name: nope.example\n  query_type: A\n  valid_rcodes: [NXDOMAIN]'), `127.0.0.1:${dns.port}`);
    expect(ok.success).toBe(true);
    const silent = await runProbe(moduleFrom('prober: dns\ntimeout: 300ms\ndns:\n  query_name: vigil.test'), '127.0.0.1:9');
    expect(silent.success).toBe(false);
  });
});

describe('icmp prober via the ping binary', () => {
  const tmp = tempDir('vigil-probe-icmp-');
  afterAll(() => tmp.cleanup());

  it('parses iputils and busybox output', () => {
    const iputils = parsePingOutput('PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms\n');
    expect(iputils?.ttl).toBe(64);
    expect(iputils?.rttSeconds).toBeCloseTo(0.045e-3, 12);
    const busybox = parsePingOutput('64 bytes from ::1: seq=0 ttl=63 time=1.234 ms');
    expect(busybox?.ttl).toBe(63);
    expect(busybox?.rttSeconds).toBeCloseTo(1.234e-3, 12);
    expect(parsePingOutput('1 packets transmitted, 0 received, 100% packet loss')).toBeNull();
  });

  it('reports rtt and hop limit from a (fake) ping, and fails cleanly when ping is missing', async () => {
    const fake = join(tmp.dir, 'ping');
    writeFileSync(fake, '#!/bin/sh\necho "64 bytes from 127.0.0.1: icmp_seq=1 ttl=61 time=2.5 ms"\n');
    chmodSync(fake, 0o755);
    const ok = await runProbe(moduleFrom('prober: icmp\ntimeout: 2s'), '127.0.0.1', { pingPath: fake });
    expect(ok.success, logText(ok)).toBe(true);
    expect(sample(ok, 'probe_icmp_duration_seconds', { phase: 'rtt' })).toBeCloseTo(0.0025, 6);
    expect(sample(ok, 'probe_icmp_reply_hop_limit')).toBe(61);
    const missing = await runProbe(moduleFrom('prober: icmp\ntimeout: 2s'), '127.0.0.1', { pingPath: join(tmp.dir, 'no-such-ping') });
    expect(missing.success).toBe(false);
    expect(logText(missing)).toMatch(/Cannot run ping.*not found/);
    const lost = join(tmp.dir, 'ping-lost');
    writeFileSync(lost, '#!/bin/sh\necho "1 packets transmitted, 0 received, 100% packet loss"\nexit 1\n');
    chmodSync(lost, 0o755);
    const noReply = await runProbe(moduleFrom('prober: icmp\ntimeout: 2s'), '127.0.0.1', { pingPath: lost });
    expect(noReply.success).toBe(false);
    expect(logText(noReply)).toMatch(/No echo reply.*100% packet loss/);
  });
});

const realPing = ['/usr/bin/ping', '/bin/ping'].find((p) => existsSync(p));
describe.skipIf(realPing === undefined)(`icmp prober with the system ping against 127.0.0.1${realPing ? '' : ' (skipped: no ping binary; apt-get install iputils-ping)'}`, () => {
  it('echoes loopback and reports rtt, hop limit and the ip protocol', async () => {
    const r = await runProbe(moduleFrom('prober: icmp\ntimeout: 3s\nicmp:\n  preferred_ip_protocol: ip4'), '127.0.0.1', { pingPath: realPing! });
    expect(r.success).toBe(true);
    expect(sample(r, 'probe_ip_protocol')).toBe(4);
    expect(sample(r, 'probe_icmp_duration_seconds', { phase: 'rtt' })).toBeGreaterThan(0);
    expect(sample(r, 'probe_icmp_reply_hop_limit')).toBe(64);
  });
});
