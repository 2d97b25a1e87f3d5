/**
 * Bit-level I/O for the chunk codecs, most significant bit first (as Prometheus' bstream).
 * Values travel as unsigned integers of at most 32 bits per call; codecs split wider values
 * (64-bit float patterns as two uint32 halves, 53-bit integers as `hi * 2^32 + lo`).
 */

const TWO32 = 4294967296;
const POW2 = Float64Array.from({ length: 33 }, (_, i) => 2 ** i);
let sharedWords: Uint32Array = new Uint32Array(1024);

export class BitWriter {
  private buf: Uint8Array;
  private byte = 0; // index of the byte being filled
  private bit = 0; // bits already used in that byte (0..7)

  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  /** Bits written so far. */
  get bitLength(): number {
    return this.byte * 8 + this.bit;
  }

  /** Writes the low `n` bits of `value` (0 ≤ n ≤ 32); `value` must already fit in `n` bits. */
  writeBits(value: number, n: number): void {
    if (this.byte + 5 >= this.buf.length) this.grow();
    const buf = this.buf;
    while (n > 0) {
      const free = 8 - this.bit;
      const take = n < free ? n : free;
      n -= take;
      const bits = (value >>> n) & ((1 << take) - 1);
      buf[this.byte] = buf[this.byte]! | (bits << (free - take));
      this.bit += take;
      if (this.bit === 8) {
        this.bit = 0;
        this.byte++;
      }
    }
  }

  writeBit(b: boolean | 0 | 1): void {
    this.writeBits(b ? 1 : 0, 1);
  }

  /** Writes a non-negative integer below 2^53 in exactly `n` bits (0 ≤ n ≤ 53). */
  writeWide(value: number, n: number): void {
    if (n > 32) {
      this.writeBits(Math.floor(value / TWO32), n - 32);
      this.writeBits(value >>> 0, 32);
    } else {
      this.writeBits(value >>> 0, n);
    }
  }

  /** The written bytes; the last byte is zero-padded. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.byte + (this.bit > 0 ? 1 : 0));
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }
}

/**
 * Reads what a BitWriter wrote. Reading past the end never throws and never touches memory
 * outside the bytes given: it yields zero bits and sets `overflow`, which decoders check once per
 * sample to report a truncated chunk. The bytes are first copied into big-endian 32-bit words
 * (zero-padded), so each read is one or two word operations instead of a loop over bytes.
 */
export class BitReader {
  overflow = false;
  private pos = 0;
  private readonly limit: number; // in bits
  private readonly words: Uint32Array;

  constructor(buf: Uint8Array, start = 0, end = buf.length, words?: Uint32Array) {
    const to = Math.min(end, buf.length);
    const len = Math.max(0, to - start);
    this.limit = len * 8;
    // One spare word: a read that straddles the last word never indexes past the array.
    const need = (len >>> 2) + 2;
    if (words === undefined || words.length < need) words = new Uint32Array(need);
    let i = 0;
    let w = 0;
    for (; i + 4 <= len; i += 4, w++) {
      const b = start + i;
      words[w] = ((buf[b]! << 24) | (buf[b + 1]! << 16) | (buf[b + 2]! << 8) | buf[b + 3]!) >>> 0;
    }
    let last = 0;
    for (let k = 0; k < 4; k++) last = (last << 8) | (i + k < len ? buf[start + i + k]! : 0);
    words[w] = last >>> 0;
    words[w + 1] = 0;
    this.words = words;
  }

  /**
   * A reader over a module-wide word buffer, to spare an allocation per chunk on the hot decode
   * path. Valid until the next `shared` call: decoders are synchronous and use one at a time.
   */
  static shared(buf: Uint8Array): BitReader {
    const r = new BitReader(buf, 0, buf.length, sharedWords);
    if (r.words !== sharedWords) sharedWords = r.words;
    return r;
  }

  /** Reads `n` bits (0 ≤ n ≤ 32) as an unsigned integer. */
  readBits(n: number): number {
    const pos = this.pos;
    if (pos + n > this.limit) {
      this.overflow = true;
      this.pos = this.limit;
      return 0;
    }
    if (n === 0) return 0;
    this.pos = pos + n;
    const w = pos >>> 5;
    const off = pos & 31;
    const first = this.words[w]!;
    if (off + n <= 32) return ((first << off) >>> 0) >>> (32 - n);
    // Straddles two words: the low (32 - off) bits of the first, then the top bits of the next.
    const fromFirst = 32 - off;
    const rest = n - fromFirst;
    return (first & ((1 << fromFirst) - 1)) * POW2[rest]! + (this.words[w + 1]! >>> (32 - rest));
  }

