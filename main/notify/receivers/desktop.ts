/**
 * Desktop notifications: an event on an EventEmitter; the Electron shell listens and shows a
 * native Notification. Keeps main/notify free of `electron`.
 */
import type { EventEmitter } from 'node:events';
import type { DesktopConfig } from '../config.js';
import { common, firingAndResolved, summaryLine, type Integration, type Notification } from '../integration.js';
import { fingerprint } from '../alert.js';

export interface DesktopNotification {
  title: string;
  body: string;
  severity: string;
  groupKey: string;
  firing: number;
  resolved: number;
  /** The alert a click on the notification opens (the first firing one). */
  alertFingerprint: string | null;
  /** Raised by a fire drill. */
  drill: boolean;
}

export const desktopEvent = 'notification';

function desktopNotification(n: Notification): DesktopNotification {
  const { firing, resolved } = firingAndResolved(n);
  const ann = common(n.alerts.map((a) => a.annotations));
  const first = firing[0] ?? resolved[0];
  const body = ann['summary'] ?? ann['description'] ?? first?.annotations['summary'] ?? Object.entries(first?.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
  return {
    title: summaryLine(n),
    body: body.slice(0, 500),
    severity: common(n.alerts.map((a) => a.labels))['severity'] ?? 'none',
    groupKey: n.groupKey,
    firing: firing.length,
    resolved: resolved.length,
    alertFingerprint: first ? fingerprint(first.labels) : null,
    drill: first?.labels['drill'] === 'true',
  };
}

export function desktopIntegration(name: string, cfg: DesktopConfig, emitter: EventEmitter): Integration {
  return {
    name,
    kind: 'desktop',
    sendResolved: cfg.send_resolved,
    send: async (n) => {
      emitter.emit(desktopEvent, desktopNotification(n));
    },
  };
}
