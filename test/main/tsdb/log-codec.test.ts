import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { packRefs, packTimes, unpackBatch } from '../../../main/tsdb/log-codec.js';

describe('log batch packing', () => {
  it('round-trips any batch, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 2 ** 32 - 1 }), fc.integer({ min: -1e12, max: 1e13 }), fc.double()), { maxLength: 50 }),
        fc.boolean(),
        fc.boolean(),
        (rows, consecutive, sameTime) => {
          const n = rows.length;
          const refs = Uint32Array.from(rows, ([r], i) => (consecutive ? 7 + i : r));
          const t = Float64Array.from(rows, ([, t]) => (sameTime ? 1234 : t));
          const v = new Float64Array(n);
          rows.forEach(([, , x], i) => (v[i] = x));
          const out = unpackBatch(n, packRefs(refs), packTimes(t), Buffer.from(v.buffer));
          expect(Array.from(out.refs)).toEqual(Array.from(refs));
          expect(Array.from(out.t)).toEqual(Array.from(t));
          expect(Buffer.from(out.v.buffer, out.v.byteOffset, out.v.byteLength).equals(Buffer.from(v.buffer))).toBe(true);
        },
      ),
    );
  });

  it('stores a scrape-shaped batch in 8 bytes a sample plus 16', () => {
    const n = 1000;
    const refs = Uint32Array.from({ length: n }, (_, i) => 100 + i);
    const t = new Float64Array(n).fill(1_700_000_000_000);
    expect(packRefs(refs).length + packTimes(t).length).toBe(16);
    // A non-consecutive ref list stays raw.
    refs[5] = 3;
    expect(packRefs(refs).length).toBe(4 * n);
  });
});
