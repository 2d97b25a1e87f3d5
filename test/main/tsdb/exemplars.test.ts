import { describe, expect, it } from 'vitest';
import { ExemplarStore } from '../../../main/tsdb/exemplars.js';

const ex = (ts: number) => ({ labels: [{ name: 'trace_id', value: `t${ts}` }], value: ts, ts });

describe('exemplar ring: since (remote write send_exemplars cursor)', () => {
  it('gives the exemplars kept after a sequence number, oldest first, and only those the ring still holds', () => {
    const ring = new ExemplarStore(4, () => [{ name: '__name__', value: 'm' }]);
    expect(ring.lastSeq).toBe(0);
    expect(ring.since(0)).toEqual([]);
    ring.addExemplar(1, ex(1));
    ring.addExemplar(2, ex(2));
    const cursor = ring.lastSeq;
    expect(cursor).toBe(2);
    ring.addExemplar(1, ex(3));
    expect(ring.since(cursor).map((e) => [e.ref, e.exemplar.ts])).toEqual([[1, 3]]);
    ring.addExemplar(1, ex(3)); // a repeat of the newest is not kept again
    expect(ring.lastSeq).toBe(3);
    ring.addExemplar(2, ex(1)); // older than the series' newest: refused
    expect(ring.lastSeq).toBe(3);
    for (let t = 4; t <= 9; t++) ring.addExemplar(t % 2, ex(t));
    // 9 kept in all, the ring holds the newest 4: the rest since 2 was overwritten.
    expect(ring.since(cursor).map((e) => e.exemplar.ts)).toEqual([6, 7, 8, 9]);
    expect(ring.since(ring.lastSeq)).toEqual([]);
    expect(ring.since(7).map((e) => e.exemplar.ts)).toEqual([8, 9]);
  });
});
