import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InboxAlert } from '../../../app/api/alerts.js';
import { inboxAlert } from './fixtures.js';
import {
  alertWindow,
  exploreHref,
  focusedFingerprint,
  formatMatchers,
  groupAlerts,
  matchersFromLabels,
  parseSilenceDuration,
  silenceEnd,
} from '../../../renderer/alerts/alert-helpers.js';
import { parseAppHash } from '../../../app/app-urls.js';


describe('matchersFromLabels', () => {
  it('makes one equality matcher per label, alertname first, the rest sorted', () => {
    const ms = matchersFromLabels({ severity: 'critical', job: 'q', alertname: 'QueueTooDeep' });
    expect(ms).toEqual([
      { name: 'alertname', op: '=', value: 'QueueTooDeep' },
      { name: 'job', op: '=', value: 'q' },
      { name: 'severity', op: '=', value: 'critical' },
    ]);
  });
  it('keeps every label and value exactly (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (labels) => {
        const ms = matchersFromLabels(labels);
        expect(ms.length).toBe(Object.keys(labels).length);
        for (const m of ms) expect(m.value).toBe(labels[m.name]);
      }),
    );
  });
  it('formats in Alertmanager syntax with quoted, escaped values', () => {
    expect(formatMatchers([{ name: 'a', op: '=~', value: 'x"y' }, { name: 'b', op: '!=', value: '' }])).toBe('a=~"x\\"y", b!=""');
  });
});

describe('silence durations', () => {
  it('parses compound durations', () => {
    expect(parseSilenceDuration('30m')).toBe(30 * 60_000);
    expect(parseSilenceDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseSilenceDuration('1w')).toBe(7 * 86_400_000);
    expect(parseSilenceDuration(' 2h ')).toBe(7_200_000);
    expect(parseSilenceDuration('1y')).toBe(365 * 86_400_000); // amtool reads model.ParseDuration, years included
  });
  it('rejects text that is not a duration, and zero', () => {
    for (const bad of ['', '2', 'h', '-1h', '1.5h', '0m', '2 hours', '1h1d']) expect(parseSilenceDuration(bad)).toBeNull();
  });
  it('computes the end from now, or says how to write a duration', () => {
    expect(silenceEnd(5_000, '1m')).toEqual({ endsAtMs: 65_000 });
    const bad = silenceEnd(5_000, 'soon');
    expect('error' in bad && bad.error).toMatch(/"soon" is not a duration.*30m/);
  });
});

describe('groupAlerts', () => {
  const a = inboxAlert({ alertname: 'B', severity: 'warning' }, { state: 'resolved' });
  const b = inboxAlert({ alertname: 'A', severity: 'critical' }, { state: 'pending' });
  const c = inboxAlert({ alertname: 'B', severity: 'critical' }, { state: 'firing' });
  it('groups by alertname, firing groups first, firing alerts first within a group', () => {
    const g = groupAlerts([a, b, c], null);
    expect(g.map((x) => [x.alertname, x.worst, x.alerts.length])).toEqual([
      ['B', 'firing', 2],
      ['A', 'pending', 1],
    ]);
    expect(g[0]!.alerts.map((x) => x.state)).toEqual(['firing', 'resolved']);
  });
  it('splits by a second label when asked', () => {
    const g = groupAlerts([a, b, c], 'severity');
    expect(g.map((x) => `${x.alertname}/${x.by}`)).toEqual(['B/critical', 'A/critical', 'B/warning']);
  });
  it('loses no alert (property)', () => {
    const st = fc.constantFrom<InboxAlert['state']>('firing', 'pending', 'resolved');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('X', 'Y', 'Z'), fc.constantFrom('a', 'b'), st)), fc.boolean(), (rows, split) => {
        const alerts = rows.map(([n, j, s], i) => inboxAlert({ alertname: n, job: j }, { state: s, fingerprint: String(i) }));
        const g = groupAlerts(alerts, split ? 'job' : null);
        expect(g.flatMap((x) => x.alerts.map((y) => y.fingerprint)).sort()).toEqual(alerts.map((y) => y.fingerprint).sort());
      }),
    );
  });
});

describe('Explore link and focus', () => {
  it('covers the alert window and round-trips through the Explore URL state', () => {
    const alert = inboxAlert({ alertname: 'Q' }, { firstSeenMs: 10_000_000, lastChangeMs: 10_060_000, state: 'resolved' });
    const w = alertWindow(alert, 20_000_000);
    expect(w.startMs).toBeLessThan(10_000_000);
    expect(w.endMs).toBeGreaterThan(10_060_000);
    const href = exploreHref(alert, 20_000_000)!;
    expect(href.startsWith('#/explore?')).toBe(true);
    const route = parseAppHash(href);
    if (route?.page !== 'explore') throw new Error(`not an Explore link: ${href}`);
    const view = route.view;
    expect(view.panels[0]!.query).toBe('queue_depth > 100');
    expect(view.range).toEqual({ kind: 'absolute', ...w });
    expect(view.tab).toBe('graph');
  });
  it('ends an active alert window at now, and has no link without an expression', () => {
    const alert = inboxAlert({ alertname: 'Q' }, { firstSeenMs: 1_000, state: 'firing' });
    expect(alertWindow(alert, 500_000).endMs).toBe(500_000);
    expect(exploreHref({ ...alert, expr: null }, 500_000)).toBeNull();
  });
  it('reads the alert= parameter of the route', () => {
    expect(focusedFingerprint('#/alerts?alert=abc123')).toBe('abc123');
    expect(focusedFingerprint('#/alerts')).toBeNull();
  });
});
