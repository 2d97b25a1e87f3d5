import { describe, it, expect } from 'vitest';
import { alert, harness, names } from './helpers.js';
import { firingAndResolved } from '../../../main/notify/integration.js';
import { fingerprint } from '../../../main/notify/alert.js';

const base = `global:
  resolve_timeout: 1h
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [instance]
receivers:
  - name: team
  - name: pager
`;

const s = 1000;
const m = 60 * s;

describe('dispatcher timing', () => {
  it('waits group_wait, batches changes per group_interval, repeats after repeat_interval, sends resolved', async () => {
    const h = harness(base);
    const t0 = h.clock.now();
    h.dispatcher.put([alert({ alertname: 'Down', instance: 'a' }, t0)]);
    await h.clock.advance(29 * s);
    expect(h.sent).toHaveLength(0);
    await h.clock.advance(1 * s);
    expect(h.sent.map((x) => names(x.n))).toEqual([['Down@a']]);

    // A new alert in the same group waits for the next group_interval tick.
    await h.clock.advance(10 * s);
    h.dispatcher.put([alert({ alertname: 'Down', instance: 'b' }, h.clock.now())]);
    await h.clock.advance(5 * m - 11 * s);
    expect(h.sent).toHaveLength(1);
    await h.clock.advance(1 * s);
    expect(h.sent.map((x) => names(x.n))).toEqual([['Down@a'], ['Down@a', 'Down@b']]);

    // Nothing changes: no notification until repeat_interval has passed since the last one.
    for (let i = 0; i < 11; i++) {
      h.dispatcher.put([alert({ alertname: 'Down', instance: 'a' }, t0), alert({ alertname: 'Down', instance: 'b' }, t0)]);
      await h.clock.advance(5 * m);
    }
    expect(h.sent).toHaveLength(2);
    h.dispatcher.put([alert({ alertname: 'Down', instance: 'a' }, t0), alert({ alertname: 'Down', instance: 'b' }, t0)]);
    await h.clock.advance(5 * m);
    expect(h.sent).toHaveLength(3);

    // One resolves: the receiver hears about it at the next tick.
    const now = h.clock.now();
    h.dispatcher.put([alert({ alertname: 'Down', instance: 'b' }, t0, now), alert({ alertname: 'Down', instance: 'a' }, t0)]);
    await h.clock.advance(5 * m);
    const last = h.sent[h.sent.length - 1]?.n;
    if (last === undefined) throw new Error('no notification');
    const fr = firingAndResolved(last);
    expect(fr.firing.map((a) => a.labels['instance'])).toEqual(['a']);
    expect(fr.resolved.map((a) => a.labels['instance'])).toEqual(['b']);
    await h.delivery.idle();
    expect(h.store.getNlog(last.groupKey, 'team/capture/0')?.resolved).toEqual([fingerprint({ alertname: 'Down', instance: 'b' })]);
  });

  it('flushes at once for an alert older than group_wait and keeps groups apart', async () => {
    const h = harness(base);
    const t0 = h.clock.now();
    h.dispatcher.put([alert({ alertname: 'Old' }, t0 - 10 * m), alert({ alertname: 'Other' }, t0)]);
    await h.clock.advance(0);
    expect(h.sent.map((x) => names(x.n))).toEqual([['Old']]);
    await h.clock.advance(30 * s);
    expect(h.sent.map((x) => names(x.n))).toEqual([['Old'], ['Other']]);
    expect(h.dispatcher.snapshot().map((g) => g.key).sort()).toEqual(['{}:{alertname="Old"}', '{}:{alertname="Other"}']);
  });

  it('times out alerts that are no longer refreshed (resolve_timeout)', async () => {
    const h = harness(base.replace('resolve_timeout: 1h', 'resolve_timeout: 5m'));
    h.dispatcher.put([alert({ alertname: 'Gone' }, h.clock.now())]);
    await h.clock.advance(30 * s);
    await h.clock.advance(5 * m); // 5m30s > resolve_timeout (5m): resolved
    const last = h.sent[h.sent.length - 1]?.n;
    expect(h.sent).toHaveLength(2);
    expect(last && firingAndResolved(last).resolved).toHaveLength(1);
    expect(h.dispatcher.snapshot()).toHaveLength(0);
  });

  it('does not send resolved notifications to receivers that do not want them, but clears the log', async () => {
    const h = harness(base, { sendResolved: false });
    const t0 = h.clock.now();
    h.dispatcher.put([alert({ alertname: 'X' }, t0)]);
    await h.clock.advance(30 * s);
    h.dispatcher.put([alert({ alertname: 'X' }, t0, h.clock.now())]);
    await h.clock.advance(5 * m);
    await h.delivery.idle();
    expect(h.sent).toHaveLength(1);
    expect(h.store.getNlog('{}:{alertname="X"}', 'team/capture/0')?.firing).toEqual([]);
  });
});

