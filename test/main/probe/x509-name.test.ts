import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { certNames } from '../../../main/probe/x509-name.js';
import { tempDir } from '../helpers.js';
import { makePki } from './fixtures-pki.js';

const opensslMissing = spawnSync('openssl', ['version']).status !== 0;

describe('Go pkix.Name.String() formatting', () => {
  it.skipIf(opensslMissing)('orders, escapes and hex-encodes like Go (cross-checked against blackbox in the differential test)', () => {
    const tmp = tempDir('vigil-x509-');
    try {
      const pki = makePki(tmp.dir);
      const leaf = new X509Certificate(pki.pem('leaf.crt'));
      expect(certNames(leaf.raw)).toEqual({
        subject: 'CN=localhost,OU=Probes,O=Vigil\\, Test,ST=Berlin,C=DE,1.2.840.113549.1.9.1=#0c0f6f7073406578616d706c652e636f6d',
        issuer: 'CN=Vigil Test Intermediate CA',
      });
    } finally {
      tmp.cleanup();
    }
  });

  it('rejects garbage with an Error, never a crash or a hang', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        try {
          certNames(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
        }
      }),
      { numRuns: 2000 },
    );
    // A length field claiming more than the buffer holds.
    expect(() => certNames(Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]))).toThrow(/length|overruns/);
  });
});
