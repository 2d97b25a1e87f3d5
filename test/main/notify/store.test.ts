import { describe, it, expect } from 'vitest';
import { NotifyStore } from '../../../main/notify/store.js';

describe('notification state file', () => {
  it('keeps one queued notification per group and integration, and never lets an older delivery overwrite a newer log entry', () => {
    const s = new NotifyStore(':memory:');
    const first = s.enqueue('g', 'r/webhook/0', '{"v":1}', 1);
    const second = s.enqueue('g', 'r/webhook/0', '{"v":2}', 2);
    s.enqueue('g', 'r/email/0', '{"v":3}', 3);
    expect(s.outboxExists(first)).toBe(false);
    expect(s.outbox().map((r) => r.payload)).toEqual(['{"v":2}', '{"v":3}']);

    s.completeDelivery({ groupKey: 'g', integration: 'r/webhook/0', firing: ['a', 'b'], resolved: [], sentAtMs: 200 }, second);
    expect(s.outboxExists(second)).toBe(false);
    // The superseded first notification succeeds late: its older state must not win.
    s.completeDelivery({ groupKey: 'g', integration: 'r/webhook/0', firing: ['a'], resolved: [], sentAtMs: 100 }, first);
    expect(s.getNlog('g', 'r/webhook/0')).toMatchObject({ firing: ['a', 'b'], sentAtMs: 200 });
    s.completeDelivery({ groupKey: 'g', integration: 'r/webhook/0', firing: [], resolved: ['a', 'b'], sentAtMs: 300 }, null);
    expect(s.getNlog('g', 'r/webhook/0')).toMatchObject({ firing: [], resolved: ['a', 'b'], sentAtMs: 300 });
    expect(s.deleteNlogBefore(301)).toBe(1);
    s.close();
  });
});
