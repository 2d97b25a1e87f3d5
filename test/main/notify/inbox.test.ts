import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Acks } from '../../../main/notify/acks.js';
import { Inbox } from '../../../main/notify/inbox.js';
import { NotifyStore } from '../../../main/notify/store.js';
import { Silences } from '../../../main/notify/silences.js';
import { fingerprint } from '../../../main/notify/alert.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function file(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-inbox-'));
  dirs.push(d);
  return join(d, 'notify.sqlite');
}

const labels = { alertname: 'Down', instance: 'a' };
const m = 60_000;

describe('inbox', () => {
  it('keeps state history, notes, acknowledgements and the drill flag across a restart', () => {
    const f = file();
    const store = new NotifyStore(f);
    const inbox = new Inbox(new Acks(store), store);
    inbox.record(labels, {}, 'pending', 0);
    inbox.record(labels, { summary: 's' }, 'firing', 1 * m, { startsAtMs: 1 * m });
    const fp = fingerprint(labels);
    inbox.addNote(fp, 'me', 'looking', 2 * m);
    inbox.acknowledge(fp, 'me', 'on it', 3 * m);
    inbox.record({ alertname: 'Drill' }, {}, 'firing', 4 * m, { drill: true });
    store.close();

    const store2 = new NotifyStore(f);
    const again = new Inbox(new Acks(store2), store2);
    const a = again.get(fp);
    expect(a?.history.map((h) => h.state)).toEqual(['pending', 'firing']);
    expect(a?.annotations).toEqual({ summary: 's' });
    expect(a?.notes).toEqual([{ atMs: 2 * m, author: 'me', text: 'looking' }]);
    expect(a?.ack).toMatchObject({ by: 'me', comment: 'on it', startsAtMs: 1 * m });
    expect(again.list({ drill: true }).map((x) => x.labels['alertname'])).toEqual(['Drill']);
    expect(again.list({ states: ['firing'] })).toHaveLength(2);
    // Resolving ends the acknowledgement.
    again.record(labels, {}, 'resolved', 5 * m);
    expect(again.get(fp)?.ack).toBeNull();
    expect(() => again.acknowledge(fp, 'me', '', 6 * m)).toThrow(/resolved/);
    store2.close();
  });

  it('flags flapping: at least N state changes within the window', () => {
    const inbox = new Inbox(new Acks(), null, { flapChanges: 4, flapWindowMs: 10 * m });
    const states = ['firing', 'resolved', 'firing', 'resolved'] as const;
    states.forEach((s, i) => inbox.record(labels, {}, s, i * m));
    expect(inbox.get(fingerprint(labels))?.flapping).toBe(false); // 3 changes
    inbox.record(labels, {}, 'firing', 4 * m);
    expect(inbox.get(fingerprint(labels))?.flapping).toBe(true); // 4 changes in 10m
    inbox.record(labels, {}, 'firing', 60 * m); // no change, but the window has moved on
    expect(inbox.get(fingerprint(labels))?.flapping).toBe(false);
    expect(() => inbox.addNote('nope', 'me', 'x', 0)).toThrow(/no alert with fingerprint nope/);
  });

  it('persists silences', () => {
    const f = file();
    const store = new NotifyStore(f);
    let now = 1000;
    const s = new Silences(() => now, store);
    const sil = s.add({ matchers: [{ name: 'instance', op: '=', value: 'a' }], startsAtMs: 0, endsAtMs: 10_000, createdBy: 'me', comment: 'c' });
    expect(s.mutedBy(labels)).toEqual([sil.id]);
    store.close();
    const store2 = new NotifyStore(f);
    const s2 = new Silences(() => now, store2);
    expect(s2.mutedBy(labels)).toEqual([sil.id]);
    now = 2000;
    s2.expire(sil.id);
    expect(s2.mutedBy(labels)).toEqual([]);
    expect(() => s2.expire('missing')).toThrow(/not found/);
    expect(() => s2.add({ matchers: [], startsAtMs: 0, endsAtMs: 1, createdBy: '', comment: '' })).toThrow(/at least one matcher/);
    store2.close();
  });
});
