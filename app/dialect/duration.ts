/**
 * Durations as Prometheus writes them (prometheus/common model.Duration): `1y2w3d4h5m6s7ms`, units
 * largest first, each at most once, whole numbers only; `0` alone is allowed. A year is always 365
 * days, a week 7 days. Values are milliseconds. This is the one parser and printer for config
 * files, PromQL, rule files, promtool scripts, the HTTP API, probe modules, Alertmanager config
 * and silences, and for promtool's messages (`time: 1h30m`).
 */

export interface DurationUnitInfo {
  readonly unit: string;
  readonly ms: number;
  readonly doc: string;
}

/** Longest first, the order they must appear in a duration like 1y2w3d4h5m6s7ms. */
export const durationUnits: readonly DurationUnitInfo[] = [
  { unit: 'y', ms: 365 * 24 * 3600_000, doc: 'Years; always 365 days.' },
  { unit: 'w', ms: 7 * 24 * 3600_000, doc: 'Weeks; always 7 days.' },
  { unit: 'd', ms: 24 * 3600_000, doc: 'Days; always 24 hours.' },
  { unit: 'h', ms: 3600_000, doc: 'Hours.' },
  { unit: 'm', ms: 60_000, doc: 'Minutes.' },
  { unit: 's', ms: 1000, doc: 'Seconds.' },
  { unit: 'ms', ms: 1, doc: 'Milliseconds.' },
];

/** Prometheus keeps durations as int64 nanoseconds; this many whole milliseconds still fit. */
const maxDurationMs = 9_223_372_036_854;

export class DurationError extends Error {
  override readonly name = 'DurationError';
}

/**
 * Parses a Prometheus duration into milliseconds, as model.ParseDuration does; throws
 * DurationError with the wording of Prometheus 2.42 (`empty duration string`,
 * `not a valid duration string: "1.5h"`, `duration out of range`). Later versions say
 * `unknown unit "x" in duration "5x"` for a bad unit; 2.42, the promtool we check against, does not.
 */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  if (text === '') throw new DurationError('empty duration string');
  const invalid = (): DurationError => new DurationError(`not a valid duration string: ${JSON.stringify(text)}`);
  let rest = text;
  let lastUnit = -1;
  let ms = 0;
  while (rest !== '') {
    const m = /^(\d+)(ms|[ywdhms])/.exec(rest);
    if (m === null) throw invalid();
    const unit = durationUnits.findIndex((u) => u.unit === m[2]);
    if (unit <= lastUnit) throw invalid(); // units go largest first, once each: "1m1d" is refused
    lastUnit = unit;
    ms += Number(m[1]) * durationUnits[unit]!.ms;
    if (ms > maxDurationMs) throw new DurationError('duration out of range');
    rest = rest.slice(m[0].length);
  }
  return ms;
}

/** Like parseDuration, and a leading `-` negates (model.ParseDurationAllowNegative). */
export function parseDurationAllowNegative(text: string): number {
  if (text.startsWith('-')) return -parseDuration(text.slice(1));
  return parseDuration(text);
}

/** parseDuration for callers that word their own error: null when the text is not a duration. */
export function tryParseDuration(text: string): number | null {
  try {
    return parseDuration(text);
  } catch (e) {
    if (e instanceof DurationError) return null;
    throw e;
  }
}

/** Whether the text is a duration with at least one unit (`5m`, not `5`), as a PromQL literal. */
export function isDurationLiteral(text: string): boolean {
  return text !== '0' && tryParseDuration(text) !== null;
}

/**
 * Milliseconds as model.Duration.String() prints them: years and weeks only when they divide
 * the whole evenly (8 days is `8d`, 14 days `2w`, 90 days `90d`), `0s` for zero, `-` in front
 * of negative values. Fractions of a millisecond are dropped, as Prometheus' integer division does.
 */
export function formatDuration(ms: number): string {
  let rest = Math.trunc(Math.abs(ms));
  if (rest === 0) return '0s';
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
  return ms < 0 ? `-${out}` : out;
}
