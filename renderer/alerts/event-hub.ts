/**
 * One engine-event subscription shared by the alert views. Each `subscribeEvents` call opens its
 * own EventSource in a browser, and long-lived streams count against the browser's six
 * connections per host; the inbox, the rules page and the toasts share this one instead.
 */
import type { EngineEvent } from '../../app/api/events.js';
import { subscribeEvents } from '../api/client.js';

type Listener = (event: EngineEvent) => void;

const listeners = new Set<Listener>();
let unsubscribe: (() => void) | null = null;

export function onEngineEvent(listener: Listener): () => void {
  listeners.add(listener);
  unsubscribe ??= subscribeEvents((e) => {
    for (const l of [...listeners]) l(e);
  });
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && unsubscribe) {
      unsubscribe();
      unsubscribe = null;
    }
  };
}
