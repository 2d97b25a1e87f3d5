/** Sample values as client_golang and Prometheus' text exposition write them. */

/** Go's strconv.FormatFloat(v, 'g', -1, 64), which client_golang uses for sample values. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant = '', e = '0'] = v.toExponential().split('e');
  const exp = Number(e);
  // Shortest precision: Go switches to %e when the exponent is < -4 or >= 6 (not 21 as JS does).
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}
