import { Acks } from '../../../main/notify/acks.js';
import type { NotifyAlert } from '../../../main/notify/alert.js';
import { FakeClock } from '../../../main/notify/clock.js';
import { parseNotifyConfig, type NotifyConfig } from '../../../main/notify/config.js';
import { Delivery } from '../../../main/notify/delivery.js';
import { Dispatcher } from '../../../main/notify/dispatcher.js';
import type { Integration, Notification } from '../../../main/notify/integration.js';
import { Silences } from '../../../main/notify/silences.js';
import { NotifyStore } from '../../../main/notify/store.js';
import { silentLogger } from '../../../main/util/log.js';

export function config(text: string): NotifyConfig {
  const r = parseNotifyConfig('test.yml', text);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

interface Sent {
  integration: string;
  n: Notification;
}

/** A dispatcher on a fake clock whose receivers record what they were sent. */
export function harness(text: string, opts: { sendResolved?: boolean; held?: () => boolean } = {}) {
  const cfg = config(text);
  const clock = new FakeClock();
  const store = new NotifyStore(':memory:');
  const sent: Sent[] = [];
  const integrations = new Map<string, Integration[]>();
  for (const name of cfg.receivers.keys()) {
    const integ: Integration = {
      name: `${name}/capture/0`,
      kind: 'capture',
      sendResolved: opts.sendResolved ?? true,
      send: async (n) => void sent.push({ integration: name, n }),
    };
    integrations.set(name, [integ]);
  }
  const byName = new Map([...integrations.values()].flat().map((i) => [i.name, i]));
  const delivery = new Delivery({ store, clock, log: silentLogger, integration: (n) => byName.get(n) });
  const silences = new Silences(() => clock.now(), store);
  const acks = new Acks(store);
  const dispatcher = new Dispatcher({ config: cfg, integrations, clock, store, delivery, silences, acks, ...(opts.held ? { held: opts.held } : {}) });
  return { cfg, clock, store, sent, dispatcher, delivery, silences, acks };
}

export function alert(labels: Record<string, string>, startsAtMs: number, endsAtMs = 0, annotations: Record<string, string> = {}): NotifyAlert {
  return { labels, annotations, startsAtMs, endsAtMs, generatorURL: 'http://vigil.local/graph', updatedAtMs: startsAtMs };
}

export const names = (n: Notification): string[] => n.alerts.map((a) => `${a.labels['alertname'] ?? ''}${a.labels['instance'] !== undefined ? '@' + a.labels['instance'] : ''}`).sort();
