import { describe, expect, it } from 'vitest';
import { LabelPool } from '../../../main/remote/label-pool.js';

describe('label pool of a remote-write queue', () => {
  it('keeps bytes per ref across growth, tells dropped from unknown', () => {
    const pool = new LabelPool();
    const bytesOf = (ref: number) => Uint8Array.from({ length: (ref % 97) + 1 }, (_, i) => (ref + i) & 255);
    for (let ref = 1; ref <= 5000; ref++) pool.set(ref, ref % 7 === 0 ? null : bytesOf(ref));
    const early = pool.get(3);
    for (let ref = 1; ref <= 5000; ref++) {
      if (ref % 7 === 0) expect(pool.get(ref)).toBeNull();
      else expect(pool.get(ref)).toEqual(bytesOf(ref));
    }
    expect(early).toEqual(bytesOf(3));
    expect(pool.get(5001)).toBeUndefined();
    expect(pool.get(10 ** 6)).toBeUndefined();
    expect(pool.get(0)).toBeUndefined();
  });
});
