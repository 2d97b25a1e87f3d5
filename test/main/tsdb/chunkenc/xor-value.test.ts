import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BitReader, BitWriter } from '../../../../main/tsdb/chunkenc/bstream.js';
import { XorColumns } from '../../../../main/tsdb/chunkenc/xor-value.js';

/** Interleaves `cols` columns of int32 word pairs through one stream, as histogram chunks do. */
function roundTrip(cols: number, rows: Array<Array<[number, number]>>): Array<Array<[number, number]>> {
  const w = new BitWriter(64);
  const enc = new XorColumns(cols);
  rows.forEach((row, i) => row.forEach(([hi, lo], c) => (i === 0 ? enc.writeFirst(w, c, hi, lo) : enc.write(w, c, hi, lo))));
  const r = new BitReader(w.finish());
  const dec = new XorColumns(cols);
  return rows.map((row, i) =>
    row.map((_, c) => {
      if (i === 0) dec.readFirst(r, c);
      else expect(dec.read(r, c)).toBe(true);
      return [dec.hi[c]!, dec.lo[c]!] as [number, number];
    }),
  );
}

describe('XOR value columns', () => {
  it('give back every word pair of every column, with windows kept apart per column', () => {
    const word = fc.integer({ min: -0x80000000, max: 0x7fffffff });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.array(fc.tuple(word, word), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 50 }), (cols, rows) => {
        const input = rows.map((row) => row.slice(0, cols));
        expect(roundTrip(cols, input)).toEqual(input);
      }),
      { numRuns: 300 },
    );
  });

  it('write reports the meaningful bits it wrote: 0 for a repeat, else the window width', () => {
    const w = new BitWriter(16);
    const x = new XorColumns(1);
    x.writeFirst(w, 0, 0, 0);
    expect(x.write(w, 0, 0, 0)).toBe(0);
    expect(x.write(w, 0, 0, 1)).toBe(33); // leading zeros capped at 31, no trailing zeros
    expect(x.write(w, 0, 0, 3)).toBe(33); // XOR 2 fits the window: reused
    expect(x.write(w, 0, 0, 3 ^ 0x80000000)).toBe(33);
    expect(x.write(w, 0, 0x40000000, 3 ^ 0x80000000)).toBe(1); // a new window: bit 62 alone
  });

  it('refuses a reused window before any window was set', () => {
    const w = new BitWriter(16);
    w.writeBits(0, 32);
    w.writeBits(0, 32);
    w.writeBits(0b10, 2); // '1' changed, '0' reuse the window: none exists yet
    w.writeBits(0, 30);
    const r = new BitReader(w.finish());
    const x = new XorColumns(1);
    x.readFirst(r, 0);
    expect(x.read(r, 0)).toBe(false);
  });
});
