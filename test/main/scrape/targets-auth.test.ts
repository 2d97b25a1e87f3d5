import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authorizationHeader, nodeTlsOptions } from '../../../main/scrape/targets-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tls = { caFile: '', certFile: '', keyFile: '', serverName: '', insecureSkipVerify: false, minVersion: '' };

describe('targets-auth', () => {
  it('builds Basic and Bearer headers, reading *_file secrets on each call', async () => {
    expect(await authorizationHeader({ kind: 'none' })).toBeUndefined();
    expect(await authorizationHeader({ kind: 'basic', username: 'u', password: 'p', passwordFile: '' })).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'one\n');
    const auth = { kind: 'authorization', type: 'Bearer', credentials: '', credentialsFile: tokenFile } as const;
    expect(await authorizationHeader(auth)).toBe('Bearer one');
    writeFileSync(tokenFile, 'two');
    expect(await authorizationHeader(auth)).toBe('Bearer two');
    await expect(authorizationHeader({ ...auth, credentialsFile: join(dir, 'missing') })).rejects.toThrow(/cannot read authorization credentials_file .*missing/);
  });

  it('maps tls settings onto node options', async () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, 'PEM');
    const o = await nodeTlsOptions({ ...tls, caFile: ca, serverName: 'x.example', insecureSkipVerify: true, minVersion: 'TLS12' });
    expect(o).toEqual({ ca: Buffer.from('PEM'), servername: 'x.example', rejectUnauthorized: false, minVersion: 'TLSv1.2' });
    expect((await nodeTlsOptions({ ...tls, cert: 'C', key: 'K' })).cert?.toString()).toBe('C');
    await expect(nodeTlsOptions({ ...tls, keyFile: join(dir, 'nokey') })).rejects.toThrow('cannot read tls_config key_file');
  });
});