  /** As readBits, but returns the bits as an int32 pattern (negative when n = 32 and the top bit is set): no boxing in hot loops that only do bit operations. */
  readBitsI32(n: number): number {
    const pos = this.pos;
    if (pos + n > this.limit) {
      this.overflow = true;
      this.pos = this.limit;
      return 0;
    }
    if (n === 0) return 0;
    this.pos = pos + n;
    const w = pos >>> 5;
    const off = pos & 31;
    const first = this.words[w]!;
    if (off + n <= 32) return (first << off) >>> (32 - n) | 0;
    const rest = n - (32 - off);
    return ((first & ((1 << (32 - off)) - 1)) << rest) | (this.words[w + 1]! >>> (32 - rest));
  }

  /**
   * Reads `count` fields of `width` bits (≤ 32) into out[from…] as `field * mul + add`: the hot
   * loop of block-packed integers, with the position kept in locals. Returns how many fields
   * were complete; fewer than `count` means the bits ran out (and sets `overflow`).
   */
  readBlock(out: Float64Array, from: number, count: number, width: number, mul: number, add: number): number {
    let k = count;
    if (width > 0) k = Math.min(count, Math.floor((this.limit - this.pos) / width));
    if (width === 0) {
      out.fill(add, from, from + count);
    } else {
      const words = this.words;
      let pos = this.pos;
      const to = from + k;
      for (let i = from; i < to; i++) {
        const w = pos >>> 5;
        const off = pos & 31;
        let x: number;
        if (off + width <= 32) {
          x = ((words[w]! << off) >>> 0) >>> (32 - width);
        } else {
          const rest = width - (32 - off);
          x = (words[w]! & ((1 << (32 - off)) - 1)) * POW2[rest]! + (words[w + 1]! >>> (32 - rest));
        }
        out[i] = x * mul + add;
        pos += width;
      }
      this.pos = pos;
    }
    if (k < count) {
      this.overflow = true;
      this.pos = this.limit;
    }
    return k;
  }

  /**
   * Skips `count` fields of `width` bits (≤ 53) as readBlock or `count` readWide calls would
   * consume them: returns how many were complete; fewer than `count` sets `overflow`.
   */
  skipFields(count: number, width: number): number {
    if (width === 0) return count;
    const k = Math.min(count, Math.floor((this.limit - this.pos) / width));
    this.pos += k * width;
    if (k < count) {
      this.overflow = true;
      this.pos = this.limit;
    }
    return k;
  }

  readBit(): number {
    const pos = this.pos;
    if (pos >= this.limit) {
      this.overflow = true;
      return 0;
    }
    this.pos = pos + 1;
    return (this.words[pos >>> 5]! >>> (31 - (pos & 31))) & 1;
  }

  /** Reads an `n`-bit integer (0 ≤ n ≤ 53) written by `writeWide`. */
  readWide(n: number): number {
    if (n > 32) {
      const hi = this.readBits(n - 32);
      return hi * TWO32 + this.readBits(32);
    }
    return this.readBits(n);
  }
}

/** Number of bits needed to write a non-negative integer below 2^53 (0 for 0). */
export function bitLength(x: number): number {
  if (x < TWO32) return 32 - Math.clz32(x);
  return 64 - Math.clz32(Math.floor(x / TWO32));
}

// Variable-width integers inside a bit stream: a 6-bit length, then that many bits. Used for the
// few per-chunk constants (first values, offsets, divisors); samples use fixed block widths.

export function writeUVar(w: BitWriter, x: number): void {
  const n = bitLength(x);
  w.writeBits(n, 6);
  w.writeWide(x, n);
}

/** Sign and magnitude, not zig-zag: zig-zag of a safe integer can exceed 2^53 and lose bits. */
export function writeSVar(w: BitWriter, x: number): void {
  w.writeBit(x < 0);
  writeUVar(w, Math.abs(x));
}

/** Returns -1 for a length above 53 (only damaged data has one); the caller reports `corrupt`. */
export function readUVar(r: BitReader): number {
  const n = r.readBits(6);
  if (n > 53) return -1;
  return r.readWide(n);
}

export function readSVar(r: BitReader): number | null {
  const neg = r.readBit();
  const m = readUVar(r);
  if (m < 0) return null;
  return neg ? -m : m;
}
