/** Sample values as client_golang and Prometheus' text exposition write them. */

/** Go's strconv.FormatFloat(v, 'g', -1, 64), which client_golang uses for sample values. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // Integers below 1e6 print as JS prints them (Go's exponent form starts at 1e6): status codes,
  // flags and sizes, most of what a probe reports, without the exponent round trip.
  if (Number.isInteger(v) && v > -1e6 && v < 1e6) return String(v);
  const [mant = '', e = '0'] = v.toExponential().split('e');
  const exp = Number(e);
  // Shortest precision: Go switches to %e when the exponent is < -4 or >= 6 (not 21 as JS does).
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

/** Go strconv.FormatFloat(f, 'f', -1, 64): shortest round-trip digits, never an exponent. */
export function formatGoFloatFixed(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const s = String(f);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expText] = m;
  const exp = Number(expText);
  const digits = lead! + frac;
  if (exp >= 0) {
    const intLen = exp + 1;
    return sign + (digits.length <= intLen ? digits + '0'.repeat(intLen - digits.length) : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`);
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}
