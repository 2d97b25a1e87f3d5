import type { WorkbenchApi } from '../../../app/api/channels.js';
import type { InboxAlert } from '../../../app/api/alerts.js';

/** An inbox alert with plausible defaults; tests override what they check. */
export function inboxAlert(labels: Record<string, string>, over: Partial<InboxAlert> = {}): InboxAlert {
  return {
    fingerprint: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','),
    labels,
    annotations: {},
    state: 'firing',
    firstSeenMs: 1_000_000,
    lastChangeMs: 1_000_000,
    history: [],
    notes: [],
    ack: null,
    drill: false,
    flapping: false,
    silencedBy: [],
    expr: 'queue_depth > 100',
    ...over,
  };
}

/**
 * A fake WorkbenchApi: only the channels a test gives exist; every call is recorded, and any
 * other channel throws so a test notices an unexpected call.
 */
export function fakeApi(impl: Partial<WorkbenchApi>): { api: WorkbenchApi; calls: Array<{ name: string; request: unknown }> } {
  const calls: Array<{ name: string; request: unknown }> = [];
  const api = new Proxy({} as WorkbenchApi, {
    get(_t, name: string) {
      return async (request: unknown) => {
        calls.push({ name, request });
        const fn = (impl as Record<string, ((r: unknown) => Promise<unknown>) | undefined>)[name];
        if (!fn) throw new Error(`unexpected call to ${name}`);
        return fn(request);
      };
    },
  });
  return { api, calls };
}
