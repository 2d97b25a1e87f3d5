/**
 * Test PKI generated with the openssl CLI: root → intermediate → leaf, plus the broken variants
 * the probes must explain (expired intermediate, wrong host name, self-signed). ECDSA P-256 keys
 * keep generation under a second.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  readonly dir: string;
  readonly rootCrt: string; // path
  readonly pem: (name: string) => string; // file contents
  readonly path: (name: string) => string;
}

/** Subject of the good leaf: exercises Go's pkix.Name ordering, escaping and unknown OIDs. */
const leafSubject = '/C=DE/ST=Berlin/O=Vigil, Test/OU=Probes/CN=localhost/emailAddress=ops@example.com';

export function makePki(dir: string): Pki {
  const p = (n: string): string => join(dir, n);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const key = (name: string): void => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p(`${name}.key`));
  writeFileSync(
    p('ext.cnf'),
    [
      '[ca]',
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
      '[leaf]',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '[wronghost]',
      'basicConstraints=critical,CA:FALSE',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:wrong.example',
      '',
    ].join('\n'),
  );
  // openssl ca is the only 3.0 tool that takes explicit validity dates (for the expired one).
  writeFileSync(p('index.txt'), '');
  writeFileSync(
    p('ca.cnf'),
    [
      '[ca]',
      'default_ca=root',
      '[root]',
      `database=${p('index.txt')}`,
      `new_certs_dir=${dir}`,
      `certificate=${p('root.crt')}`,
      `private_key=${p('root.key')}`,
      'serial_file_unused=1',
      'rand_serial=yes',
      'default_md=sha256',
      'policy=any',
      'email_in_dn=no',
      'unique_subject=no',
      'copy_extensions=none',
      'x509_extensions=caext',
      '[any]',
      'commonName=supplied',
      '[caext]',
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
      '',
    ].join('\n'),
  );
  key('root');
  ssl('req', '-x509', '-new', '-key', p('root.key'), '-subj', '/CN=Vigil Test Root CA', '-days', '3650', '-out', p('root.crt'), '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const sign = (name: string, subj: string, issuer: string, days: string, ext: string): void => {
    key(name);
    ssl('req', '-new', '-key', p(`${name}.key`), '-subj', subj, '-out', p(`${name}.csr`));
    ssl('x509', '-req', '-in', p(`${name}.csr`), '-CA', p(`${issuer}.crt`), '-CAkey', p(`${issuer}.key`), '-CAcreateserial', '-days', days, '-extfile', p('ext.cnf'), '-extensions', ext, '-out', p(`${name}.crt`));
  };
  sign('int', '/CN=Vigil Test Intermediate CA', 'root', '365', 'ca');
  sign('leaf', leafSubject, 'int', '30', 'leaf');
  sign('wronghost', '/CN=wrong.example', 'int', '30', 'wronghost');
  // Expired intermediate (valid 2020–2021) and a leaf under it.
  key('oldint');
  ssl('req', '-new', '-key', p('oldint.key'), '-subj', '/CN=Vigil Expired Intermediate CA', '-out', p('oldint.csr'));
  ssl('ca', '-batch', '-config', p('ca.cnf'), '-startdate', '20200101000000Z', '-enddate', '20210101000000Z', '-in', p('oldint.csr'), '-out', p('oldint.crt'), '-notext');
  sign('oldleaf', '/CN=localhost', 'oldint', '30', 'leaf');
  // Self-signed leaf.
  key('self');
  ssl('req', '-x509', '-new', '-key', p('self.key'), '-subj', '/CN=localhost', '-days', '30', '-out', p('self.crt'), '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  return {
    dir,
    rootCrt: p('root.crt'),
    pem: (n) => readFileSync(p(n), 'utf8'),
    path: p,
  };
}
