/**
 * Gorilla XOR, as Prometheus' tsdb/chunkenc/xor.go: delta-of-delta timestamps in Prometheus'
 * bucket widths, values by the one XOR value code (xor-value.ts), which keeps every NaN payload
 * (StaleNaN included), −0 and subnormal bit for bit.
 *
 * Timestamps differ from Prometheus in one way: the escape case ('1111') carries the timestamp
 * itself (sign + 53 bits) rather than a 64-bit delta-of-delta, because a JavaScript number cannot
 * hold every delta-of-delta of safe integers exactly. Both sides do the same float arithmetic,
 * and the encoder only takes a bucket when that arithmetic gives back the timestamp exactly.
 */
import { BitReader, BitWriter } from './bstream.js';
import { type Codec, type DecodeOutcome, HI, LO, wordsOf } from './codec.js';
import { XorColumns } from './xor-value.js';

/** Delta-of-delta buckets: control prefix, its length and the payload width (Prometheus). */
const buckets = [
  { prefix: 0b10, prefixBits: 2, bits: 14, half: 1 << 13 },
  { prefix: 0b110, prefixBits: 3, bits: 17, half: 1 << 16 },
  { prefix: 0b1110, prefixBits: 4, bits: 20, half: 1 << 19 },
] as const;
const ESCAPE = 0b1111;

/** One column serves every chunk: encode and decode run to completion, never interleaved. */
const column = new XorColumns(1);

function writeTimestamp(w: BitWriter, t: number): void {
  w.writeBit(t < 0);
  w.writeWide(Math.abs(t), 53);
}

function readTimestamp(r: BitReader): number {
  const neg = r.readBit();
  const m = r.readWide(53);
  return neg ? -m : m;
}

function encode(t: Float64Array, v: Float64Array, start: number, end: number): Uint8Array {
  const n = end - start;
  const w = new BitWriter(n * 3 + 16);
  const words = wordsOf(v);

  let prevT = t[start]!;
  let prevDelta = 0;
  writeTimestamp(w, prevT);
  const xor = column.reset();
  xor.writeFirst(w, 0, words[2 * start + HI]!, words[2 * start + LO]!);

  for (let i = start + 1; i < end; i++) {
    // Timestamp.
    const ti = t[i]!;
    const dod = ti - prevT - prevDelta;
    let done = false;
    if (dod === 0 && prevT + prevDelta === ti) {
      w.writeBits(0, 1);
      done = true;
    } else if (Number.isInteger(dod) && prevT + (prevDelta + dod) === ti) {
      for (const b of buckets) {
        const half = b.half;
        if (dod > -half && dod <= half) {
          w.writeBits(b.prefix, b.prefixBits);
          w.writeBits(dod < 0 ? dod + 2 * half : dod, b.bits); // two's complement in b.bits
          prevDelta = prevDelta + dod;
          done = true;
          break;
        }
      }
    }
    if (!done) {
      w.writeBits(ESCAPE, 4);
      writeTimestamp(w, ti);
      prevDelta = ti - prevT;
    }
    prevT = ti;

    // Value.
    xor.write(w, 0, words[2 * i + HI]!, words[2 * i + LO]!);
  }
  return w.finish().slice();
}

function decode(body: Uint8Array, count: number, t: Float64Array, v: Float64Array): DecodeOutcome {
  const r = BitReader.shared(body);
  const words = wordsOf(v);
  let prevT = readTimestamp(r);
  const xor = column.reset();
  xor.readFirst(r, 0);
  if (r.overflow) return { n: 0, bad: 'truncated' };
  t[0] = prevT;
  words[HI] = xor.hi[0]!;
  words[LO] = xor.lo[0]!;
  let prevDelta = 0;

  for (let i = 1; i < count; i++) {
    // Timestamp: count the control prefix's 1 bits (at most 4).
    let ones = 0;
    while (ones < 4 && r.readBit() === 1) ones++;
    if (ones === 0) {
      prevT = prevT + prevDelta;
    } else if (ones < 4) {
      const b = buckets[ones - 1]!;
      let dod = r.readBits(b.bits);
      if (dod > b.half) dod -= 2 * b.half;
      prevDelta = prevDelta + dod;
      prevT = prevT + prevDelta;
    } else {
      const ti = readTimestamp(r);
      prevDelta = ti - prevT;
      prevT = ti;
    }

    // Value.
    if (!xor.read(r, 0)) return { n: i, bad: r.overflow ? 'truncated' : 'corrupt' };
    if (r.overflow) return { n: i, bad: 'truncated' };
    // Only a forged chunk (valid CRC, impossible content) gets here; callers rely on order.
    if (!(prevT > t[i - 1]! && prevT <= Number.MAX_SAFE_INTEGER)) return { n: i, bad: 'corrupt' };
    t[i] = prevT;
    words[2 * i + HI] = xor.hi[0]!;
    words[2 * i + LO] = xor.lo[0]!;
  }
  return { n: count, bad: null };
}

/**
 * Every sample after the first costs at least 1 timestamp bit, and 1 value bit when the value
 * repeats or 3 ('10' + one meaningful bit) when it changes.
 */
function minBodyBytes(_t: Float64Array, v: Float64Array, start: number, end: number): number {
  const words = wordsOf(v);
  let bits = 54 + 64;
  for (let i = start + 1; i < end; i++) {
    const same = words[2 * i] === words[2 * i - 2] && words[2 * i + 1] === words[2 * i - 1];
    bits += same ? 2 : 4;
  }
  return Math.ceil(bits / 8);
}

export const xorCodec: Codec = { name: 'XOR', encode, decode, minBodyBytes };
