/**
 * The remote data sources: `remote-sources.sqlite` in the data directory (beside
 * `dashboards.sqlite` and `notify.sqlite`), one row per source with its secret. Layout in
 * ./FORMAT.md ("Remote data sources"). Only the engine reads the secrets: `list` answers what the
 * page may see.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { RemoteSource } from '../../app/api/remote-sources.js';
import { openStateFile } from '../util/sqlite.js';

const schemaVersion = 1;
const schema = `
CREATE TABLE IF NOT EXISTS remote_sources (
  uid TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, url TEXT NOT NULL,
  org_id TEXT NOT NULL, headers TEXT NOT NULL, tls_insecure INTEGER NOT NULL, ca_pem TEXT NOT NULL,
  proxy_url TEXT NOT NULL, auth_kind TEXT NOT NULL, username TEXT NOT NULL, secret TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
`;

/** A source with its secret (password or token), as only the engine holds it. */
export interface StoredSource extends Omit<RemoteSource, 'auth'> {
  readonly auth: { readonly kind: 'none' | 'basic' | 'bearer'; readonly username: string; readonly secret: string };
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
  updated_at: number;
}

const fromRow = (r: Row): StoredSource => ({
  uid: r.uid,
  name: r.name,
  kind: r.kind as StoredSource['kind'],
  url: r.url,
  orgId: r.org_id,
  headers: JSON.parse(r.headers) as Record<string, string>,
  tlsInsecureSkipVerify: r.tls_insecure === 1,
  caPem: r.ca_pem,
  proxyUrl: r.proxy_url,
  auth: { kind: r.auth_kind as StoredSource['auth']['kind'], username: r.username, secret: r.secret },
  updatedMs: r.updated_at,
});

/** What the page sees of a stored source. */
export function publicSource(s: StoredSource): RemoteSource {
  return { ...s, auth: { kind: s.auth.kind, username: s.auth.username, hasSecret: s.auth.secret !== '' } };
}

export class SourcesStore {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    this.db = openStateFile(file, 'the remote source store', schema, schemaVersion, ['busy_timeout = 5000']);
    // The file holds passwords and tokens: readable by this user only (no-op where modes do not exist).
    try {
      chmodSync(file, 0o600);
    } catch {
      /* best effort */
    }
  }

  close(): void {
    this.db.close();
  }

  list(): StoredSource[] {
    return (this.db.prepare('SELECT * FROM remote_sources ORDER BY name COLLATE NOCASE, uid').all() as Row[]).map(fromRow);
  }

  get(uid: string): StoredSource | null {
    const r = this.db.prepare('SELECT * FROM remote_sources WHERE uid = ?').get(uid) as Row | undefined;
    return r === undefined ? null : fromRow(r);
  }

  /** Inserts (new uid when none is given) or updates; returns the stored source. */
  save(input: SourceInput, nowMs: number): StoredSource {
    return this.db.transaction(() => {
      const old = input.uid === undefined ? null : this.get(input.uid);
      const uid = input.uid ?? randomBytes(6).toString('base64url');
      // A secret left out keeps the stored one, unless the auth kind changed.
      const secret = input.auth.secret ?? (old !== null && old.auth.kind === input.auth.kind ? old.auth.secret : '');
      this.db
        .prepare(
          `INSERT INTO remote_sources (uid, name, kind, url, org_id, headers, tls_insecure, ca_pem, proxy_url, auth_kind, username, secret, created_at, updated_at)
           VALUES (@uid, @name, @kind, @url, @orgId, @headers, @tls, @caPem, @proxyUrl, @authKind, @username, @secret, @now, @now)
           ON CONFLICT (uid) DO UPDATE SET name = excluded.name, kind = excluded.kind, url = excluded.url, org_id = excluded.org_id,
             headers = excluded.headers, tls_insecure = excluded.tls_insecure, ca_pem = excluded.ca_pem, proxy_url = excluded.proxy_url,
             auth_kind = excluded.auth_kind, username = excluded.username, secret = excluded.secret, updated_at = excluded.updated_at`,
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
          secret,
          now: nowMs,
        });
      return this.get(uid)!;
    })();
  }

  delete(uid: string): boolean {
    return this.db.prepare('DELETE FROM remote_sources WHERE uid = ?').run(uid).changes > 0;
  }
}
