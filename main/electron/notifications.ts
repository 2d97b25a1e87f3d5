import type { BrowserWindow, NotificationConstructorOptions } from 'electron';
import { ipcEventChannel, type EngineEvent } from '../../app/api/events.js';
import { appHash } from '../../app/app-urls.js';
import { showRoute } from './window.js';

interface NotificationLike {
  on(event: 'click', listener: () => void): unknown;
  show(): void;
}

export interface NotificationFactory {
  new (options: NotificationConstructorOptions): NotificationLike;
  isSupported(): boolean;
}

/**
 * Forwards engine events to the window and shows alert notifications on the desktop. Clicking a
 * notification brings the window forward and opens the alert in the inbox.
 */
export function attachEngineEvents(
  subscribe: (listener: (event: EngineEvent) => void) => () => void,
  getWindow: () => BrowserWindow | null,
  Notification: NotificationFactory,
  /** While true ("Pause all" in the tray), alerts show no desktop notification. */
  paused: () => boolean = () => false,
): () => void {
  return subscribe((event) => {
    const win = getWindow();
    win?.webContents.send(ipcEventChannel, event);
    if (event.type !== 'notification' || paused() || !Notification.isSupported()) return;
    const n = new Notification({
      title: event.drill ? `[DRILL] ${event.title}` : event.title,
      body: event.body,
      urgency: event.severity === 'critical' ? 'critical' : 'normal',
    });
    n.on('click', () => {
      const w = getWindow();
      if (w) showRoute(w, appHash({ page: 'alerts', ...(event.alertFingerprint ? { alert: event.alertFingerprint } : {}) }));
    });
    n.show();
  });
}
