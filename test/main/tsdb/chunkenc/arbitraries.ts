/** fast-check generators and bit-level comparisons shared by the codec tests. */
import fc from 'fast-check';

export const STALE = 0x7ff0000000000002n;

/** Float64Array holding exactly these bit patterns (never passes through a `number`). */
export function fromBits(bits: readonly bigint[]): Float64Array {
  return new Float64Array(BigUint64Array.from(bits).buffer);
}

/** The bit patterns of a Float64Array, read through a DataView in the host's byte order. */
export function bitsOf(a: Float64Array): bigint[] {
  const dv = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  return Array.from({ length: a.length }, (_, i) => dv.getBigUint64(i * 8, le));
}

function numberBits(x: number): bigint {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  return dv.getBigUint64(0);
}

const specials = [
  STALE,
  0x7ff8000000000000n, // the canonical quiet NaN
  0x7ff8000000000001n, // quiet NaN with a payload
  0xfff0000000000001n, // negative signalling NaN
  0x7fffffffffffffffn,
  0x7ff0000000000000n, // +Inf
  0xfff0000000000000n, // -Inf
  0x8000000000000000n, // -0
  0n, // +0
  1n, // smallest subnormal
  0x000fffffffffffffn, // largest subnormal
  0x8000000000000001n, // negative subnormal
  0x7fefffffffffffffn, // largest finite
];

/** One value's bits: anything at all, a special, a decimal, or an integer. */
const anyValueBits: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(...specials),
  fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 8 })).map(([m, e]) => numberBits(m / 10 ** e)),
  fc.maxSafeInteger().map(numberBits),
  fc.double().map(numberBits),
);

/** Values of a series that Decimal should take: decimals with one exponent, random-walking. */
export const decimalSeriesBits = (n: number): fc.Arbitrary<bigint[]> =>
  fc
    .tuple(
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: -1e12, max: 1e12 }),
      fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: n, maxLength: n }),
    )
    .map(([e, start, steps]) => {
      let m = start;
      return steps.map((s) => {
        m += s;
        return numberBits(e === 0 ? m : m / 10 ** e);
      });
    });

const MAX = Number.MAX_SAFE_INTEGER;

/** Strictly increasing safe-integer timestamps: regular, jittered, tiny and huge gaps, negatives. */
export const timestamps = (n: number): fc.Arbitrary<number[]> =>
  fc
    .tuple(
      fc.oneof(fc.maxSafeInteger(), fc.constant(1_700_000_000_000), fc.integer({ min: -1e6, max: 1e6 }), fc.constant(-MAX)),
      fc.array(
        fc.oneof(
          { arbitrary: fc.constant(15_000), weight: 4 },
          { arbitrary: fc.integer({ min: 14_990, max: 15_010 }), weight: 2 },
          { arbitrary: fc.integer({ min: 1, max: 100 }), weight: 1 },
          { arbitrary: fc.integer({ min: 1, max: 2 ** 40 }), weight: 1 },
          { arbitrary: fc.integer({ min: 1, max: MAX }), weight: 1 },
        ),
        { minLength: n - 1, maxLength: n - 1 },
      ),
    )
    .map(([t0, gaps]) => {
      // Start low enough that the gaps fit; drop what would leave the safe range.
      const out = [t0];
      for (const g of gaps) {
        const next = out[out.length - 1]! + g;
        if (next > MAX) break;
        out.push(next);
      }
      return out;
    });

export interface Series {
  t: Float64Array;
  v: Float64Array;
}

/** Decimals with one special (StaleNaN, −0, NaN payload…) dropped in: Decimal must decline these. */
const decimalWithSpecial = (n: number): fc.Arbitrary<bigint[]> =>
  fc.tuple(decimalSeriesBits(n), fc.nat(), fc.constantFrom(...specials)).map(([bits, at, special]) => {
    const out = bits.slice();
    out[at % n] = special;
    return out;
  });

/** A series of 1..maxN samples, values either arbitrary bits, decimals, or decimals and a special. */
export const series = (maxN: number): fc.Arbitrary<Series> =>
  fc.integer({ min: 1, max: maxN }).chain((n) =>
    fc.tuple(timestamps(n), fc.oneof(fc.array(anyValueBits, { minLength: n, maxLength: n }), decimalSeriesBits(n), decimalWithSpecial(n))).map(([t, bits]) => ({
      t: Float64Array.from(t),
      v: fromBits(bits.slice(0, t.length)),
    })),
  );

/** True when (t, v) are exactly the first t.length samples of `s`, compared bit for bit. */
export function isPrefixOf(t: Float64Array, v: Float64Array, s: Series): boolean {
  if (t.length !== v.length || t.length > s.t.length) return false;
  const a = bitsOf(v);
  const b = bitsOf(s.v.subarray(0, v.length));
  for (let i = 0; i < t.length; i++) if (t[i] !== s.t[i] || a[i] !== b[i]) return false;
  return true;
}

export function sameSeries(t: Float64Array, v: Float64Array, s: Series): boolean {
  return t.length === s.t.length && isPrefixOf(t, v, s);
}
