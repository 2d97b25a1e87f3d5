/**
 * Prometheus' XOR chunk bytes (tsdb/chunkenc/xor.go), as remote read's STREAMED_XOR_CHUNKS
 * carries them: a 2-byte big-endian sample count, then a bit stream (most significant bit first)
 * holding the first timestamp as a signed varint and the first value as 64 bits, the second
 * timestamp as an unsigned varint delta, then delta-of-deltas in Prometheus' buckets ('0',
 * '10'+14, '110'+17, '1110'+20, '1111'+64 bits), and each value after the first as the XOR with
 * the previous one inside a leading/trailing-zero window (the one XOR value code,
 * main/tsdb/chunkenc/xor-value.ts). Vigil's own chunk format (main/tsdb/chunkenc/xor.ts) differs
 * in its header and timestamp escape case, so only the timestamps are written here;
 * test/main/interop/remote-read-streamed.test.ts re-encodes Prometheus 2.42's chunks with it and
 * gets the same bytes.
 */
import { BitReader, BitWriter } from '../tsdb/chunkenc/bstream.js';
import { HI, LO, wordsOf } from '../tsdb/chunkenc/codec.js';
import { XorColumns } from '../tsdb/chunkenc/xor-value.js';

/** Prometheus cuts a head chunk at 120 samples; streamed answers use the same size. */
export const samplesPerChunk = 120;


const buckets = [
  { prefix: 0b10, prefixBits: 2, bits: 14 },
  { prefix: 0b110, prefixBits: 3, bits: 17 },
  { prefix: 0b1110, prefixBits: 4, bits: 20 },
] as const;

/** Go's binary.PutUvarint of a non-negative integer below 2^54, one byte at a time. */
function writeUvarint(w: BitWriter, x: number): void {
  while (x >= 128) {
    w.writeBits((x % 128) | 128, 8);
    x = Math.floor(x / 128);
  }
  w.writeBits(x, 8);
}

function readUvarint(r: BitReader): number {
  let x = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = r.readBits(8);
    x += (b & 127) * mul;
    if (b < 128) return x;
    mul *= 128;
  }
  throw new Error('XOR chunk: varint too long');
}

/** Two's complement of a safe integer in 64 bits, as two uint32 halves. */
function writeInt64(w: BitWriter, x: number): void {
  const u = BigInt.asUintN(64, BigInt(x));
  w.writeBits(Number(u >> 32n), 32);
  w.writeBits(Number(u & 0xffffffffn), 32);
}

function readInt64(r: BitReader): number {
  const hi = BigInt(r.readBits(32));
  const lo = BigInt(r.readBits(32));
  return Number(BigInt.asIntN(64, (hi << 32n) | lo));
}

/** Samples [from, to) of a series (1..65535, timestamps strictly increasing) as one XOR chunk. */
export function encodePromXor(t: ArrayLike<number>, v: Float64Array, from: number, to: number): Uint8Array {
  const n = to - from;
  if (n < 1 || n > 0xffff) throw new Error(`XOR chunk: ${n} samples (1..65535 fit)`);
  const words = wordsOf(v);
  const w = new BitWriter(n * 4 + 32);
  w.writeBits(n, 16);
  const t0 = t[from]!;
  writeUvarint(w, t0 >= 0 ? 2 * t0 : -2 * t0 - 1);
  const xor = new XorColumns(1);
  xor.writeFirst(w, 0, words[2 * from + HI]!, words[2 * from + LO]!);
  let prevT = t0;
  let delta = 0;
  // Go's bstream appends a byte after each whole byte it writes, which the next bit fills: a
  // stream that ends byte-aligned after a whole-byte write ends with that empty byte.
  let lastWholeBytes = true;
  for (let i = from + 1; i < to; i++) {
    const ti = t[i]!;
    if (i === from + 1) {
      delta = ti - prevT;
      writeUvarint(w, delta);
    } else {
      const d = ti - prevT;
      const dod = d - delta;
      delta = d;
      if (dod === 0) w.writeBits(0, 1);
      else {
        const b = buckets.find((x) => dod >= -((1 << (x.bits - 1)) - 1) && dod <= 1 << (x.bits - 1));
        if (b !== undefined) {
          w.writeBits(b.prefix, b.prefixBits);
          w.writeBits(dod < 0 ? dod + (1 << b.bits) : dod, b.bits);
        } else {
          w.writeBits(0b1111, 4);
          writeInt64(w, dod);
        }
      }
    }
    prevT = ti;
    // Value: Prometheus' xorWrite; a stream ending right after whole bytes of bits gets Go's
    // trailing empty byte.
    const sig = xor.write(w, 0, words[2 * i + HI]!, words[2 * i + LO]!);
    lastWholeBytes = sig !== 0 && sig % 8 === 0;
  }
  const bytes = w.finish();
  if (!lastWholeBytes || w.bitLength % 8 !== 0) return bytes.slice();
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** The samples of an XOR chunk; throws on bytes no encoder writes or too few of them. */
export function decodePromXor(bytes: Uint8Array): { t: Float64Array; v: Float64Array } {
  if (bytes.length < 2) throw new Error('XOR chunk: shorter than its header');
  const n = (bytes[0]! << 8) | bytes[1]!;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  if (n === 0) return { t, v };
  const words = wordsOf(v);
  const r = new BitReader(bytes, 2);
  const z = readUvarint(r);
  let prevT = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  const xor = new XorColumns(1);
  xor.readFirst(r, 0);
  t[0] = prevT;
  words[HI] = xor.hi[0]!;
  words[LO] = xor.lo[0]!;
  let delta = 0;
  for (let i = 1; i < n; i++) {
    if (i === 1) delta = readUvarint(r);
    else {
      let ones = 0;
      while (ones < 4 && r.readBit() === 1) ones++;
      if (ones > 0 && ones < 4) {
        const bits = buckets[ones - 1]!.bits;
        let dod = r.readBits(bits);
        if (dod > 1 << (bits - 1)) dod -= 1 << bits;
        delta += dod;
      } else if (ones === 4) delta += readInt64(r);
    }
    prevT += delta;
    if (!xor.read(r, 0) && !r.overflow) throw new Error(`XOR chunk: a value window no encoder writes at sample ${i} of ${n}`);
    if (r.overflow) throw new Error(`XOR chunk: truncated after ${i} of ${n} samples`);
    t[i] = prevT;
    words[2 * i + HI] = xor.hi[0]!;
    words[2 * i + LO] = xor.lo[0]!;
  }
  return { t, v };
}
