import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BitReader, BitWriter, bitLength, readSVar, readUVar, writeSVar, writeUVar } from '../../../../main/tsdb/chunkenc/bstream.js';

describe('bstream', () => {
  it('reads back any sequence of fields of any width', () => {
    const field = fc.integer({ min: 0, max: 53 }).chain((n) => fc.tuple(fc.constant(n), fc.bigInt({ min: 0n, max: (1n << BigInt(n)) - 1n })));
    fc.assert(
      fc.property(fc.array(field, { maxLength: 60 }), (fields) => {
        const w = new BitWriter(1);
        for (const [n, x] of fields) w.writeWide(Number(x), n);
        const bytes = w.finish();
        expect(bytes.length).toBe(Math.ceil(fields.reduce((s, [n]) => s + n, 0) / 8));
        const r = new BitReader(bytes);
        for (const [n, x] of fields) expect(r.readWide(n)).toBe(Number(x));
        expect(r.overflow).toBe(false);
      }),
    );
  });

  it('round-trips signed and unsigned variable-width integers up to 2^53', () => {
    fc.assert(
      fc.property(fc.array(fc.maxSafeInteger(), { maxLength: 20 }), (xs) => {
        const w = new BitWriter();
        for (const x of xs) {
          writeSVar(w, x);
          writeUVar(w, Math.abs(x));
        }
        const r = new BitReader(w.finish());
        for (const x of xs) {
          expect(readSVar(r)).toBe(x);
          expect(readUVar(r)).toBe(Math.abs(x));
        }
      }),
    );
  });

  it('reports overflow instead of reading past the end, even inside a larger buffer', () => {
    const buf = Uint8Array.of(0xff, 0xab, 0xff);
    const r = new BitReader(buf, 0, 1);
    expect(r.readBits(8)).toBe(0xff);
    expect(r.overflow).toBe(false);
    expect(r.readBits(4)).toBe(0);
    expect(r.overflow).toBe(true);
    expect(r.readBit()).toBe(0);
  });

  it('measures bit lengths across the 32-bit boundary', () => {
    expect([0, 1, 2, 255, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1].map(bitLength)).toEqual([0, 1, 2, 8, 32, 33, 53]);
  });
});
