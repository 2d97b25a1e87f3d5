/**
 * Delivers notifications at least once: each one is written to the outbox before the first
 * attempt and removed in the same transaction that records it in the notification log. A newer
 * notification for the same group and integration supersedes a queued one, so a receiver that
 * is down for a while gets one catch-up notification, not a backlog. After a restart, `resume`
 * re-sends what the outbox still holds.
 */
import type { Clock } from './clock.js';
import type { Integration, Notification } from './integration.js';
import { defaultBackoff, withRetries, type BackoffOptions } from './retry.js';
import type { NotifyStore } from './store.js';
import type { Logger } from '../util/log.js';

export interface DeliveryOptions {
  store: NotifyStore;
  clock: Clock;
  log: Logger;
  backoff?: BackoffOptions;
  /** Resolves an integration by its name (used on resume, after a restart). */
  integration: (name: string) => Integration | undefined;
}

export interface Logged {
  firing: string[];
  resolved: string[];
  /** sentAt of the log entry the dispatcher saw when it decided to notify (null: none). */
  basedOnSentAtMs?: number | null;
}

interface Queued {
  n: Notification;
  logged: Logged;
}

export interface DeliveryStats {
  sent: number;
  failed: number;
  superseded: number;
  attempts: number;
}

export class Delivery {
  readonly stats: DeliveryStats = { sent: 0, failed: 0, superseded: 0, attempts: 0 };
  private readonly inflight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(private readonly o: DeliveryOptions) {}

  /**
   * Queues and starts delivering `n` through `integ`. `logged` is what the notification log
   * records on success (the whole group's firing and resolved fingerprints, even when the
   * integration does not send resolved alerts). A notification without alerts (all resolved,
   * for a receiver that does not want resolved alerts) sends nothing and only records.
   */
  enqueue(integ: Integration, n: Notification, logged: Logged): void {
    if (this.stopped) return;
    const item: Queued = { n, logged };
    const id = this.o.store.enqueue(n.groupKey, integ.name, JSON.stringify(item), this.o.clock.now());
    this.start(integ, item, id);
  }

  /** Re-sends everything left in the outbox by a previous run. */
  resume(): number {
    let count = 0;
    for (const row of this.o.store.outbox()) {
      const integ = this.o.integration(row.integration);
      if (integ === undefined) {
        this.o.log.warn('dropping a queued notification: its receiver is no longer configured', { integration: row.integration, groupKey: row.groupKey });
        this.o.store.dropOutbox(row.id);
        continue;
      }
      this.start(integ, JSON.parse(row.payload) as Queued, row.id);
      count++;
    }
    return count;
  }

  private start(integ: Integration, item: Queued, id: number): void {
    const p = this.run(integ, item, id).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async run(integ: Integration, item: Queued, id: number): Promise<void> {
    const n = item.n;
    const outcome = await withRetries(
      async () => {
        this.stats.attempts++;
        this.o.store.bumpAttempts(id);
        // A superseded attempt may have delivered this same state meanwhile; do not repeat it.
        if (this.alreadyDelivered(integ, item)) return;
        if (n.alerts.length > 0) await integ.send(n, this.abort.signal);
      },
      this.o.clock,
      this.o.backoff ?? defaultBackoff,
      () => this.stopped || !this.o.store.outboxExists(id),
      (e, attempt) => this.o.log.warn('notification attempt failed', { integration: integ.name, groupKey: n.groupKey, attempt, error: e.message }),
      this.abort.signal,
    );
    if (this.stopped) return;
    if (outcome.ok) {
      this.o.store.completeDelivery({ groupKey: n.groupKey, integration: integ.name, firing: item.logged.firing, resolved: item.logged.resolved, sentAtMs: n.atMs }, id);
      this.stats.sent++;
      return;
    }
    if (!this.o.store.outboxExists(id)) {
      this.stats.superseded++;
      return;
    }
    this.stats.failed++;
    this.o.store.dropOutbox(id);
    this.o.log.error('notification not delivered; giving up', { integration: integ.name, groupKey: n.groupKey, attempts: outcome.attempts, error: outcome.error.message, permanent: outcome.permanent });
  }

  private alreadyDelivered(integ: Integration, item: Queued): boolean {
    const basedOn = item.logged.basedOnSentAtMs;
    if (basedOn === undefined) return false;
    const e = this.o.store.getNlog(item.n.groupKey, integ.name);
    if (e === null || e.sentAtMs === basedOn) return false;
    return sameSet(e.firing, item.logged.firing) && sameSet(e.resolved, item.logged.resolved);
  }

  /** Resolves when nothing is being delivered (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Stops retrying; queued notifications stay in the outbox for the next start. */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}
