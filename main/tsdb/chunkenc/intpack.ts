/**
 * Packs a sequence of exact integers (|x| < 2^53) into a bit stream, choosing per sequence the
 * cheapest of: the values themselves, their deltas, or their deltas of deltas (order 0/1/2),
 * and a block size of 8/16/32/64. The chosen residuals are shifted by their minimum (frame of
 * reference: counters' always-positive increments need no sign bit) and divided by their
 * greatest common divisor (a 4096-byte filesystem quantum or a 15 s scrape step costs nothing),
 * then written in blocks, each with its own 6-bit width. Regular sequences (all residuals equal)
 * cost 6 bits per block. Layout in FORMAT.md, "IntSeq(n)".
 */
import { type BitReader, type BitWriter, bitLength, readSVar, readUVar, writeSVar, writeUVar } from './bstream.js';

const MIN_BLOCK_LOG = 3;
const BLOCK_LOGS = [3, 4, 5, 6] as const;
const MAX_WIDTH = 53;
const MAX = Number.MAX_SAFE_INTEGER;

/** For differences of integers (always integers): is the magnitude exact? Faster than Number.isSafeInteger. */
function exact(d: number): boolean {
  return d <= MAX && d >= -MAX;
}

/** Scratch for residuals, reused across calls (encoding is synchronous). */
let scratch = [new Float64Array(1024), new Float64Array(1024)] as const;

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}

interface Plan {
  order: number;
  blockLog: number;
  heads: number[];
  min: number;
  div: number;
  /** Residuals already shifted and divided. */
  res: Float64Array;
  bits: number;
}

/**
 * Residuals of order `order`, written into `into`; null when any intermediate is not a safe integer
 * (then the decoder's float arithmetic could not rebuild the values exactly).
 */
function residuals(xs: Float64Array, n: number, order: number, into: Float64Array): Float64Array | null {
  const m = n - order;
  const out = into.subarray(0, m);
  if (order === 0) {
    out.set(xs.subarray(0, n));
  } else if (order === 1) {
    for (let i = 1; i < n; i++) {
      const d = xs[i]! - xs[i - 1]!;
      if (!exact(d)) return null;
      out[i - 1] = d;
    }
  } else {
    let prev = xs[1]! - xs[0]!;
    if (!exact(prev)) return null;
    for (let i = 2; i < n; i++) {
      const d = xs[i]! - xs[i - 1]!;
      const dd = d - prev;
      if (!exact(d) || !exact(dd)) return null;
      out[i - 2] = dd;
      prev = d;
    }
  }
  return out;
}

function plan(xs: Float64Array, n: number, order: number, into: Float64Array): Plan | null {
  const res = residuals(xs, n, order, into);
  if (res === null) return null;
  const heads: number[] = [];
  if (order >= 1) heads.push(xs[0]!);
  if (order >= 2) heads.push(xs[1]! - xs[0]!);
  let bits = 2 + 2 + heads.reduce((s, h) => s + 1 + 6 + bitLength(Math.abs(h)), 0);
  const m = res.length;
  if (m === 0) return { order, blockLog: MIN_BLOCK_LOG, heads, min: 0, div: 1, res, bits };

  let min = res[0]!;
  for (let i = 1; i < m; i++) if (res[i]! < min) min = res[i]!;
  let div = 0;
  for (let i = 0; i < m; i++) {
    const s = res[i]! - min;
    if (!exact(s)) return null;
    res[i] = s;
    if (div !== 1) div = gcd(s, div);
  }
  if (div === 0) div = 1;
  if (div !== 1) for (let i = 0; i < m; i++) res[i] = res[i]! / div;
  bits += 1 + 6 + bitLength(Math.abs(min)) + 6 + bitLength(div);

  // Widths of the smallest blocks, then the cost of each block size from them.
  const small = 1 << MIN_BLOCK_LOG;
  const nSmall = Math.ceil(m / small);
  const widths = new Uint8Array(nSmall);
  for (let b = 0; b < nSmall; b++) {
    let or = 0;
    let big = 0;
    const to = Math.min(m, (b + 1) * small);
    for (let i = b * small; i < to; i++) {
      const x = res[i]!;
      if (x < 4294967296) or |= x;
      else if (x > big) big = x;
    }
    widths[b] = big > 0 ? bitLength(big) : 32 - Math.clz32(or);
  }
  let best = Infinity;
  let bestLog = MIN_BLOCK_LOG;
  for (const log of BLOCK_LOGS) {
    const per = 1 << (log - MIN_BLOCK_LOG);
    let cost = 0;
    for (let b = 0; b < nSmall; b += per) {
      let w = 0;
      for (let k = b; k < Math.min(nSmall, b + per); k++) if (widths[k]! > w) w = widths[k]!;
      const len = Math.min(m, (b + per) * small) - b * small;
      cost += 6 + w * len;
    }
    if (cost < best) {
      best = cost;
      bestLog = log;
    }
  }
  return { order, blockLog: bestLog, heads, min, div, res, bits: bits + best };
}

/**
 * Writes xs[0..n) with the cheapest plan. Returns false (writing nothing) when no plan can
 * represent the sequence exactly, e.g. timestamps spanning more than 2^53 ms.
 */
