/**
 * The remote data sources: `remote-sources.sqlite` in the data directory (beside
 * `dashboards.sqlite` and `notify.sqlite`), one row per source with its secret. Layout in
 * ./FORMAT.md ("Remote data sources"). Only the engine reads the secrets: `list` answers what the
 * page may see. With a `SecretSealer` (the desktop app: Electron's safeStorage, the OS keychain)
 * secrets are stored sealed; without one (`vigil serve`) in clear, the file readable by its owner only.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { RemoteSource } from '../../app/api/remote-sources.js';
import { openStateFile } from '../util/sqlite.js';

const schemaVersion = 2;
const schema = `
CREATE TABLE IF NOT EXISTS remote_sources (
  uid TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, url TEXT NOT NULL,
  org_id TEXT NOT NULL, headers TEXT NOT NULL, tls_insecure INTEGER NOT NULL, ca_pem TEXT NOT NULL,
  proxy_url TEXT NOT NULL, auth_kind TEXT NOT NULL, username TEXT NOT NULL, secret TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, secret_sealer TEXT NOT NULL DEFAULT '');
`;

/**
 * Seals secrets at rest. `name` is stored beside each sealed secret, so a file sealed by one
 * sealer and opened without it (the desktop app's file under `vigil serve`) says so instead of
 * sending ciphertext as a password.
 */
export interface SecretSealer {
  readonly name: string;
  seal(plain: string): string;
  unseal(sealed: string): string;
}

/** A source with its secret (password or token), as only the engine holds it. */
export interface StoredSource extends Omit<RemoteSource, 'auth'> {
  readonly auth: {
    readonly kind: 'none' | 'basic' | 'bearer';
    readonly username: string;
    readonly secret: string;
    /** Why the stored secret cannot be read here (sealed by another sealer, or unsealing failed); null when it can. */
    readonly unreadable: string | null;
  };
}

/** What a save carries; `secret: undefined` keeps the stored one. */
export type SourceInput = Omit<StoredSource, 'uid' | 'updatedMs' | 'auth'> & {
  readonly uid?: string | undefined;
  readonly auth: { readonly kind: 'none' | 'basic' | 'bearer'; readonly username: string; readonly secret: string | undefined };
};

interface Row {
  uid: string;
  name: string;
  kind: string;
  url: string;
  org_id: string;
  headers: string;
  tls_insecure: number;
  ca_pem: string;
  proxy_url: string;
  auth_kind: string;
  username: string;
  secret: string;
  secret_sealer: string;
  updated_at: number;
}

const fromRow = (r: Row, secret: { secret: string; unreadable: string | null }): StoredSource => ({
  uid: r.uid,
  name: r.name,
  kind: r.kind as StoredSource['kind'],
  url: r.url,
  orgId: r.org_id,
  headers: JSON.parse(r.headers) as Record<string, string>,
  tlsInsecureSkipVerify: r.tls_insecure === 1,
  caPem: r.ca_pem,
  proxyUrl: r.proxy_url,
  auth: { kind: r.auth_kind as StoredSource['auth']['kind'], username: r.username, ...secret },
  updatedMs: r.updated_at,
});

/** What the page sees of a stored source. */
export function publicSource(s: StoredSource): RemoteSource {
  return { ...s, auth: { kind: s.auth.kind, username: s.auth.username, hasSecret: s.auth.secret !== '' || s.auth.unreadable !== null } };
}

export class SourcesStore {
  private readonly db: Database.Database;

  constructor(
    readonly file: string,
    private readonly sealer: SecretSealer | null = null,
  ) {
    this.db = openStateFile(file, 'the remote source store', schema, schemaVersion, ['busy_timeout = 5000']);
    // The file holds passwords and tokens: readable by this user only (no-op where modes do not exist).
    try {
      chmodSync(file, 0o600);
    } catch {
      /* best effort */
    }
    this.upgrade();
  }

  /** Schema 1 → 2 (the sealer column), then seals the secrets stored in clear when there is a sealer. */
  private upgrade(): void {
    this.db.transaction(() => {
      const columns = (this.db.prepare('PRAGMA table_info(remote_sources)').all() as { name: string }[]).map((c) => c.name);
      if (!columns.includes('secret_sealer')) this.db.exec("ALTER TABLE remote_sources ADD COLUMN secret_sealer TEXT NOT NULL DEFAULT ''");
      this.db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?").run(String(schemaVersion), schemaVersion);
      const sealer = this.sealer;
      if (sealer === null) return;
      const clear = this.db.prepare("SELECT uid, secret FROM remote_sources WHERE secret_sealer = '' AND secret != ''").all() as { uid: string; secret: string }[];
      const update = this.db.prepare('UPDATE remote_sources SET secret = ?, secret_sealer = ? WHERE uid = ?');
      for (const r of clear) update.run(sealer.seal(r.secret), sealer.name, r.uid);
    })();
  }

