/**
 * Decimal codec for "decimals in disguise" (0.125, 12.3, 0.9731, integer gauges): every value is
 * written as an integer m with one decimal exponent e per chunk and decoded as `m / 10^e`
 * (`m` when e = 0). IEEE division of two exact integers is correctly rounded, so it gives back
 * the double nearest to m·10^-e — which is the original whenever the original was produced by
 * parsing a decimal. The encoder still checks every value bit for bit with that same division and
 * declines the chunk (returns null, so XOR is used) if any value does not come back: NaN
 * (StaleNaN included), ±Inf, −0, or a float with more digits than 10^15 can scale.
 *
 * Body: timestamps as an integer sequence, then e in 4 bits, then the scaled values as an
 * integer sequence (see intpack.ts). Columnar, so a truncated body yields the samples whose
 * timestamp and value both arrived.
 */
import { BitReader, BitWriter } from './bstream.js';
import type { Codec, DecodeOutcome } from './codec.js';
import { readInts, skipInts, writeInts } from './intpack.js';

const MAX_EXP = 15;
/** Exactly representable powers of ten (every 10^e with e ≤ 22 is). */
const POW10 = Array.from({ length: MAX_EXP + 1 }, (_, e) => Number(`1e${e}`));

/** The integer `v` scales to at exponent e, or NaN when `v` does not come back from it exactly. */
function scaled(v: number, e: number): number {
  const p = POW10[e]!;
  const m = Math.round(v * p) + 0; // + 0 turns −0 into 0: −0 must fail the check below
  if (!(m <= Number.MAX_SAFE_INTEGER && m >= -Number.MAX_SAFE_INTEGER)) return NaN; // also NaN, ±Inf
  const back = e === 0 ? m : m / p;
  return Object.is(back, v) ? m : NaN;
}

/** Smallest exponent that fits every value, or -1. */
function exponentFor(v: Float64Array, start: number, end: number): number {
  let e = 0;
  for (let i = start; i < end; i++) {
    const x = v[i]!;
    while (e <= MAX_EXP && Number.isNaN(scaled(x, e))) e++;
    if (e > MAX_EXP) return -1;
  }
  return e;
}

/** Reused across calls (encoding is synchronous). */
let scaledScratch = new Float64Array(1024);

function encode(t: Float64Array, v: Float64Array, start: number, end: number): Uint8Array | null {
  const n = end - start;
  let e = exponentFor(v, start, end);
  if (e < 0) return null;
  // A value that fits at a smaller exponent almost always fits at e too; verify, and move up if not.
  if (scaledScratch.length < n) scaledScratch = new Float64Array(n);
  const m = scaledScratch;
  for (; e <= MAX_EXP; e++) {
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const s = scaled(v[start + i]!, e);
      if (Number.isNaN(s)) ok = false;
      else m[i] = s;
    }
    if (ok) break;
  }
  if (e > MAX_EXP) return null;
  const w = new BitWriter(n + 32);
  if (!writeInts(w, t.subarray(start, end), n)) return null;
  w.writeBits(e, 4);
  if (!writeInts(w, m, n)) return null;
  return w.finish().slice();
}

function decode(body: Uint8Array, count: number, t: Float64Array, v: Float64Array): DecodeOutcome {
  const r = BitReader.shared(body);
  const ts = readInts(r, t, count);
  if (ts.corrupt) return { n: 0, bad: 'corrupt' };
  const e = r.readBits(4);
  if (e > MAX_EXP && !r.overflow) return { n: 0, bad: 'corrupt' };
  const vs = readInts(r, v, count);
  let n = Math.min(ts.got, vs.got);
  // Timestamps must increase: only a forged chunk (valid CRC, impossible content) breaks this.
  let disorder = false;
  for (let i = 1; i < n; i++) {
    if (!(t[i]! > t[i - 1]!)) {
      n = i;
      disorder = true;
      break;
    }
  }
  if (e > 0) {
    const p = POW10[e]!;
    for (let i = 0; i < n; i++) v[i] = v[i]! / p;
  }
  const bad = vs.corrupt || disorder ? 'corrupt' : n < count ? 'truncated' : null;
  return { n, bad };
}

/**
 * As decode, timestamps only (the value column is walked, not decoded): the same n and bad. A
 * Decimal value is m / 10^e of a safe integer m, never NaN, so never a staleness marker.
 */
function decodeTimes(body: Uint8Array, count: number, t: Float64Array): DecodeOutcome {
  const r = BitReader.shared(body);
  const ts = readInts(r, t, count);
  if (ts.corrupt) return { n: 0, bad: 'corrupt' };
  const e = r.readBits(4);
  if (e > MAX_EXP && !r.overflow) return { n: 0, bad: 'corrupt' };
  const vs = skipInts(r, count);
  let n = Math.min(ts.got, vs.got);
  let disorder = false;
  for (let i = 1; i < n; i++) {
    if (!(t[i]! > t[i - 1]!)) {
      n = i;
      disorder = true;
      break;
    }
  }
  const bad = vs.corrupt || disorder ? 'corrupt' : n < count ? 'truncated' : null;
  return { n, bad };
}

export const decimalCodec: Codec = { name: 'Decimal', encode, decode, decodeTimes };
