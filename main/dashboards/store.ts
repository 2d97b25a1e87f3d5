/**
 * The dashboard store: `dashboards.sqlite` in the data directory (beside `notify.sqlite`). One
 * row per dashboard with its latest version, every saved version with who/when/message, and
 * stars (also for provisioned dashboards, which live in files). Schema in main/dashboards/FORMAT.md.
 */
import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openStateFile } from '../util/sqlite.js';
import type { Dashboard } from '../../app/dashboards/model.js';

const schemaVersion = 1;

const schema = `
CREATE TABLE IF NOT EXISTS dashboards (
  uid TEXT PRIMARY KEY, title TEXT NOT NULL, tags TEXT NOT NULL, folder TEXT NOT NULL,
  version INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dashboard_versions (
  uid TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL, author TEXT NOT NULL,
  message TEXT NOT NULL, restored_from INTEGER, body TEXT NOT NULL,
  PRIMARY KEY (uid, version));
CREATE TABLE IF NOT EXISTS stars (uid TEXT PRIMARY KEY, at INTEGER NOT NULL);
`;

export interface StoredSummary {
  uid: string;
  title: string;
  tags: string[];
  folder: string;
  version: number;
  updatedMs: number;
  updatedBy: string;
}

export interface StoredVersion {
  version: number;
  createdMs: number;
  author: string;
  message: string;
  restoredFrom: number | null;
}

export interface SaveInput {
  dashboard: Dashboard;
  author: string;
  message: string;
  atMs: number;
  restoredFrom?: number;
  /** Refuse when the latest version is not this one (someone saved in between). */
  baseVersion?: number;
}

export class VersionConflictError extends Error {}

export class DashboardStore {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    // `vigil dashboard import --data DIR` may be the first thing to use a new data directory.
    mkdirSync(dirname(file), { recursive: true });
    // The busy timeout lets `vigil dashboard import` write while a running Vigil holds the file.
    this.db = openStateFile(file, 'the dashboard store', schema, schemaVersion, ['busy_timeout = 5000']);
  }

  close(): void {
    this.db.close();
  }

  list(): StoredSummary[] {
    const rows = this.db.prepare('SELECT uid, title, tags, folder, version, updated_at, updated_by FROM dashboards ORDER BY title COLLATE NOCASE').all() as Array<{
      uid: string;
      title: string;
      tags: string;
      folder: string;
      version: number;
      updated_at: number;
      updated_by: string;
    }>;
    return rows.map((r) => ({ uid: r.uid, title: r.title, tags: JSON.parse(r.tags) as string[], folder: r.folder, version: r.version, updatedMs: r.updated_at, updatedBy: r.updated_by }));
  }

  summary(uid: string): StoredSummary | null {
    return this.list().find((s) => s.uid === uid) ?? null;
  }

  /** The latest version, or the given one; null when there is no such dashboard or version. */
  get(uid: string, version?: number): { dashboard: Dashboard; version: number; createdMs: number; author: string } | null {
    const row = (
      version === undefined
        ? this.db.prepare('SELECT v.version, v.created_at, v.author, v.body FROM dashboards d JOIN dashboard_versions v ON v.uid = d.uid AND v.version = d.version WHERE d.uid = ?').get(uid)
        : this.db.prepare('SELECT version, created_at, author, body FROM dashboard_versions WHERE uid = ? AND version = ?').get(uid, version)
    ) as { version: number; created_at: number; author: string; body: string } | undefined;
    if (row === undefined) return null;
    return { dashboard: JSON.parse(row.body) as Dashboard, version: row.version, createdMs: row.created_at, author: row.author };
  }

  /** Stores a new version (1 for a new dashboard) in one transaction; returns its number. */
  save(input: SaveInput): number {
    return this.db.transaction(() => {
      const d = input.dashboard;
      const current = this.db.prepare('SELECT version, created_at FROM dashboards WHERE uid = ?').get(d.uid) as { version: number; created_at: number } | undefined;
      if (input.baseVersion !== undefined && (current?.version ?? 0) !== input.baseVersion) {
        throw new VersionConflictError(
          `dashboard ${d.uid} changed since version ${input.baseVersion} (now version ${current?.version ?? 0}); reload it, or save as a copy`,
        );
      }
      const version = (current?.version ?? 0) + 1;
      this.db
        .prepare('INSERT INTO dashboard_versions (uid, version, created_at, author, message, restored_from, body) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(d.uid, version, input.atMs, input.author, input.message, input.restoredFrom ?? null, JSON.stringify(d));
      this.db
        .prepare(
          `INSERT INTO dashboards (uid, title, tags, folder, version, created_at, updated_at, updated_by) VALUES (?, ?, ?, 'General', ?, ?, ?, ?)
           ON CONFLICT (uid) DO UPDATE SET title = excluded.title, tags = excluded.tags, version = excluded.version,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        )
        .run(d.uid, d.title, JSON.stringify(d.tags), version, current?.created_at ?? input.atMs, input.atMs, input.author);
      return version;
    })();
  }

  delete(uid: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM dashboard_versions WHERE uid = ?').run(uid);
      this.db.prepare('DELETE FROM stars WHERE uid = ?').run(uid);
      return this.db.prepare('DELETE FROM dashboards WHERE uid = ?').run(uid).changes > 0;
    })();
  }

  versions(uid: string): StoredVersion[] {
    const rows = this.db.prepare('SELECT version, created_at, author, message, restored_from FROM dashboard_versions WHERE uid = ? ORDER BY version DESC').all(uid) as Array<{
      version: number;
      created_at: number;
      author: string;
      message: string;
      restored_from: number | null;
    }>;
    return rows.map((r) => ({ version: r.version, createdMs: r.created_at, author: r.author, message: r.message, restoredFrom: r.restored_from }));
  }

  starred(): Set<string> {
    return new Set((this.db.prepare('SELECT uid FROM stars').all() as Array<{ uid: string }>).map((r) => r.uid));
  }

  star(uid: string, starred: boolean, atMs: number): void {
    if (starred) this.db.prepare('INSERT OR IGNORE INTO stars (uid, at) VALUES (?, ?)').run(uid, atMs);
    else this.db.prepare('DELETE FROM stars WHERE uid = ?').run(uid);
  }
}