  /** The row's secret in clear, or why it cannot be read here. */
  private secretOf(r: Row): { secret: string; unreadable: string | null } {
    if (r.secret_sealer === '' || r.secret === '') return { secret: r.secret, unreadable: null };
    const where = `the stored ${r.auth_kind === 'basic' ? 'password' : 'token'} of source ${JSON.stringify(r.name)}`;
    if (this.sealer === null || this.sealer.name !== r.secret_sealer) {
      return { secret: '', unreadable: `${where} was sealed by ${r.secret_sealer} (the desktop app's OS keychain) and cannot be read here; enter it again` };
    }
    try {
      return { secret: this.sealer.unseal(r.secret), unreadable: null };
    } catch (err) {
      return { secret: '', unreadable: `${where} cannot be unsealed (${(err as Error).message}); enter it again` };
    }
  }

  private fromRow(r: Row): StoredSource {
    return fromRow(r, this.secretOf(r));
  }

  close(): void {
    this.db.close();
  }

  list(): StoredSource[] {
    return (this.db.prepare('SELECT * FROM remote_sources ORDER BY name COLLATE NOCASE, uid').all() as Row[]).map((r) => this.fromRow(r));
  }

  get(uid: string): StoredSource | null {
    const r = this.row(uid);
    return r === undefined ? null : this.fromRow(r);
  }

  private row(uid: string): Row | undefined {
    return this.db.prepare('SELECT * FROM remote_sources WHERE uid = ?').get(uid) as Row | undefined;
  }

  /** Inserts (new uid when none is given) or updates; returns the stored source. */
  save(input: SourceInput, nowMs: number): StoredSource {
    return this.db.transaction(() => {
      const old = input.uid === undefined ? undefined : this.row(input.uid);
      const uid = input.uid ?? randomBytes(6).toString('base64url');
      // A secret left out keeps the stored one (as stored, sealed or not), unless the auth kind changed.
      let stored: { secret: string; sealer: string };
      if (input.auth.secret === undefined) stored = old !== undefined && old.auth_kind === input.auth.kind ? { secret: old.secret, sealer: old.secret_sealer } : { secret: '', sealer: '' };
      else if (input.auth.secret === '' || this.sealer === null) stored = { secret: input.auth.secret, sealer: '' };
      else stored = { secret: this.sealer.seal(input.auth.secret), sealer: this.sealer.name };
      this.db
        .prepare(
          `INSERT INTO remote_sources (uid, name, kind, url, org_id, headers, tls_insecure, ca_pem, proxy_url, auth_kind, username, secret, secret_sealer, created_at, updated_at)
           VALUES (@uid, @name, @kind, @url, @orgId, @headers, @tls, @caPem, @proxyUrl, @authKind, @username, @secret, @sealer, @now, @now)
           ON CONFLICT (uid) DO UPDATE SET name = excluded.name, kind = excluded.kind, url = excluded.url, org_id = excluded.org_id,
             headers = excluded.headers, tls_insecure = excluded.tls_insecure, ca_pem = excluded.ca_pem, proxy_url = excluded.proxy_url,
             auth_kind = excluded.auth_kind, username = excluded.username, secret = excluded.secret, secret_sealer = excluded.secret_sealer,
             updated_at = excluded.updated_at`,
        )
        .run({
          uid,
          name: input.name,
          kind: input.kind,
          url: input.url,
          orgId: input.orgId,
          headers: JSON.stringify(input.headers),
          tls: input.tlsInsecureSkipVerify ? 1 : 0,
          caPem: input.caPem,
          proxyUrl: input.proxyUrl,
          authKind: input.auth.kind,
          username: input.auth.username,
          secret: stored.secret,
          sealer: stored.sealer,
          now: nowMs,
        });
      return this.get(uid)!;
    })();
  }

  delete(uid: string): boolean {
    return this.db.prepare('DELETE FROM remote_sources WHERE uid = ?').run(uid).changes > 0;
  }
}
