/**
 * The dispatcher: routes alerts into aggregation groups (route × group_by labels) and flushes
 * each group with Alertmanager's timing — group_wait before the first notification,
 * group_interval between checks for changes, repeat_interval for unchanged repeats. Each flush
 * drops silenced and inhibited alerts, asks the notification log whether the receiver needs
 * an update, skips repeats of acknowledged alerts, and hands the rest to Delivery.
 */
import { fingerprint, isResolved, type NotifyAlert } from './alert.js';
import type { Acks } from './acks.js';
import type { Clock, TimerHandle } from './clock.js';
import type { NotifyConfig, Route } from './config.js';
import type { Delivery } from './delivery.js';
import { Inhibitor } from './inhibit.js';
import type { Integration, Notification } from './integration.js';
import { groupKey, groupLabels, matchRoutes } from './route.js';
import type { Silences } from './silences.js';
import type { NlogEntry, NotifyStore } from './store.js';

export interface DispatcherDeps {
  config: NotifyConfig;
  /** Integrations of each receiver, by receiver name. */
  integrations: Map<string, Integration[]>;
  clock: Clock;
  store: NotifyStore;
  delivery: Delivery;
  silences: Silences;
  acks: Acks;
  /** Cap on live alerts, so a runaway rule cannot exhaust memory. */
  maxAlerts?: number;
  /**
   * True while alert state cannot be trusted (after a wake, until fresh data is in): a flush
   * due now waits, so an alert that only went unrefreshed while the machine slept is not sent
   * as resolved. Asked at every flush, which is also how a wake is noticed first.
   */
  held?: () => boolean;
}

/** How often a held flush asks again (ms). */
const heldRetryMs = 1000;

interface Group {
  key: string;
  route: Route;
  labels: Record<string, string>;
  alerts: Map<string, NotifyAlert>;
  timer: TimerHandle | null;
  flushed: boolean;
}

export interface GroupSnapshot {
  key: string;
  receiver: string;
  labels: Record<string, string>;
  alerts: NotifyAlert[];
}

export type MuteReason = { kind: 'silenced'; ids: string[] } | { kind: 'inhibited' } | null;

export class Dispatcher {
  private readonly alerts = new Map<string, NotifyAlert>();
  private readonly groups = new Map<string, Group>();
  private readonly inhibitor: Inhibitor;
  private stopped = false;

  constructor(private readonly d: DispatcherDeps) {
    this.inhibitor = new Inhibitor(d.config.inhibitRules);
  }

  /** Adds or refreshes alerts (as Prometheus re-sends them on every evaluation). */
  put(alerts: readonly NotifyAlert[]): void {
    if (this.stopped) return;
    const now = this.d.clock.now();
    for (const incoming of alerts) {
      const fp = fingerprint(incoming.labels);
      const prev = this.alerts.get(fp);
      if (prev === undefined && this.alerts.size >= (this.d.maxAlerts ?? 100_000)) continue;
      let a: NotifyAlert = { ...incoming, updatedAtMs: now };
      // A refresh of a still-active alert keeps its original start, as Alertmanager merges.
      if (prev !== undefined && !isResolved(prev, now) && prev.startsAtMs < a.startsAtMs) a = { ...a, startsAtMs: prev.startsAtMs };
      if (prev !== undefined && isResolved(a, now) && !isResolved(prev, now)) this.d.acks.clear(fp);
      this.alerts.set(fp, a);
      for (const route of matchRoutes(this.d.config.route, a.labels)) this.insert(route, a, now);
    }
  }

  private insert(route: Route, a: NotifyAlert, now: number): void {
    const labels = groupLabels(route, a.labels);
    const key = groupKey(route, labels);
    let g = this.groups.get(key);
    if (g === undefined) {
      g = { key, route, labels, alerts: new Map(), timer: null, flushed: false };
      this.groups.set(key, g);
      const group = g;
      g.timer = this.d.clock.setTimer(() => this.flush(group), route.groupWaitMs);
    }
    g.alerts.set(fingerprint(a.labels), a);
    // An alert older than group_wait needs no waiting: notify at once (Alertmanager does the same).
    if (!g.flushed && a.startsAtMs + route.groupWaitMs < now && g.timer !== null) {
      this.d.clock.clearTimer(g.timer);
      const group = g;
      g.timer = this.d.clock.setTimer(() => this.flush(group), 0);
    }
  }

