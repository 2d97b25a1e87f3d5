/** Number and duration literal values, with Go's strconv rules as Prometheus' parser applies them. */
import { isDurationLiteral, parseDuration } from '../dialect/duration.js';

/**
 * Value of an unsigned number token: `Inf`/`NaN` (any case), hex `0x1f`, Go octal `017`,
 * decimals with exponent, `_` digit separators, and — since Prometheus 3 — durations such as
 * `5m`, which count as their length in seconds.
 */
export function numberValue(token: string): number {
  const lower = token.toLowerCase();
  if (lower === 'inf') return Infinity;
  if (lower === 'nan') return NaN;
  if (isDurationLiteral(token)) return parseDuration(token) / 1000;
  const t = token.replace(/(?<=[0-9a-fA-F])_(?=[0-9a-fA-F])/g, '');
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return Number(t);
  // strconv.ParseInt(s, 0, 64) reads a leading 0 as octal; on failure ParseFloat reads decimal.
  if (/^0[0-7]+$/.test(t)) return parseInt(t.slice(1), 8);
  const v = Number(t);
  if (Number.isNaN(v)) throw new Error(`error parsing number: strconv.ParseFloat: parsing "${token}": invalid syntax`);
  return v;
}

/** A signed literal as lezer's NumberDurationLiteral carries it (`- 1`, `+Inf`). */
export function signedNumberValue(text: string): number {
  const t = text.replace(/\s+/g, '');
  if (t.startsWith('-')) return -numberValue(t.slice(1));
  if (t.startsWith('+')) return numberValue(t.slice(1));
  return numberValue(t);
}

/** Seconds to milliseconds the way Go's math.Round does it: halves away from zero. */
export function secondsToMs(seconds: number): number {
  const ms = seconds * 1000;
  return ms < 0 ? -Math.round(-ms) : Math.round(ms);
}
