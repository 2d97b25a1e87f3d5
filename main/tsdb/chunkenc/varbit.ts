/**
 * Signed variable-width integers inside a bit stream, in Prometheus' varbit buckets
 * (tsdb/chunkenc/varbit.go) up to 25 bits; the widest bucket differs: sign and 53-bit magnitude,
 * because a JavaScript number holds integers exactly only below 2^53. Used by the histogram
 * chunks for timestamp and count deltas-of-deltas, where nearly every value is 0 (one bit).
 */
import type { BitReader, BitWriter } from './bstream.js';

/**
 * Payload bits of bucket k, whose prefix is k+1 ones then a zero; it holds -(2^(b-1)-1) … 2^(b-1).
 * Eight ones are the escape: sign bit and 53-bit magnitude.
 */
const widths = [3, 6, 9, 12, 18, 25] as const;
/** Largest magnitude the escape bucket carries. */
const MAX = Number.MAX_SAFE_INTEGER;

export function writeVarbitInt(w: BitWriter, x: number): void {
  if (x === 0) {
    w.writeBits(0, 1);
    return;
  }
  for (let k = 0; k < widths.length; k++) {
    const b = widths[k]!;
    const half = 2 ** (b - 1);
    if (x > -half && x <= half) {
      // k+1 ones and a zero, then x in b bits two's complement.
      w.writeBits((2 ** (k + 2) - 2) >>> 0, k + 2);
      w.writeBits(x < 0 ? x + 2 * half : x, b);
      return;
    }
  }
  if (!(Math.abs(x) <= MAX) || !Number.isInteger(x)) throw new RangeError(`varbit integer ${x} is not a safe integer`);
  w.writeBits(0xff, 8);
  w.writeBit(x < 0);
  w.writeWide(Math.abs(x), 53);
}

/** Reads what writeVarbitInt wrote; NaN for a prefix no writer makes (a truncated stream sets the reader's `overflow`). */
export function readVarbitInt(r: BitReader): number {
  let ones = 0;
  while (ones < 8 && r.readBit() === 1) ones++;
  if (ones === 0) return 0;
  if (ones <= widths.length) {
    const b = widths[ones - 1]!;
    const half = 2 ** (b - 1);
    const x = r.readBits(b);
    return x > half ? x - 2 * half : x;
  }
  if (ones < 8) return NaN; // seven ones then a zero: no writer makes it
  const neg = r.readBit();
  const m = r.readWide(53);
  return neg ? -m : m;
}
