/**
 * Durations as Prometheus' model.Duration parses and prints them: `1y2w3d4h5m6s7ms`, units in
 * that order, each at most once, integers only; `0` alone is allowed. A year is always 365 days,
 * a week 7 days. Values are milliseconds.
 */
import { durationUnits } from './catalog.js';

const durationRe = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export class DurationError extends Error {
  override readonly name = 'DurationError';
}

/** Parses a Prometheus duration into milliseconds; throws DurationError with Prometheus' wording. */
export function parseDuration(text: string): number {
  if (text === '') throw new DurationError('empty duration string');
  if (text === '0') return 0;
  const m = durationRe.exec(text);
  if (m === null) throw new DurationError(`not a valid duration string: "${text}"`);
  let ms = 0;
  durationUnits.forEach((u, i) => {
    const digits = m[i + 1];
    if (digits !== undefined) ms += Number(digits) * u.ms;
  });
  // Prometheus stores durations as int64 nanoseconds; beyond that it reports an overflow.
  if (!Number.isSafeInteger(ms) || ms > 9_223_372_036_854) throw new DurationError(`duration out of range: "${text}"`);
  return ms;
}

/** Like parseDuration but returns null instead of throwing. */
export function tryParseDuration(text: string): number | null {
  try {
    return parseDuration(text);
  } catch {
    return null;
  }
}

/**
 * Formats milliseconds the way model.Duration.String() does: years and weeks only when they
 * divide evenly (90d reads better than 12w6d), `0s` for zero. Negative values get a leading `-`.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.trunc(ms);
  let out = '';
  for (const u of durationUnits) {
    const exactOnly = u.unit === 'y' || u.unit === 'w';
    if (exactOnly && rest % u.ms !== 0) continue;
    const n = Math.floor(rest / u.ms);
    if (n > 0) {
      out += `${n}${u.unit}`;
      rest -= n * u.ms;
    }
  }
  return out === '' ? '0s' : out;
}

/** Whether the text is a duration literal with at least one unit (`5m`, not `5`). */
export function isDurationLiteral(text: string): boolean {
  return text !== '' && durationRe.test(text) && !/^\d+$/.test(text);
}