describe('inhibition, silences, acknowledgements', () => {
  it('inhibits a warning while a critical alert with the same instance fires', async () => {
    const h = harness(base.replace('group_by: [alertname]', 'group_by: [instance]'));
    const t0 = h.clock.now();
    h.dispatcher.put([
      alert({ alertname: 'DiskFull', severity: 'critical', instance: 'a' }, t0),
      alert({ alertname: 'DiskAlmostFull', severity: 'warning', instance: 'a' }, t0),
      alert({ alertname: 'DiskAlmostFull', severity: 'warning', instance: 'b' }, t0),
    ]);
    await h.clock.advance(30 * s);
    const byReceiver = Object.fromEntries(h.sent.map((x) => [`${x.integration} ${x.n.groupLabels['instance']}`, names(x.n)]));
    expect(byReceiver).toEqual({ 'pager a': ['DiskFull@a'], 'team b': ['DiskAlmostFull@b'] });
    expect(h.dispatcher.muted({ alertname: 'DiskAlmostFull', severity: 'warning', instance: 'a' })).toEqual({ kind: 'inhibited' });
  });

  it('silences matching alerts until the silence is expired; previews matches', async () => {
    const h = harness(base);
    const t0 = h.clock.now();
    const sil = h.silences.add({ matchers: [{ name: 'instance', op: '=~', value: 'a|b' }], startsAtMs: t0, endsAtMs: t0 + 24 * 3600 * s, createdBy: 'me', comment: 'maintenance' });
    const alerts = [alert({ alertname: 'Down', instance: 'a' }, t0), alert({ alertname: 'Down', instance: 'c' }, t0)];
    expect(h.silences.preview(sil.matchers, alerts).map((a) => a.labels['instance'])).toEqual(['a']);
    h.dispatcher.put(alerts);
    await h.clock.advance(30 * s);
    expect(h.sent.map((x) => names(x.n))).toEqual([['Down@c']]);
    expect(h.dispatcher.muted({ alertname: 'Down', instance: 'a' })).toEqual({ kind: 'silenced', ids: [sil.id] });
    h.silences.expire(sil.id);
    expect(h.silences.state(sil)).toBe('active'); // the object passed in is unchanged…
    expect(h.silences.list().map((x) => h.silences.state(x))).toEqual(['expired']); // …the stored one ended
    h.dispatcher.put(alerts);
    await h.clock.advance(5 * m);
    expect(h.sent.map((x) => names(x.n))).toEqual([['Down@c'], ['Down@a', 'Down@c']]);
    expect(() => h.silences.add({ matchers: [{ name: 'x', op: '=~', value: '.*' }], startsAtMs: t0, endsAtMs: t0 + 1, createdBy: '', comment: '' })).toThrow(/mutes everything/);
  });

  it('stops repeats of an acknowledged alert until the group changes', async () => {
    const h = harness(base);
    const t0 = h.clock.now();
    const a = alert({ alertname: 'Down', instance: 'a' }, t0);
    h.dispatcher.put([a]);
    await h.clock.advance(30 * s);
    expect(h.sent).toHaveLength(1);
    h.acks.acknowledge({ fingerprint: fingerprint(a.labels), startsAtMs: t0, atMs: h.clock.now(), by: 'me', comment: 'on it' });
    for (let i = 0; i < 30; i++) {
      h.dispatcher.put([a]);
      await h.clock.advance(5 * m);
    }
    expect(h.sent).toHaveLength(1);
    // A change (a new alert joins the group) notifies despite the acknowledgement.
    h.dispatcher.put([a, alert({ alertname: 'Down', instance: 'b' }, h.clock.now())]);
    await h.clock.advance(5 * m);
    expect(h.sent.map((x) => names(x.n))).toEqual([['Down@a'], ['Down@a', 'Down@b']]);
    // Resolving ends the acknowledgement: the next firing instance pages again.
    h.dispatcher.put([alert({ alertname: 'Down', instance: 'a' }, t0, h.clock.now())]);
    expect(h.acks.get(fingerprint(a.labels))).toBeNull();
  });
});

describe('dispatcher after a sleep', () => {
  it('holds flushes while told to, so an alert left unrefreshed by the sleep is not sent as resolved', async () => {
    let held = false;
    const h = harness(base, { held: () => held });
    const d = h.dispatcher;
    const t0 = h.clock.now();
    // Firing, valid for 4 minutes unless refreshed (as the rules send it).
    d.put([alert({ alertname: 'Down', instance: 'a' }, t0, t0 + 4 * m)]);
    await h.clock.advance(30 * s);
    expect(h.sent.map((x) => names(x.n))).toEqual([['Down@a']]);
    // The machine sleeps an hour: the group_interval flush is due at the wake, while rules wait.
    held = true;
    await h.clock.advance(60 * m);
    await h.clock.advance(5 * s);
    expect(h.sent).toHaveLength(1);
    // The wake re-sends the firing alert, valid from now; then the hold ends.
    d.put([alert({ alertname: 'Down', instance: 'a' }, t0, h.clock.now() + 4 * m)]);
    held = false;
    await h.clock.advance(1 * s);
    expect(h.sent.every((x) => firingAndResolved(x.n).resolved.length === 0)).toBe(true);
  });
});
