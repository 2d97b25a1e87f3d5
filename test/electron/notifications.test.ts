import { describe, expect, it } from 'vitest';
import { attachEngineEvents } from '../../main/electron/notifications.js';
import { EngineEvents } from '../../main/events.js';
import { FakeBrowserWindow, Notification } from './fake-electron.js';

type Win = Parameters<typeof attachEngineEvents>[1] extends () => infer W ? W : never;

describe('desktop notifications', () => {
  it('forwards events to the window, shows a notification, and a click opens the alert', () => {
    const events = new EngineEvents();
    const win = new FakeBrowserWindow({});
    const detach = attachEngineEvents((l) => events.subscribe(l), () => win as unknown as Win, Notification);
    events.emit({ type: 'notification', id: 'n1', title: 'HighErrors firing', body: 'errors on a', severity: 'critical', alertFingerprint: 'abc', drill: true });
    expect(win.webContents.sent[0]).toEqual(['vigil:event', expect.objectContaining({ type: 'notification', id: 'n1' })]);
    const shown = Notification.shown.at(-1)!;
    expect(shown.options.title).toBe('[DRILL] HighErrors firing');
    shown.click();
    expect(win.webContents.sent.at(-1)).toEqual(['vigil:event', { type: 'navigate', hash: '#/alerts?alert=abc' }]);
    detach();
    events.emit({ type: 'alertsChanged' });
    expect(win.webContents.sent).toHaveLength(2);
  });
});
