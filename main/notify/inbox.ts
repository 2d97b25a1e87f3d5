/**
 * The alert inbox: every alert Vigil has seen, with its state history (pending → firing →
 * resolved), notes, acknowledgement, drill flag and flapping verdict. Kept in memory and
 * written through to the notification state file so it survives restarts.
 */
import { fingerprint } from './alert.js';
import type { Ack, Acks } from './acks.js';
import { firingAndResolved, type Integration } from './integration.js';
import type { NotifyStore } from './store.js';

export type InboxState = 'pending' | 'firing' | 'resolved';

interface InboxNote {
  atMs: number;
  author: string;
  text: string;
}

export interface InboxAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: InboxState;
  firstSeenMs: number;
  lastChangeMs: number;
  history: { state: InboxState; atMs: number }[];
  notes: InboxNote[];
  ack: Ack | null;
  /** Raised by a fire drill, not by a real problem. */
  drill: boolean;
  flapping: boolean;
}

export interface InboxOptions {
  /** Flapping: at least this many state changes… */
  flapChanges: number;
  /** …within this window. */
  flapWindowMs: number;
  /** History older than this is dropped (per alert, the last entry is always kept). */
  historyRetentionMs: number;
}

const defaultInboxOptions: InboxOptions = { flapChanges: 4, flapWindowMs: 3600_000, historyRetentionMs: 7 * 86400_000 };

export interface InboxStore {
  record(labels: Record<string, string>, annotations: Record<string, string>, state: InboxState, atMs: number, opts?: { drill?: boolean; startsAtMs?: number }): InboxAlert;
  get(fingerprint: string): InboxAlert | null;
  list(filter?: { states?: InboxState[]; drill?: boolean }): InboxAlert[];
  addNote(fingerprint: string, author: string, text: string, atMs: number): InboxAlert;
  acknowledge(fingerprint: string, by: string, comment: string, atMs: number): InboxAlert;
  unacknowledge(fingerprint: string): InboxAlert;
}

class InboxError extends Error {}

const maxHistoryPerAlert = 1000;

export class Inbox implements InboxStore {
  private readonly alerts = new Map<string, InboxAlert & { startsAtMs: number }>();
  private readonly o: InboxOptions;

  constructor(
    private readonly acks: Acks,
    private readonly store: NotifyStore | null = null,
    opts: Partial<InboxOptions> = {},
  ) {
    this.o = { ...defaultInboxOptions, ...opts };
    const saved = store?.loadInbox();
    for (const r of saved?.alerts ?? []) {
      this.alerts.set(r.fingerprint, { ...r, state: r.state as InboxState, history: [], notes: [], ack: acks.get(r.fingerprint), flapping: false, startsAtMs: r.firstSeenMs });
    }
    for (const h of saved?.history ?? []) this.alerts.get(h.fingerprint)?.history.push({ state: h.state as InboxState, atMs: h.at });
    for (const n of saved?.notes ?? []) this.alerts.get(n.fingerprint)?.notes.push({ atMs: n.at, author: n.author, text: n.text });
    for (const a of this.alerts.values()) a.flapping = this.flapping(a, a.lastChangeMs);
  }

  private flapping(a: InboxAlert, atMs: number): boolean {
    let changes = 0;
    for (let i = 1; i < a.history.length; i++) {
      const h = a.history[i];
      if (h !== undefined && h.atMs > atMs - this.o.flapWindowMs) changes++;
    }
    return changes >= this.o.flapChanges;
  }

  record(labels: Record<string, string>, annotations: Record<string, string>, state: InboxState, atMs: number, opts: { drill?: boolean; startsAtMs?: number } = {}): InboxAlert {
    const fp = fingerprint(labels);
    let a = this.alerts.get(fp);
    if (a === undefined) {
      a = { fingerprint: fp, labels, annotations, state, firstSeenMs: atMs, lastChangeMs: atMs, history: [], notes: [], ack: null, drill: opts.drill ?? false, flapping: false, startsAtMs: opts.startsAtMs ?? atMs };
      this.alerts.set(fp, a);
      a.history.push({ state, atMs });
      this.store?.addInboxHistory(fp, state, atMs);
    } else {
      a.annotations = annotations;
      if (opts.startsAtMs !== undefined) a.startsAtMs = opts.startsAtMs;
      if (opts.drill !== undefined) a.drill = opts.drill;
      if (a.state !== state) {
        a.state = state;
        a.lastChangeMs = atMs;
        a.history.push({ state, atMs });
        if (a.history.length > maxHistoryPerAlert) a.history.splice(0, a.history.length - maxHistoryPerAlert);
        this.store?.addInboxHistory(fp, state, atMs);
        // The alert changed: an acknowledgement of the previous instance no longer applies.
        if (state === 'resolved' && a.ack !== null) {
          this.acks.clear(fp);
          a.ack = null;
        }
      }
    }
    const cutoff = atMs - this.o.historyRetentionMs;
    while (a.history.length > 1 && (a.history[0]?.atMs ?? atMs) < cutoff) a.history.shift();
    a.flapping = this.flapping(a, atMs);
    this.persist(a);
    return a;
  }

  private persist(a: InboxAlert): void {
    this.store?.upsertInboxAlert({ fingerprint: a.fingerprint, labels: a.labels, annotations: a.annotations, state: a.state, firstSeenMs: a.firstSeenMs, lastChangeMs: a.lastChangeMs, drill: a.drill });
  }

  private must(fp: string): InboxAlert & { startsAtMs: number } {
    const a = this.alerts.get(fp);
    if (a === undefined) throw new InboxError(`no alert with fingerprint ${fp} in the inbox`);
    return a;
  }

  get(fp: string): InboxAlert | null {
    return this.alerts.get(fp) ?? null;
  }

  list(filter: { states?: InboxState[]; drill?: boolean } = {}): InboxAlert[] {
    return [...this.alerts.values()]
      .filter((a) => (filter.states === undefined || filter.states.includes(a.state)) && (filter.drill === undefined || a.drill === filter.drill))
      .sort((x, y) => y.lastChangeMs - x.lastChangeMs);
  }

  addNote(fp: string, author: string, text: string, atMs: number): InboxAlert {
    const a = this.must(fp);
    const note = { atMs, author, text: text.slice(0, 10_000) };
    a.notes.push(note);
    this.store?.addInboxNote(fp, atMs, author, note.text);
    return a;
  }

  acknowledge(fp: string, by: string, comment: string, atMs: number): InboxAlert {
    const a = this.must(fp);
    if (a.state === 'resolved') throw new InboxError(`alert ${fp} is resolved; there is nothing to acknowledge`);
    const ack: Ack = { fingerprint: fp, startsAtMs: a.startsAtMs, atMs, by, comment };
    this.acks.acknowledge(ack);
    a.ack = ack;
    return a;
  }

  unacknowledge(fp: string): InboxAlert {
    const a = this.must(fp);
    this.acks.clear(fp);
    a.ack = null;
    return a;
  }
}

/** The `inbox: true` receiver: writes each notified alert's state into the inbox. */
export function inboxIntegration(name: string, inbox: Inbox): Integration {
  return {
    name,
    kind: 'inbox',
    sendResolved: true,
    send: async (n) => {
      const { firing, resolved } = firingAndResolved(n);
      for (const a of firing) inbox.record(a.labels, a.annotations, 'firing', n.atMs, { startsAtMs: a.startsAtMs, drill: a.labels['drill'] === 'true' });
      for (const a of resolved) inbox.record(a.labels, a.annotations, 'resolved', n.atMs);
    },
  };
}
