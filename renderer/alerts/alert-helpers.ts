/**
 * Pure helpers behind the Alerts inbox: matchers pre-filled from an alert's labels, grouping,
 * silence durations and the "open in Explore" link. No React, no API: unit-tested directly.
 */
import type { InboxAlert } from '../../app/api/alerts.js';
import { formatMatcher, type LabelMatcher as Matcher } from '../../app/dialect/matcher.js';
import { tryParseDuration } from '../../app/dialect/duration.js';
import { appHash, exploreQuery, parseAppHash } from '../../app/app-urls.js';

export type { LabelMatcher as Matcher } from '../../app/dialect/matcher.js';

/**
 * Labels that identify the alert rather than describe one evaluation: a silence pre-filled from
 * an alert matches on these. `drill` stays so a drill silence never mutes the real alert.
 */
export function matchersFromLabels(labels: Record<string, string>): Matcher[] {
  return Object.keys(labels)
    .sort((a, b) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a.localeCompare(b)))
    .map((name) => ({ name, op: '=' as const, value: labels[name]! }));
}

/** `alertname="X", severity="critical"` — Alertmanager's matcher syntax, for display and filters. */
export function formatMatchers(ms: readonly Matcher[]): string {
  return ms.map(formatMatcher).join(', ');
}

/** Silence durations as amtool reads them (Prometheus durations: `30m`, `1d12h`, `1w`); null when not one, or zero. */
export function parseSilenceDuration(text: string): number | null {
  const ms = tryParseDuration(text.trim());
  return ms === null || ms === 0 ? null : ms;
}

/** When a silence starting at `nowMs` for `duration` ends; null with a readable reason on bad input. */
export function silenceEnd(nowMs: number, duration: string): { endsAtMs: number } | { error: string } {
  const ms = parseSilenceDuration(duration);
  if (ms === null) return { error: `"${duration}" is not a duration: write e.g. 30m, 2h, 1d12h or 1w` };
  return { endsAtMs: nowMs + ms };
}

export const durationPresets = ['30m', '1h', '2h', '4h', '1d', '1w'] as const;

export interface AlertGroup {
  /** `alertname` value, plus the second label's value when grouping by one. */
  key: string;
  alertname: string;
  by: string | null;
  alerts: InboxAlert[];
  /** The most urgent state in the group, for the header. */
  worst: InboxAlert['state'];
}

const stateRank: Record<InboxAlert['state'], number> = { firing: 0, pending: 1, resolved: 2 };

/** Groups by alertname (and optionally another label); firing groups first, then by name. */
export function groupAlerts(alerts: readonly InboxAlert[], byLabel: string | null): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const a of alerts) {
    const alertname = a.labels['alertname'] ?? '(no alertname)';
    const by = byLabel ? (a.labels[byLabel] ?? '') : null;
    const key = by === null ? alertname : `${alertname}\u0000${by}`;
    let g = groups.get(key);
    if (!g) {
      g = { key, alertname, by, alerts: [], worst: 'resolved' };
      groups.set(key, g);
    }
    g.alerts.push(a);
    if (stateRank[a.state] < stateRank[g.worst]) g.worst = a.state;
  }
  for (const g of groups.values()) g.alerts.sort((x, y) => stateRank[x.state] - stateRank[y.state] || y.lastChangeMs - x.lastChangeMs);
  return [...groups.values()].sort((x, y) => stateRank[x.worst] - stateRank[y.worst] || x.alertname.localeCompare(y.alertname) || (x.by ?? '').localeCompare(y.by ?? ''));
}

/**
 * The alert's time window for Explore: from a little before it was first seen to its last
 * change (or now while it is still active), padded so the crossing is visible.
 */
export function alertWindow(a: InboxAlert, nowMs: number): { startMs: number; endMs: number } {
  const end = a.state === 'resolved' ? a.lastChangeMs : nowMs;
  const span = Math.max(end - a.firstSeenMs, 60_000);
  const pad = Math.max(Math.round(span * 0.25), 5 * 60_000);
  return { startMs: Math.floor(a.firstSeenMs - pad), endMs: Math.ceil(Math.min(end + pad, nowMs)) };
}

/** `#/explore?q0=…&start=…&end=…&tab=graph`, or null when the alert has no expression. */
export function exploreHref(a: InboxAlert, nowMs: number): string | null {
  if (a.expr === null || a.expr === '') return null;
  const w = alertWindow(a, nowMs);
  return appHash(exploreQuery(a.expr, { kind: 'absolute', ...w }));
}

/** The `alert=` parameter of `#/alerts?alert=<fingerprint>`, or null. */
export function focusedFingerprint(hash: string): string | null {
  const route = parseAppHash(hash);
  return route?.page === 'alerts' ? (route.alert ?? null) : null;
}
