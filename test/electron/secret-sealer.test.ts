// Remote sources' secrets at rest: sealed by safeStorage in the desktop shell (here the fake
// `electron` module), in clear with mode 0600 under `vigil serve`; a file written by one and read by
// the other says what happened instead of sending ciphertext as a password.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteSources } from '../../main/api/remote-sources.js';
import { safeStorageSealer, safeStorageSealerName } from '../../main/electron/secret-sealer.js';
import { silentLogger } from '../../main/util/log.js';
import { publicSource, SourcesStore, type SourceInput } from '../../main/remote/sources-store.js';
import { tempDir } from '../main/helpers.js';
import { safeStorage } from './fake-electron.js';

const source = (secret: string | undefined): SourceInput => ({
  name: 'Mimir',
  kind: 'mimir',
  url: 'http://127.0.0.1:1',
  orgId: '',
  headers: {},
  tlsInsecureSkipVerify: false,
  caPem: '',
  proxyUrl: '',
  auth: { kind: 'basic', username: 'me', secret },
});

const rawSecrets = (file: string): { secret: string; secret_sealer: string }[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT secret, secret_sealer FROM remote_sources ORDER BY uid').all() as { secret: string; secret_sealer: string }[];
  } finally {
    db.close();
  }
};

describe('remote source secrets at rest', () => {
  const dirs: (() => void)[] = [];
  afterEach(() => {
    for (const c of dirs.splice(0)) c();
    safeStorage.available = true;
    safeStorage.backend = 'gnome_libsecret';
  });
  const fileIn = () => {
    const t = tempDir('vigil-sealed-');
    dirs.push(t.cleanup);
    return join(t.dir, 'remote-sources.sqlite');
  };

  it('safeStorage seals only where the OS really encrypts', () => {
    expect(safeStorageSealer(safeStorage, 'linux').sealer?.name).toBe(safeStorageSealerName);
    safeStorage.backend = 'basic_text';
    expect(safeStorageSealer(safeStorage, 'linux')).toEqual({ sealer: null, reason: expect.stringMatching(/no keyring/) });
    expect(safeStorageSealer(safeStorage, 'darwin').sealer).not.toBeNull();
    safeStorage.available = false;
    expect(safeStorageSealer(safeStorage, 'darwin')).toEqual({ sealer: null, reason: expect.stringMatching(/no encryption/) });
  });

  it('the desktop app seals new secrets and the ones vigil serve stored in clear; the page never sees them', async () => {
    const file = fileIn();
    // `vigil serve`: in clear, the file readable by its owner only.
    const serve = new SourcesStore(file);
    const a = serve.save(source('pa55word'), 1);
    serve.close();
    expect(rawSecrets(file)).toEqual([{ secret: 'pa55word', secret_sealer: '' }]);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);

    // The desktop app opens it: the clear secret is sealed at once, and still used as before.
    const { sealer } = safeStorageSealer(safeStorage, 'linux');
    const desktop = new SourcesStore(file, sealer);
    expect(rawSecrets(file)[0]!.secret_sealer).toBe(safeStorageSealerName);
    expect(rawSecrets(file)[0]!.secret).not.toContain('pa55word');
    expect(desktop.get(a.uid)!.auth).toEqual({ kind: 'basic', username: 'me', secret: 'pa55word', unreadable: null });
    const b = desktop.save(source('t0ken-secret'), 2);
    // A save without the secret keeps the sealed one.
    desktop.save({ ...source(undefined), uid: b.uid, name: 'Mimir 2' }, 3);
    expect(desktop.get(b.uid)!.auth.secret).toBe('t0ken-secret');
    const page = JSON.stringify(desktop.list().map(publicSource));
    expect(page).not.toMatch(/pa55word|t0ken-secret/);
    expect(desktop.list().map((s) => publicSource(s).auth.hasSecret)).toEqual([true, true]);
    desktop.close();
    const bytes = readFileSync(file).toString('latin1') + (() => {
      try {
        return readFileSync(`${file}-wal`).toString('latin1');
      } catch {
        return '';
      }
    })();
    expect(bytes).not.toContain('t0ken-secret');

    // Back under `vigil serve` (no keychain): the source says its secret cannot be read here.
    const again = new SourcesStore(file);
    const s = again.get(b.uid)!;
    expect(s.auth.secret).toBe('');
    expect(s.auth.unreadable).toMatch(/^the stored password of source "Mimir 2" was sealed by electron-safeStorage .* enter it again$/);
    expect(publicSource(s).auth.hasSecret).toBe(true);
    again.close();
    const sources = RemoteSources.open(dirname(file), 'test', silentLogger)!;
    await expect(sources.query({ query: 'up' }, b.uid)).rejects.toThrow(/source "Mimir 2" was sealed by electron-safeStorage/);
    expect(await sources.testRemoteSource({ uid: b.uid })).toEqual({ ok: false, message: expect.stringMatching(/cannot be read here/) });
    sources.close();
    const again2 = new SourcesStore(file);
    // Entering it again there stores it in clear (vigil serve's way), readable again.
    again2.save({ ...source('n3w'), uid: b.uid }, 4);
    expect(again2.get(b.uid)!.auth).toMatchObject({ secret: 'n3w', unreadable: null });
    again2.close();
  });

  it('a secret the keychain can no longer unseal is named, not sent', () => {
    const file = fileIn();
    const { sealer } = safeStorageSealer(safeStorage, 'darwin');
    const store = new SourcesStore(file, sealer);
    const saved = store.save(source('pw'), 1);
    safeStorage.available = false;
    expect(store.get(saved.uid)!.auth).toMatchObject({ secret: '', unreadable: expect.stringMatching(/cannot be unsealed \(Decryption is not available\.\); enter it again/) });
    store.close();
  });

  it('a schema 1 file (before sealing) gains the sealer column and keeps its rows', () => {
    const file = fileIn();
    const db = new Database(file);
    db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema_version', '1');
      CREATE TABLE remote_sources (
        uid TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, url TEXT NOT NULL,
        org_id TEXT NOT NULL, headers TEXT NOT NULL, tls_insecure INTEGER NOT NULL, ca_pem TEXT NOT NULL,
        proxy_url TEXT NOT NULL, auth_kind TEXT NOT NULL, username TEXT NOT NULL, secret TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      INSERT INTO remote_sources VALUES ('old', 'Old', 'prometheus', 'http://x', '', '{}', 0, '', '', 'bearer', '', 'tok', 1, 1);`);
    db.close();
    const store = new SourcesStore(file, safeStorageSealer(safeStorage, 'darwin').sealer);
    expect(store.get('old')!.auth).toEqual({ kind: 'bearer', username: '', secret: 'tok', unreadable: null });
    store.close();
    expect(rawSecrets(file)[0]!.secret).not.toBe('tok');
    const meta = new Database(file, { readonly: true });
    expect(meta.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({ value: '2' });
    meta.close();
  });
});
