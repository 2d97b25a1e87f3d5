/**
 * Gorilla's XOR value code, the one implementation (Prometheus' tsdb/chunkenc/xor.go xorWrite and
 * xorRead): each value after the first is written as its XOR with the previous value's bits —
 * '0' when they are equal, else '1' then either '0' (the previous leading/trailing-zero window
 * still holds the XOR) or '1' + 5 bits of leading zeros (capped at 31) + 6 bits of meaningful bit
 * count (64 written as 0), then the meaningful bits. Values are two int32 halves of their bit
 * pattern, never numbers, so every NaN payload, −0 and subnormal round-trips bit for bit.
 *
 * Used by Vigil's float chunks (xor.ts, one column), its histogram chunks (histogram.ts, one
 * column per bucket plus the sum) and remote read's Prometheus chunk bytes (main/remote/prom-xor.ts).
 * State is struct-of-arrays in typed arrays so the decode loops stay free of heap numbers.
 */
import type { BitReader, BitWriter } from './bstream.js';

export class XorColumns {
  /** The previous value's high and low 32 bits, per column (int32). */
  readonly hi: Int32Array;
  readonly lo: Int32Array;
  /** The current window per column; lead −1 means no window yet. */
  readonly lead: Int32Array;
  readonly trail: Int32Array;

  constructor(n: number) {
    this.hi = new Int32Array(n);
    this.lo = new Int32Array(n);
    this.lead = new Int32Array(n).fill(-1);
    this.trail = new Int32Array(n);
  }

  /** Forgets every window, so one instance can serve chunk after chunk without allocating. */
  reset(): this {
    this.lead.fill(-1);
    return this;
  }

  /** The first value of column c, whole: 64 bits. */
  writeFirst(w: BitWriter, c: number, hi: number, lo: number): void {
    this.hi[c] = hi;
    this.lo[c] = lo;
    w.writeBits(hi >>> 0, 32);
    w.writeBits(lo >>> 0, 32);
  }

  /**
   * The next value of column c. Returns how many meaningful bits it wrote (0 when the value
   * repeated), which Prometheus' byte-exact stream ending needs (prom-xor.ts).
   */
  write(w: BitWriter, c: number, vh: number, vl: number): number {
    const xh = (vh ^ this.hi[c]!) >>> 0;
    const xl = (vl ^ this.lo[c]!) >>> 0;
    this.hi[c] = vh;
    this.lo[c] = vl;
    if (xh === 0 && xl === 0) {
      w.writeBits(0, 1);
      return 0;
    }
    let l = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const tr = xl !== 0 ? 31 - Math.clz32(xl & -xl) : 63 - Math.clz32(xh & -xh);
    if (l > 31) l = 31; // the window start has 5 bits
    const lead = this.lead[c]!;
    const trail = this.trail[c]!;
    let sig: number;
    let shift: number;
    if (lead >= 0 && l >= lead && tr >= trail) {
      w.writeBits(0b10, 2);
      sig = 64 - lead - trail;
      shift = trail;
    } else {
      this.lead[c] = l;
      this.trail[c] = tr;
      sig = 64 - l - tr;
      w.writeBits(0b11, 2);
      w.writeBits(l, 5);
      w.writeBits(sig & 63, 6); // 64 is written as 0
      shift = tr;
    }
    // xor >> shift, in `sig` bits.
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
    } else w.writeBits(sl, sig);
    return sig;
  }

  readFirst(r: BitReader, c: number): void {
    this.hi[c] = r.readBitsI32(32);
    this.lo[c] = r.readBitsI32(32);
  }

  /**
   * Updates column c from the stream; false for a window no writer makes (a reused window
   * before any was set, or one wider than 64 bits). The caller checks `r.overflow`.
   */
  read(r: BitReader, c: number): boolean {
    if (r.readBit() === 0) return true;
    let sig: number;
    let trail: number;
    if (r.readBit() === 1) {
      const lead = r.readBits(5);
      sig = r.readBits(6);
      if (sig === 0) sig = 64;
      trail = 64 - lead - sig;
      if (trail < 0) return false;
      this.lead[c] = lead;
      this.trail[c] = trail;
    } else {
      const lead = this.lead[c]!;
      if (lead < 0) return false;
      trail = this.trail[c]!;
      sig = 64 - lead - trail;
    }
    let sh = 0;
    let sl: number;
    if (sig > 32) {
      sh = r.readBitsI32(sig - 32);
      sl = r.readBitsI32(32);
    } else sl = r.readBitsI32(sig);
    // xor = (sh:sl) << trail, as two int32 halves (int32, not uint32: uint32s above 2^31 would
    // be boxed as heap numbers in the hot loop).
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
    this.hi[c] = this.hi[c]! ^ xh;
    this.lo[c] = this.lo[c]! ^ xl;
    return true;
  }
}