export function writeInts(w: BitWriter, xs: Float64Array, n: number): boolean {
  let best: Plan | null = null;
  if (scratch[0].length < n) scratch = [new Float64Array(n), new Float64Array(n)];
  const [scratchA, scratchB] = scratch;
  for (let order = 0; order <= Math.min(2, n - 1); order++) {
    const p = plan(xs, n, order, best === null || best.res.buffer !== scratchA.buffer ? scratchA : scratchB);
    if (p !== null && (best === null || p.bits < best.bits)) best = p;
  }
  if (best === null) return false;
  w.writeBits(best.order, 2);
  w.writeBits(best.blockLog - MIN_BLOCK_LOG, 2);
  for (const h of best.heads) writeSVar(w, h);
  const res = best.res;
  const m = res.length;
  if (m === 0) return true;
  writeSVar(w, best.min);
  writeUVar(w, best.div);
  const size = 1 << best.blockLog;
  for (let b = 0; b < m; b += size) {
    const to = Math.min(m, b + size);
    let or = 0;
    let big = 0;
    for (let i = b; i < to; i++) {
      const x = res[i]!;
      if (x < 4294967296) or |= x;
      else if (x > big) big = x;
    }
    const width = big > 0 ? bitLength(big) : 32 - Math.clz32(or);
    w.writeBits(width, 6);
    if (width === 0) continue;
    if (width <= 32) for (let i = b; i < to; i++) w.writeBits(res[i]! >>> 0, width);
    else for (let i = b; i < to; i++) w.writeWide(res[i]!, width);
  }
  return true;
}

/**
 * Reads a sequence of `n` integers into `out`. Returns how many were read completely (all
 * of them unless the bits ran out or a field is impossible), and whether a field was impossible.
 */
export function readInts(r: BitReader, out: Float64Array, n: number): { got: number; corrupt: boolean } {
  const order = r.readBits(2);
  const blockLog = r.readBits(2) + MIN_BLOCK_LOG;
  if (order > 2 || (n >= 1 && order > n - 1)) return { got: 0, corrupt: !r.overflow };
  let x = 0;
  let d = 0;
  if (order >= 1) {
    const h = readSVar(r);
    if (h === null) return { got: 0, corrupt: !r.overflow };
    x = h;
    if (r.overflow) return { got: 0, corrupt: false };
    out[0] = x;
  }
  if (order >= 2) {
    const h = readSVar(r);
    if (h === null) return { got: 1, corrupt: !r.overflow };
    if (r.overflow) return { got: 1, corrupt: false };
    d = h;
    x += d;
    out[1] = x;
  }
  let got = order;
  const m = n - order;
  if (m <= 0) return { got, corrupt: false };
  const min = readSVar(r);
  const div = readUVar(r);
  if (min === null || div < 0) return { got, corrupt: !r.overflow };
  if (r.overflow) return { got, corrupt: false };
  const size = 1 << blockLog;
  // Residuals first (one tight loop per block), then one pass that undoes the differences.
  const from = got;
  let corrupt = false;
  for (let b = 0; b < m; b += size) {
    const width = r.readBits(6);
    if (r.overflow) break;
    if (width > MAX_WIDTH) {
      corrupt = true;
      break;
    }
    const len = Math.min(m, b + size) - b;
    if (width <= 32) {
      const k = r.readBlock(out, got, len, width, div, min);
      got += k;
      if (k < len) break;
    } else {
      let i = 0;
      for (; i < len; i++) {
        const x = r.readWide(width) * div + min;
        if (r.overflow) break;
        out[got + i] = x;
      }
      got += i;
      if (i < len) break;
    }
  }
  if (order === 1) {
    for (let i = from; i < got; i++) out[i] = x += out[i]!;
  } else if (order === 2) {
    for (let i = from; i < got; i++) {
      d += out[i]!;
      out[i] = x += d;
    }
  }
  return { got, corrupt };
}

/**
 * As readInts, without the values: walks the same fields and returns the same `got` and
 * `corrupt` (a field is complete iff its bits are all there), for a decoder asked for another
 * column only. Nothing is written.
 */
export function skipInts(r: BitReader, n: number): { got: number; corrupt: boolean } {
  const order = r.readBits(2);
  const blockLog = r.readBits(2) + MIN_BLOCK_LOG;
  if (order > 2 || (n >= 1 && order > n - 1)) return { got: 0, corrupt: !r.overflow };
  if (order >= 1) {
    if (readSVar(r) === null) return { got: 0, corrupt: !r.overflow };
    if (r.overflow) return { got: 0, corrupt: false };
  }
  if (order >= 2) {
    if (readSVar(r) === null) return { got: 1, corrupt: !r.overflow };
    if (r.overflow) return { got: 1, corrupt: false };
  }
  let got = order;
  const m = n - order;
  if (m <= 0) return { got, corrupt: false };
  const min = readSVar(r);
  const div = readUVar(r);
  if (min === null || div < 0) return { got, corrupt: !r.overflow };
  if (r.overflow) return { got, corrupt: false };
  const size = 1 << blockLog;
  let corrupt = false;
  for (let b = 0; b < m; b += size) {
    const width = r.readBits(6);
    if (r.overflow) break;
    if (width > MAX_WIDTH) {
      corrupt = true;
      break;
    }
    const len = Math.min(m, b + size) - b;
    const k = r.skipFields(len, width);
    got += k;
    if (k < len) break;
  }
  return { got, corrupt };
}
