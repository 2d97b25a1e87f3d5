import { describe, expect, it, vi } from 'vitest';
import { Acks } from '../../../main/notify/acks.js';
import { Inbox } from '../../../main/notify/inbox.js';
import { recordEvaluatedAlerts, type EvaluatedAlert } from '../../../main/notify/inbox-sync.js';

function alerts(n: number, state: EvaluatedAlert['state']): EvaluatedAlert[] {
  return Array.from({ length: n }, (_, i) => ({ labels: { alertname: 'Busy', instance: `host-${i}` }, annotations: {}, state, activeAtMs: 1000 }));
}

describe('recording evaluated alerts in the inbox', () => {
  it('records only changed states and says whether anything changed', () => {
    const inbox = new Inbox(new Acks(null));
    expect(recordEvaluatedAlerts(inbox, alerts(3, 'pending'), 2000)).toBe(true);
    expect(recordEvaluatedAlerts(inbox, alerts(3, 'pending'), 3000)).toBe(false);
    expect(recordEvaluatedAlerts(inbox, alerts(1, 'firing'), 4000)).toBe(true);
    expect(inbox.list().map((a) => [a.labels['instance'], a.state])).toEqual([
      ['host-0', 'firing'],
      ['host-1', 'pending'],
      ['host-2', 'pending'],
    ]);
    recordEvaluatedAlerts(inbox, [{ ...alerts(1, 'inactive')[0]!, labels: { alertname: 'Busy', instance: 'host-1', drill: 'true' } }], 5000);
    expect(inbox.list({ drill: true }).map((a) => a.state)).toEqual(['resolved']);
  });

  // The old bookkeeping copied and sorted the whole inbox once per active alert: with N alerts
  // that is N list() calls of N entries each. Now each alert is one lookup by fingerprint.
  it('does work per active alert, not per alert × inbox size', () => {
    const inbox = new Inbox(new Acks(null));
    const n = 5000;
    recordEvaluatedAlerts(inbox, alerts(n, 'firing'), 2000);
    const list = vi.spyOn(inbox, 'list');
    const get = vi.spyOn(inbox, 'get');
    expect(recordEvaluatedAlerts(inbox, alerts(n, 'firing'), 3000)).toBe(false);
    // No whole-inbox copy and sort (list) per alert: one lookup by fingerprint each.
    expect(list).not.toHaveBeenCalled();
    expect(get).toHaveBeenCalledTimes(n);
  });
});
