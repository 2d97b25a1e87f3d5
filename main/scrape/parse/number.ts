/**
 * Number tokens of the exposition formats, read straight from bytes. Sample values follow Go's
 * strconv.ParseFloat (what Prometheus uses): decimal and exponent forms, `NaN`, `Inf`,
 * `+Inf`, `-Inf`, `Infinity`, any case. Timestamps in the text format are Go int64 milliseconds.
 */

const specials: ReadonlyMap<string, number> = new Map([
  ['nan', NaN],
  ['inf', Infinity],
  ['+inf', Infinity],
  ['-inf', -Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-infinity', -Infinity],
]);

const zero = 0x30;
const nine = 0x39;

/** Exact powers of ten as doubles: 10^0 … 10^22. */
const pow10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** The value, or undefined when malformed (the caller reports it with the line). */
export function parseFloatBytes(buf: Uint8Array, start: number, end: number): number | undefined {
  if (end <= start) return undefined;
  // Fast path (Clinger): up to 15 significant digits and a small decimal exponent give an exact
  // mantissa and an exact power of ten, so one IEEE division or product is correctly rounded,
  // the same double strconv.ParseFloat returns. Covers counters, buckets, gauges, `_sum`s.
  let i = start;
  let neg = false;
  const c0 = buf[i]!;
  if (c0 === 0x2d || c0 === 0x2b) {
    neg = c0 === 0x2d;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let seenDigit = false;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c < zero || c > nine) break;
    seenDigit = true;
    if (digits > 0 || c !== zero) digits++;
    mant = mant * 10 + (c - zero);
  }
  if (i < end && buf[i] === 0x2e) {
    for (i++; i < end; i++) {
      const c = buf[i]!;
      if (c < zero || c > nine) break;
      seenDigit = true;
      if (digits > 0 || c !== zero) digits++;
      mant = mant * 10 + (c - zero);
      scale--;
    }
  }
  if (seenDigit && digits <= 15) {
    let exp = 0;
    let ok = true;
    if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
      i++;
      let eneg = false;
      if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) eneg = buf[i++] === 0x2d;
      const es = i;
      for (; i < end && exp < 1000; i++) {
        const c = buf[i]!;
        if (c < zero || c > nine) break;
        exp = exp * 10 + (c - zero);
      }
      if (i === es) ok = false;
      if (eneg) exp = -exp;
    }
    if (ok && i === end) {
      const e = scale + exp;
      if (e >= 0 && e <= 22) return neg ? -(mant * pow10[e]!) : mant * pow10[e]!;
      if (e < 0 && e >= -22) return neg ? -(mant / pow10[-e]!) : mant / pow10[-e]!;
    }
  }
  return slowParseFloat(buf, start, end);
}

/** Node's Buffer: `latin1Slice` is what toString('latin1') calls, without its argument checks. */
type Latin1Sliceable = Uint8Array & { latin1Slice?: (start: number, end: number) => string };

function slowParseFloat(buf: Uint8Array, start: number, end: number): number | undefined {
  let plain = true;
  for (let i = start; i < end && plain; i++) {
    const c = buf[i]!;
    // Only characters of a decimal float: keeps Number() from accepting hex, binary, blanks.
    if (!((c >= zero && c <= nine) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x65 || c === 0x45)) plain = false;
  }
  // One call instead of a string grown a character at a time (a long float per line of an import);
  // a page's Buffer slices without the subarray and apply (about half the cost of this path).
  const s =
    typeof (buf as Latin1Sliceable).latin1Slice === 'function'
      ? (buf as Latin1Sliceable).latin1Slice!(start, end)
      : String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  if (plain) {
    // Number('') is 0 and Number('+') is NaN; a lone sign or dot must fail.
    const v = Number(s);
    return Number.isNaN(v) ? undefined : v;
  }
  return specials.get(s.toLowerCase());
}

/** A Go-style int64 in base 10 with optional sign; undefined when malformed. */
export function parseIntBytes(buf: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  let neg = false;
  if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) {
    neg = buf[i] === 0x2d;
    i++;
  }
  if (i >= end || end - i > 19) return undefined;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c < zero || c > nine) return undefined;
    v = v * 10 + (c - zero);
  }
  return neg ? -v : v;
}