  /** Why an alert would not be notified right now, if it would not. */
  muted(labels: Record<string, string>, now = this.d.clock.now()): MuteReason {
    if (this.inhibitor.isInhibited(labels, this.alerts.values(), now)) return { kind: 'inhibited' };
    const ids = this.d.silences.mutedBy(labels, now);
    return ids.length > 0 ? { kind: 'silenced', ids } : null;
  }

  private flush(g: Group): void {
    if (this.stopped) return;
    if (this.d.held?.() === true) {
      g.timer = this.d.clock.setTimer(() => this.flush(g), heldRetryMs);
      return;
    }
    g.timer = null;
    g.flushed = true;
    const now = this.d.clock.now();
    const timeout = this.d.config.global.resolveTimeoutMs;
    // Alerts nobody refreshed within resolve_timeout are considered resolved.
    for (const [fp, a] of g.alerts) {
      if (a.endsAtMs === 0 && a.updatedAtMs + timeout <= now) {
        const ended = { ...a, endsAtMs: a.updatedAtMs + timeout };
        g.alerts.set(fp, ended);
        if (this.alerts.get(fp) === a) this.alerts.set(fp, ended);
      }
    }
    const all = [...g.alerts.values()];
    const visible = all.filter((a) => this.muted(a.labels, now) === null);
    const firing = visible.filter((a) => !isResolved(a, now));
    const resolved = visible.filter((a) => isResolved(a, now));
    const firingFps = firing.map((a) => fingerprint(a.labels));
    const resolvedFps = resolved.map((a) => fingerprint(a.labels));
    for (const integ of this.d.integrations.get(g.route.receiver) ?? []) {
      const entry = this.d.store.getNlog(g.key, integ.name);
      const reason = this.needsUpdate(g, integ, entry, firingFps, resolvedFps, now);
      if (reason === null) continue;
      if (reason === 'repeat' && firing.every((a) => this.d.acks.covers(fingerprint(a.labels), a.startsAtMs))) continue;
      const n: Notification = {
        receiver: g.route.receiver,
        groupKey: g.key,
        groupLabels: g.labels,
        alerts: integ.sendResolved ? visible : firing,
        externalURL: this.d.config.global.externalURL,
        atMs: now,
        validForMs: g.route.repeatIntervalMs + g.route.groupIntervalMs,
      };
      this.d.delivery.enqueue(integ, n, { firing: firingFps, resolved: resolvedFps, basedOnSentAtMs: entry?.sentAtMs ?? null });
    }
    // Resolved alerts have been handed over; forget them so the group can empty out.
    for (const a of all) {
      if (!isResolved(a, now)) continue;
      const fp = fingerprint(a.labels);
      g.alerts.delete(fp);
      if (this.alerts.get(fp) === a && ![...this.groups.values()].some((o) => o !== g && o.alerts.get(fp) === a)) this.alerts.delete(fp);
    }
    if (g.alerts.size === 0) {
      this.groups.delete(g.key);
      return;
    }
    g.timer = this.d.clock.setTimer(() => this.flush(g), g.route.groupIntervalMs);
  }

  /** Alertmanager's DedupStage: null when the receiver already knows this state. */
  private needsUpdate(g: Group, integ: Integration, entry: NlogEntry | null, firing: string[], resolved: string[], now: number): 'change' | 'repeat' | null {
    if (entry === null) return firing.length > 0 ? 'change' : null;
    const prevFiring = new Set(entry.firing);
    if (!firing.every((f) => prevFiring.has(f))) return 'change';
    // All resolved: tell the receiver once, whatever send_resolved says, to clear the log.
    if (firing.length === 0) return entry.firing.length > 0 ? 'change' : null;
    const prevResolved = new Set(entry.resolved);
    if (integ.sendResolved && !resolved.every((r) => prevResolved.has(r))) return 'change';
    return entry.sentAtMs <= now - g.route.repeatIntervalMs ? 'repeat' : null;
  }

  /** Current aggregation groups, for the UI and tests. */
  snapshot(): GroupSnapshot[] {
    return [...this.groups.values()].map((g) => ({ key: g.key, receiver: g.route.receiver, labels: g.labels, alerts: [...g.alerts.values()] }));
  }

  activeAlerts(): NotifyAlert[] {
    return [...this.alerts.values()];
  }

  stop(): void {
    this.stopped = true;
    for (const g of this.groups.values()) if (g.timer !== null) this.d.clock.clearTimer(g.timer);
  }
}
