/**
 * lightenHostCheck answers Node's handshake-time getPeerCertificate(true) with the two fields the
 * host-name check reads. Whatever the certificate and host name, the verdict (authorized,
 * authorizationError) and the presented chain must be those of a plain tls.connect.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:tls';
import { connect, type TLSSocket, TLSSocket as TLSSocketClass } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { lightenHostCheck, secureContextFor, tlsFacts, trustedRoots } from '../../../main/probe/tls-chain.js';
import { tempDir } from '../helpers.js';
import { makePki, type Pki } from './fixtures-pki.js';

const opensslMissing = spawnSync('openssl', ['version']).status !== 0;

interface Outcome {
  authorized: boolean;
  error: string | null;
  chain: string[];
  detailedCalls: number;
}

describe.skipIf(opensslMissing)('the light host-name check during the TLS handshake', () => {
  const tmp = tempDir('vigil-probe-hostcheck-');
  let pki: Pki;
  const servers: Record<string, Server> = {};
  const port = (name: string): number => (servers[name]!.address() as AddressInfo).port;

  beforeAll(async () => {
    pki = makePki(tmp.dir);
    // A leaf with no subjectAltName at all (Node falls back to the subject's CN), and one whose
    // subject holds two CNs (Node gives them as an array).
    const ssl = (...a: string[]): void => void execFileSync('openssl', a, { cwd: tmp.dir, stdio: 'ignore' });
    ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'cnonly.key');
    ssl('req', '-new', '-key', 'cnonly.key', '-subj', '/CN=localhost', '-out', 'cnonly.csr');
    ssl('x509', '-req', '-in', 'cnonly.csr', '-CA', 'int.crt', '-CAkey', 'int.key', '-CAcreateserial', '-days', '30', '-out', 'cnonly.crt');
    ssl('req', '-new', '-key', 'cnonly.key', '-subj', '/CN=first.example/CN=localhost', '-multivalue-rdn', '-out', 'twocn.csr');
    ssl('x509', '-req', '-in', 'twocn.csr', '-CA', 'int.crt', '-CAkey', 'int.key', '-CAcreateserial', '-days', '30', '-out', 'twocn.crt');
    execFileSync('cp', ['cnonly.key', 'twocn.key'], { cwd: tmp.dir });
    for (const [name, chain] of [['leaf', ['int']], ['wronghost', ['int']], ['cnonly', ['int']], ['twocn', ['int']], ['oldleaf', ['oldint']]] as const) {
      const s = createServer({ key: pki.pem(`${name}.key`), cert: [pki.pem(`${name}.crt`), ...chain.map((c) => pki.pem(`${c}.crt`))].join('') }, (sock) => sock.end());
      s.on('tlsClientError', () => {});
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      servers[name] = s;
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => new Promise((r) => s.close(r))));
    tmp.cleanup();
  });

  async function handshake(server: string, servername: string | undefined, light: boolean): Promise<Outcome> {
    const roots = trustedRoots(pki.pem('root.crt'));
    const original = TLSSocketClass.prototype.getPeerCertificate;
    let detailedCalls = 0;
    TLSSocketClass.prototype.getPeerCertificate = function (this: TLSSocket, detailed?: boolean) {
      if (detailed === true) detailedCalls++;
      return original.call(this, detailed as true);
    } as typeof original;
    try {
      const socket = connect({
        host: '127.0.0.1',
        port: port(server),
        ...(servername !== undefined ? { servername } : {}),
        secureContext: secureContextFor({ ca: pki.pem('root.crt') }),
        rejectUnauthorized: false,
      });
      if (light) lightenHostCheck(socket, roots);
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      const chain = tlsFacts(socket, roots, false).presented.map((c) => c.subject);
      const out = { authorized: socket.authorized, error: socket.authorizationError === null ? null : String(socket.authorizationError), chain, detailedCalls };
      // After the handshake the socket's own getPeerCertificate is Node's again.
      expect(Object.hasOwn(socket, 'getPeerCertificate')).toBe(false);
      socket.destroy();
      return out;
    } finally {
      TLSSocketClass.prototype.getPeerCertificate = original;
    }
  }

  const cases: Array<[string, string | undefined]> = [
    ['leaf', 'localhost'],
    ['leaf', undefined], // the IP we dial is checked against the SAN's IP addresses
    ['leaf', 'other.example'],
    ['wronghost', 'localhost'],
    ['wronghost', 'wrong.example'],
    ['wronghost', undefined],
    ['cnonly', 'localhost'],
    ['cnonly', 'elsewhere.example'],
    ['cnonly', undefined],
    ['twocn', 'localhost'],
    ['twocn', 'first.example'],
    ['twocn', 'elsewhere.example'],
    ['oldleaf', 'localhost'], // verification fails first: Node does not check the host at all
  ];
  it.each(cases)('%s as %s: the same verdict and chain as Node alone', async (server, servername) => {
    const plain = await handshake(server, servername, false);
    const light = await handshake(server, servername, true);
    expect({ ...light, detailedCalls: 0 }).toEqual({ ...plain, detailedCalls: 0 });
  });

  it('never builds the detailed chain (Node alone builds it once per handshake)', async () => {
    expect((await handshake('leaf', 'localhost', false)).detailedCalls).toBe(1);
    for (const [server, name] of cases) expect((await handshake(server, name, true)).detailedCalls).toBe(0);
  });
});
