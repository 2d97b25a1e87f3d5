/**
 * The notification state file (SQLite via better-sqlite3): the notification log, the outbox of
 * notifications not yet delivered, silences, acknowledgements and the inbox. One small file so
 * a restart resumes exactly where delivery stopped. Schema in main/notify/README.md.
 */
import type Database from 'better-sqlite3';
import { openStateFile } from '../util/sqlite.js';
import type { Silence } from './silences.js';

export interface NlogEntry {
  groupKey: string;
  integration: string;
  firing: string[];
  resolved: string[];
  sentAtMs: number;
}

export interface OutboxRow {
  id: number;
  groupKey: string;
  integration: string;
  payload: string;
  createdAtMs: number;
  attempts: number;
}

export interface AckRow {
  fingerprint: string;
  /** startsAt of the alert instance acknowledged; a new instance (new startsAt) is not covered. */
  startsAtMs: number;
  atMs: number;
  by: string;
  comment: string;
}

const schemaVersion = 1;

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nlog (
  group_key TEXT NOT NULL, integration TEXT NOT NULL,
  firing TEXT NOT NULL, resolved TEXT NOT NULL, sent_at INTEGER NOT NULL,
  PRIMARY KEY (group_key, integration));
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, group_key TEXT NOT NULL, integration TEXT NOT NULL,
  payload TEXT NOT NULL, created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS silences (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS acks (
  fingerprint TEXT PRIMARY KEY, starts_at INTEGER NOT NULL, at INTEGER NOT NULL, by TEXT NOT NULL, comment TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inbox_alerts (
  fingerprint TEXT PRIMARY KEY, labels TEXT NOT NULL, annotations TEXT NOT NULL, state TEXT NOT NULL,
  first_seen INTEGER NOT NULL, last_change INTEGER NOT NULL, drill INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS inbox_history (fingerprint TEXT NOT NULL, state TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS inbox_history_fp ON inbox_history (fingerprint, at);
CREATE TABLE IF NOT EXISTS inbox_notes (fingerprint TEXT NOT NULL, at INTEGER NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL);
`;

export interface InboxAlertRow {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  firstSeenMs: number;
  lastChangeMs: number;
  drill: boolean;
}

export class NotifyStore {
  readonly db: Database.Database;

  constructor(readonly file: string) {
    this.db = openStateFile(file, 'the notification state file', schema, schemaVersion);
  }

  close(): void {
    this.db.close();
  }

  // ---- notification log ----
  getNlog(groupKey: string, integration: string): NlogEntry | null {
    const r = this.db.prepare('SELECT firing, resolved, sent_at FROM nlog WHERE group_key = ? AND integration = ?').get(groupKey, integration) as
      | { firing: string; resolved: string; sent_at: number }
      | undefined;
    if (r === undefined) return null;
    return { groupKey, integration, firing: JSON.parse(r.firing) as string[], resolved: JSON.parse(r.resolved) as string[], sentAtMs: r.sent_at };
  }

  /**
   * Records a delivery and removes its outbox row in one transaction (at-least-once). A late
   * success of a superseded, older notification never overwrites a newer entry.
   */
  readonly completeDelivery = (entry: NlogEntry, outboxId: number | null): void => {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO nlog (group_key, integration, firing, resolved, sent_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (group_key, integration) DO UPDATE SET firing = excluded.firing, resolved = excluded.resolved, sent_at = excluded.sent_at
           WHERE excluded.sent_at >= nlog.sent_at`,
        )
        .run(entry.groupKey, entry.integration, JSON.stringify(entry.firing), JSON.stringify(entry.resolved), entry.sentAtMs);
      if (outboxId !== null) this.db.prepare('DELETE FROM outbox WHERE id = ?').run(outboxId);
    })();
  };

  deleteNlogBefore(ms: number): number {
    return this.db.prepare('DELETE FROM nlog WHERE sent_at < ?').run(ms).changes;
  }

  // ---- outbox ----
  /** Queues a notification; an older queued one for the same group and integration is superseded. */
  enqueue(groupKey: string, integration: string, payload: string, nowMs: number): number {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM outbox WHERE group_key = ? AND integration = ?').run(groupKey, integration);
      return Number(this.db.prepare('INSERT INTO outbox (group_key, integration, payload, created_at) VALUES (?, ?, ?, ?)').run(groupKey, integration, payload, nowMs).lastInsertRowid);
    })();
  }

  outbox(): OutboxRow[] {
    return (this.db.prepare('SELECT id, group_key, integration, payload, created_at, attempts FROM outbox ORDER BY id').all() as {
      id: number;
      group_key: string;
      integration: string;
      payload: string;
      created_at: number;
      attempts: number;
    }[]).map((r) => ({ id: r.id, groupKey: r.group_key, integration: r.integration, payload: r.payload, createdAtMs: r.created_at, attempts: r.attempts }));
  }

  outboxExists(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM outbox WHERE id = ?').get(id) !== undefined;
  }

  bumpAttempts(id: number): void {
    this.db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?').run(id);
  }

  dropOutbox(id: number): void {
    this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
  }

  // ---- silences ----
  loadSilences(): Silence[] {
    return (this.db.prepare('SELECT body FROM silences').all() as { body: string }[]).map((r) => JSON.parse(r.body) as Silence);
  }

  saveSilence(s: Silence): void {
    this.db.prepare('INSERT OR REPLACE INTO silences (id, body) VALUES (?, ?)').run(s.id, JSON.stringify(s));
  }

  // ---- acknowledgements ----
  getAck(fingerprint: string): AckRow | null {
    const r = this.db.prepare('SELECT starts_at, at, by, comment FROM acks WHERE fingerprint = ?').get(fingerprint) as
      | { starts_at: number; at: number; by: string; comment: string }
      | undefined;
    return r === undefined ? null : { fingerprint, startsAtMs: r.starts_at, atMs: r.at, by: r.by, comment: r.comment };
  }

  saveAck(a: AckRow): void {
    this.db.prepare('INSERT OR REPLACE INTO acks (fingerprint, starts_at, at, by, comment) VALUES (?, ?, ?, ?, ?)').run(a.fingerprint, a.startsAtMs, a.atMs, a.by, a.comment);
  }

  deleteAck(fingerprint: string): void {
    this.db.prepare('DELETE FROM acks WHERE fingerprint = ?').run(fingerprint);
  }

  // ---- inbox ----
  upsertInboxAlert(r: InboxAlertRow): void {
    this.db
      .prepare('INSERT OR REPLACE INTO inbox_alerts (fingerprint, labels, annotations, state, first_seen, last_change, drill) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(r.fingerprint, JSON.stringify(r.labels), JSON.stringify(r.annotations), r.state, r.firstSeenMs, r.lastChangeMs, r.drill ? 1 : 0);
  }

  addInboxHistory(fingerprint: string, state: string, atMs: number): void {
    this.db.prepare('INSERT INTO inbox_history (fingerprint, state, at) VALUES (?, ?, ?)').run(fingerprint, state, atMs);
  }

  addInboxNote(fingerprint: string, atMs: number, author: string, text: string): void {
    this.db.prepare('INSERT INTO inbox_notes (fingerprint, at, author, text) VALUES (?, ?, ?, ?)').run(fingerprint, atMs, author, text);
  }

  loadInbox(): { alerts: InboxAlertRow[]; history: { fingerprint: string; state: string; at: number }[]; notes: { fingerprint: string; at: number; author: string; text: string }[] } {
    const alerts = (this.db.prepare('SELECT * FROM inbox_alerts').all() as {
      fingerprint: string;
      labels: string;
      annotations: string;
      state: string;
      first_seen: number;
      last_change: number;
      drill: number;
    }[]).map((r) => ({
      fingerprint: r.fingerprint,
      labels: JSON.parse(r.labels) as Record<string, string>,
      annotations: JSON.parse(r.annotations) as Record<string, string>,
      state: r.state,
      firstSeenMs: r.first_seen,
      lastChangeMs: r.last_change,
      drill: r.drill === 1,
    }));
    const history = this.db.prepare('SELECT fingerprint, state, at FROM inbox_history ORDER BY at, rowid').all() as { fingerprint: string; state: string; at: number }[];
    const notes = this.db.prepare('SELECT fingerprint, at, author, text FROM inbox_notes ORDER BY at, rowid').all() as { fingerprint: string; at: number; author: string; text: string }[];
    return { alerts, history, notes };
  }

  trimInboxHistory(beforeMs: number): void {
    this.db.prepare('DELETE FROM inbox_history WHERE at < ?').run(beforeMs);
  }
}
