/**
 * Gorilla XOR, as Prometheus' tsdb/chunkenc/xor.go: delta-of-delta timestamps in Prometheus'
 * bucket widths, values as the XOR with the previous value's bits inside a leading/trailing-zero
 * window. Values are handled as two uint32 halves of their bit pattern, never as numbers, so
 * every NaN payload (StaleNaN included), −0 and subnormal round-trips bit for bit.
 *
 * Timestamps differ from Prometheus in one way: the escape case ('1111') carries the timestamp
 * itself (sign + 53 bits) rather than a 64-bit delta-of-delta, because a JavaScript number cannot
 * hold every delta-of-delta of safe integers exactly. Both sides do the same float arithmetic,
 * and the encoder only takes a bucket when that arithmetic gives back the timestamp exactly.
 */
import { BitReader, BitWriter } from './bstream.js';
import { type Codec, type DecodeOutcome, HI, LO, wordsOf } from './codec.js';

/** Delta-of-delta buckets: control prefix, its length and the payload width (Prometheus). */
const buckets = [
  { prefix: 0b10, prefixBits: 2, bits: 14, half: 1 << 13 },
  { prefix: 0b110, prefixBits: 3, bits: 17, half: 1 << 16 },
  { prefix: 0b1110, prefixBits: 4, bits: 20, half: 1 << 19 },
] as const;
const ESCAPE = 0b1111;

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
  let hi = words[2 * start + HI]!;
  let lo = words[2 * start + LO]!;
  w.writeBits(hi, 32);
  w.writeBits(lo, 32);
  let lead = 0xff; // no window yet
  let trail = 0;

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
    const vh = words[2 * i + HI]!;
    const vl = words[2 * i + LO]!;
    const xh = (vh ^ hi) >>> 0;
    const xl = (vl ^ lo) >>> 0;
    hi = vh;
    lo = vl;
    if (xh === 0 && xl === 0) {
      w.writeBits(0, 1);
      continue;
    }
    let l = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const tr = xl !== 0 ? 31 - Math.clz32(xl & -xl) : 63 - Math.clz32(xh & -xh);
    if (l > 31) l = 31; // the window start has 5 bits
    let sig: number;
    let shift: number;
    if (lead !== 0xff && l >= lead && tr >= trail) {
      w.writeBits(0b10, 2);
      sig = 64 - lead - trail;
      shift = trail;
    } else {
      lead = l;
      trail = tr;
      sig = 64 - l - tr;
      w.writeBits(0b11, 2);
      w.writeBits(l, 5);
      w.writeBits(sig & 63, 6); // 64 is written as 0
      shift = tr;
    }
    // Write xor >> shift in `sig` bits.
    let sh: number;
    let sl: number;
    if (shift === 0) {
      sh = xh;
      sl = xl;
    } else if (shift >= 32) {
      sh = 0;
      sl = xh >>> (shift - 32);
    } else {
      sh = xh >>> shift;
      sl = ((xl >>> shift) | (xh << (32 - shift))) >>> 0;
    }
    if (sig > 32) {
      w.writeBits(sh, sig - 32);
      w.writeBits(sl, 32);
    } else {
      w.writeBits(sl, sig);
    }
  }
  return w.finish().slice();
}

function decode(body: Uint8Array, count: number, t: Float64Array, v: Float64Array): DecodeOutcome {
  const r = BitReader.shared(body);
  const words = wordsOf(v);
  let prevT = readTimestamp(r);
  let hi = r.readBitsI32(32);
  let lo = r.readBitsI32(32);
  if (r.overflow) return { n: 0, bad: 'truncated' };
  t[0] = prevT;
  words[HI] = hi;
  words[LO] = lo;
  let prevDelta = 0;
  let lead = 0;
  let trail = 0;

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
    if (r.readBit() === 1) {
      let sig: number;
      if (r.readBit() === 1) {
        lead = r.readBits(5);
        sig = r.readBits(6);
        if (sig === 0) sig = 64;
        trail = 64 - lead - sig;
        if (trail < 0) return { n: i, bad: r.overflow ? 'truncated' : 'corrupt' };
      } else {
        sig = 64 - lead - trail;
      }
      let sh = 0;
      let sl: number;
      if (sig > 32) {
        sh = r.readBitsI32(sig - 32);
        sl = r.readBitsI32(32);
      } else {
        sl = r.readBitsI32(sig);
      }
      let xh: number;
      let xl: number;
      if (trail === 0) {
        xh = sh;
        xl = sl;
      } else if (trail >= 32) {
        xh = sl << (trail - 32); // sl has at most 64 - trail bits: nothing is shifted out
        xl = 0;
      } else {
        xh = (sh << trail) | (sl >>> (32 - trail));
        xl = sl << trail;
      }
      // int32 results: uint32s above 2^31 would be boxed as heap numbers in the hot loop.
      hi ^= xh;
      lo ^= xl;
    }
    if (r.overflow) return { n: i, bad: 'truncated' };
    // Only a forged chunk (valid CRC, impossible content) gets here; callers rely on order.
    if (!(prevT > t[i - 1]! && prevT <= Number.MAX_SAFE_INTEGER)) return { n: i, bad: 'corrupt' };
    t[i] = prevT;
    words[2 * i + HI] = hi;
    words[2 * i + LO] = lo;
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
