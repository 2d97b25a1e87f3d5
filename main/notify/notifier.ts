/**
 * Wires the notification pipeline together: config → integrations → dispatcher, with one
 * state file for the notification log, outbox, silences, acknowledgements and inbox.
 */
import { EventEmitter } from 'node:events';
import { Acks } from './acks.js';
import { systemClock, type Clock } from './clock.js';
import type { NotifyConfig } from './config.js';
import { Delivery } from './delivery.js';
import { Dispatcher } from './dispatcher.js';
import { Inbox, inboxIntegration, type InboxOptions } from './inbox.js';
import type { Integration } from './integration.js';
import { alertmanagerIntegration } from './receivers/alertmanager.js';
import { desktopIntegration } from './receivers/desktop.js';
import { emailIntegration } from './receivers/email.js';
import { pagerdutyIntegration } from './receivers/pagerduty.js';
import { webhookIntegration } from './receivers/webhook.js';
import type { BackoffOptions } from './retry.js';
import { Silences } from './silences.js';
import { NotifyStore } from './store.js';
import { silentLogger, type Logger } from '../util/log.js';

export interface NotifierOptions {
  config: NotifyConfig;
  /** The SQLite state file; ':memory:' for tests that need no restart. */
  stateFile: string;
  clock?: Clock;
  log?: Logger;
  backoff?: BackoffOptions;
  /** Receives desktop notifications (`'notification'` events). */
  desktop?: EventEmitter;
  inbox?: Partial<InboxOptions>;
  /** Flushes wait while this is true (after a wake; main/notify/dispatcher.ts). */
  held?: () => boolean;
}

export interface Notifier {
  dispatcher: Dispatcher;
  delivery: Delivery;
  silences: Silences;
  acks: Acks;
  inbox: Inbox;
  store: NotifyStore;
  desktop: EventEmitter;
  integrations: Map<string, Integration[]>;
  /** Stops timers and retries; undelivered notifications stay queued for the next start. */
  close(): Promise<void>;
}

function buildIntegrations(config: NotifyConfig, deps: { desktop: EventEmitter; inbox: Inbox }): Map<string, Integration[]> {
  const out = new Map<string, Integration[]>();
  for (const [name, r] of config.receivers) {
    const list: Integration[] = [];
    (r.webhook_configs ?? []).forEach((c, i) => list.push(webhookIntegration(`${name}/webhook/${i}`, c)));
    (r.email_configs ?? []).forEach((c, i) => list.push(emailIntegration(`${name}/email/${i}`, c, config.global)));
    (r.pagerduty_configs ?? []).forEach((c, i) => list.push(pagerdutyIntegration(`${name}/pagerduty/${i}`, c, config.global.pagerduty_url)));
    (r.desktop_configs ?? []).forEach((c, i) => list.push(desktopIntegration(`${name}/desktop/${i}`, c, deps.desktop)));
    (r.alertmanager_configs ?? []).forEach((c, i) => list.push(alertmanagerIntegration(`${name}/alertmanager/${i}`, c)));
    if (r.inbox === true) list.push(inboxIntegration(`${name}/inbox/0`, deps.inbox));
    out.set(name, list);
  }
  return out;
}

export function createNotifier(o: NotifierOptions): Notifier {
  const clock = o.clock ?? systemClock;
  const log = o.log ?? silentLogger;
  const store = new NotifyStore(o.stateFile);
  const acks = new Acks(store);
  const inbox = new Inbox(acks, store, o.inbox);
  const silences = new Silences(() => clock.now(), store);
  const desktop = o.desktop ?? new EventEmitter();
  const integrations = buildIntegrations(o.config, { desktop, inbox });
  const byName = new Map([...integrations.values()].flat().map((i) => [i.name, i]));
  const delivery = new Delivery({ store, clock, log, ...(o.backoff !== undefined ? { backoff: o.backoff } : {}), integration: (n) => byName.get(n) });
  const dispatcher = new Dispatcher({ config: o.config, integrations, clock, store, delivery, silences, acks, ...(o.held ? { held: o.held } : {}) });
  delivery.resume();
  // The notification log only needs to outlive the longest repeat_interval; Alertmanager keeps 120h.
  const nlogRetentionMs = 120 * 3600_000;
  let gcTimer = clock.setTimer(function gc() {
    store.deleteNlogBefore(clock.now() - nlogRetentionMs);
    gcTimer = clock.setTimer(gc, 3600_000);
  }, 3600_000);
  return {
    dispatcher,
    delivery,
    silences,
    acks,
    inbox,
    store,
    desktop,
    integrations,
    async close() {
      clock.clearTimer(gcTimer);
      dispatcher.stop();
      delivery.stop();
      await delivery.idle();
      store.close();
    },
  };
}
