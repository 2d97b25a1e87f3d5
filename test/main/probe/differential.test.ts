/**
 * Differential test: the real blackbox_exporter 0.23 and Vigil probe the same loopback endpoints
 * with the same module file; metric names, label sets, HELP texts and every non-timing value must
 * agree. Vigil's own per-certificate series are left out, and where blackbox reports Go's zero
 * time for an unverified chain Vigil must report nothing.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { handleProbe } from '../../../main/probe/handler.js';
import { parseModules } from '../../../main/probe/module-config.js';
import { tempDir } from '../helpers.js';
import { makePki, type Pki } from './fixtures-pki.js';
import { bannerServer, dnsServer, h2Server, httpServer, httpsServer, type Closable } from './fixtures-servers.js';

const blackbox = '/usr/bin/prometheus-blackbox-exporter';
const missing = !existsSync(blackbox) || spawnSync('openssl', ['version']).status !== 0;
if (missing) console.warn(`differential probe test skipped: ${blackbox} or openssl is not installed`);

interface Family {
  help: string;
  samples: Map<string, string>; // label text -> value text
}

export function parseExposition(text: string): Map<string, Family> {
  const out = new Map<string, Family>();
  for (const line of text.split('\n')) {
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) {
      out.set(help[1]!, { help: help[2]!, samples: new Map() });
      continue;
    }
    const m = /^([a-zA-Z_:][\w:]*)(\{.*\})? (\S+)$/.exec(line);
    if (m) out.get(m[1]!)?.samples.set(m[2] ?? '', m[3]!);
  }
  return out;
}

const timing = /duration_seconds|lookup_time_seconds/;
const zeroTime = '-6.21355968e+10';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(missing)('differential: Vigil vs blackbox_exporter 0.23 on the same endpoints', () => {
  const tmp = tempDir('vigil-probe-diff-');
  let pki: Pki;
  let bb: ChildProcess | undefined;
  let bbPort = 0;
  const servers: Record<string, Closable> = {};
  let moduleYaml = '';

  beforeAll(async () => {
    pki = makePki(tmp.dir);
    servers['good'] = await httpsServer(pki, 'leaf', ['int']);
    servers['expired'] = await httpsServer(pki, 'oldleaf', ['oldint']);
    servers['wronghost'] = await httpsServer(pki, 'wronghost', ['int']);
    servers['self'] = await httpsServer(pki, 'self', []);
    servers['tls12'] = await httpsServer(pki, 'leaf', ['int'], { maxVersion: 'TLSv1.2' });
    servers['plain'] = await httpServer();
    servers['h2'] = await h2Server(pki);
    servers['banner'] = await bannerServer(pki);
    servers['dns'] = await dnsServer();
    moduleYaml = `modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      tls_config:
        ca_file: ${pki.rootCrt}
  http_insecure:
    prober: http
    timeout: 5s
    http:
      tls_config:
        insecure_skip_verify: true
  http_body:
    prober: http
    timeout: 5s
    http:
      fail_if_body_not_matches_regexp: ["healthy"]
      fail_if_header_matches:
        - header: Content-Type
          regexp: "xml"
  http_dup_header:
    prober: http
    timeout: 5s
    http:
      fail_if_header_not_matches:
        - header: X-Build
          regexp: "^v2$"
  http_gzip:
    prober: http
    timeout: 5s
    http:
      compression: gzip
      fail_if_body_not_matches_regexp: ["^compressed hello"]
  http_nofollow:
    prober: http
    timeout: 5s
    http:
      follow_redirects: false
      valid_status_codes: [302]
  tcp_connect:
    prober: tcp
    timeout: 5s
  tcp_tls:
    prober: tcp
    timeout: 5s
    tcp:
      tls: true
      tls_config:
        ca_file: ${pki.rootCrt}
  smtp_starttls:
    prober: tcp
    timeout: 5s
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
        server_name: localhost
  tcp_banner_mismatch:
    prober: tcp
    timeout: 2s
    tcp:
      query_response:
        - expect: "^SSH-2.0"
  dns_a:
    prober: dns
    timeout: 5s
    dns:
      query_name: vigil.test
      query_type: A
      validate_answer_rrs:
        fail_if_not_matches_regexp: ["vigil\\\\.test\\\\.\\\\t300\\\\tIN\\\\tA\\\\t192\\\\.0\\\\.2\\\\.1[01]"]
  dns_soa:
    prober: dns
    timeout: 5s
    dns:
      query_name: vigil.test
      query_type: SOA
  dns_mx_must_match:
    prober: dns
    timeout: 5s
    dns:
      query_name: vigil.test
      query_type: MX
      validate_answer_rrs:
        fail_if_none_matches_regexp: ["10 mx\\\\.vigil\\\\.test\\\\.$"]
  dns_tcp:
    prober: dns
    timeout: 5s
    dns:
      transport_protocol: tcp
      query_name: vigil.test
      query_type: ANY
  dns_nx:
    prober: dns
    timeout: 5s
    dns:
      query_name: nothing.example
      query_type: A
`;
    const cfg = join(tmp.dir, 'blackbox.yml');
    writeFileSync(cfg, moduleYaml);
    bbPort = await freePort();
    bb = spawn(blackbox, [`--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${bbPort}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    bb.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${bbPort}/-/healthy`)).ok) return;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`blackbox_exporter did not start: ${stderr}`);
  });

  afterAll(async () => {
    if (bb?.pid !== undefined) bb.kill('SIGTERM');
    await Promise.all(Object.values(servers).map((s) => s.close()));
    tmp.cleanup();
  });

  const cases = (): [string, string][] => {
    const https = (n: string, p = '/'): string => `https://127.0.0.1:${servers[n]!.port}${p}`;
    const plain = (p: string): string => `http://127.0.0.1:${servers['plain']!.port}${p}`;
    return [
      ['http_2xx', https('good')],
      ['http_2xx', https('good').replace('127.0.0.1', 'localhost')],
      ['http_insecure', https('good').replace('127.0.0.1', 'localhost')],
      ['tcp_connect', `localhost:${servers['plain']!.port}`],
      ['http_2xx', https('h2')],
      ['http_2xx', https('h2', '/r1')],
      ['http_2xx', https('h2', '/503')],
      ['http_insecure', https('h2', '/big')],
      ['http_2xx', https('good', '/503')],
      ['http_2xx', https('good', '/r1')],
      ['http_2xx', https('expired')],
      ['http_2xx', https('wronghost')],
      ['http_2xx', https('self')],
      ['http_2xx', https('tls12')],
      ['http_2xx', plain('/fixed')],
      ['http_2xx', plain('/loop')],
      ['http_2xx', plain('/r1')],
      ['http_2xx', 'http://127.0.0.1:1/'],
      ['http_insecure', https('self')],
      ['http_insecure', https('good')],
      ['http_body', plain('/json')],
      ['http_body', plain('/fixed')],
      ['http_dup_header', plain('/dup-header')],
      ['http_nofollow', plain('/r1')],
      ['http_gzip', plain('/gzip')],
      ['tcp_connect', `127.0.0.1:${servers['plain']!.port}`],
      ['tcp_connect', '127.0.0.1:1'],
      ['tcp_tls', `127.0.0.1:${servers['good']!.port}`],
      ['tcp_tls', `127.0.0.1:${servers['self']!.port}`],
      ['tcp_tls', `127.0.0.1:${servers['expired']!.port}`],
      ['tcp_tls', `127.0.0.1:${servers['tls12']!.port}`],
      ['smtp_starttls', `127.0.0.1:${servers['banner']!.port}`],
      ['tcp_banner_mismatch', `127.0.0.1:${servers['banner']!.port}`],
      ['dns_a', `127.0.0.1:${servers['dns']!.port}`],
      ['dns_soa', `127.0.0.1:${servers['dns']!.port}`],
      ['dns_mx_must_match', `127.0.0.1:${servers['dns']!.port}`],
      ['dns_nx', `127.0.0.1:${servers['dns']!.port}`],
      ['dns_tcp', `127.0.0.1:${(servers['dns'] as Closable & { tcpPort: number }).tcpPort}`],
    ];
  };

  it('agrees on names, label sets, HELP texts and values for every case', async () => {
    const modules = parseModules(moduleYaml, 'blackbox.yml');
    const results = await Promise.all(
      cases().map(async ([module, target]) => {
        const q = new URLSearchParams({ module, target });
        const [theirs, ours] = await Promise.all([
          fetch(`http://127.0.0.1:${bbPort}/probe?${q}`).then((r) => r.text()),
          handleProbe(q, {}, { modules }),
        ]);
        return { module, target, theirs: parseExposition(theirs), ours: parseExposition(ours.body), oursText: ours.body };
      }),
    );
    const problems: string[] = [];
    for (const { module, target, theirs, ours } of results) {
      const where = `${module} ${target}`;
      for (const name of ours.keys()) {
        if (!theirs.has(name) && !name.startsWith('probe_ssl_cert_')) problems.push(`${where}: Vigil has extra ${name}`);
      }
      for (const [name, fam] of theirs) {
        const mine = ours.get(name);
        const zeroOnly = name === 'probe_ssl_last_chain_expiry_timestamp_seconds' && fam.samples.get('') === zeroTime;
        if (zeroOnly) {
          if (mine !== undefined) problems.push(`${where}: Vigil should omit ${name} (blackbox: Go zero time)`);
          continue;
        }
        if (mine === undefined) {
          problems.push(`${where}: Vigil lacks ${name}`);
          continue;
        }
        if (mine.help !== fam.help) problems.push(`${where}: HELP of ${name} differs: "${mine.help}" vs "${fam.help}"`);
        const a = [...fam.samples.keys()].sort().join(' ');
        // Vigil follows 0.24+ here: last_chain_info also carries `serialnumber`, which 0.23 lacks.
        const strip = (k: string) => (name === 'probe_ssl_last_chain_info' ? k.replace(/,?serialnumber="[^"]*"/, '') : k);
        const b = [...mine.samples.keys()].map(strip).sort().join(' ');
        if (a !== b) {
          problems.push(`${where}: ${name} label sets differ:\n  blackbox ${a}\n  vigil    ${b}`);
          continue;
        }
        if (timing.test(name)) continue;
        const mineByStripped = new Map([...mine.samples].map(([k, v]) => [strip(k), v]));
        for (const [labels, v] of fam.samples) {
          if (mineByStripped.get(labels) !== v) problems.push(`${where}: ${name}${labels} = ${mineByStripped.get(labels)} (blackbox ${v})`);
        }
      }
    }
    expect(problems).toEqual([]);
    // Sanity: the cases really exercised success and failure, TLS and DNS.
    const successes = results.map((r) => r.theirs.get('probe_success')?.samples.get(''));
    expect(successes).toContain('1');
    expect(successes).toContain('0');
  });
});
