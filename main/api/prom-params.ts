/**
 * Parameter parsing for the Prometheus HTTP API, with Prometheus' rules and error wording
 * (web/api/v1/api.go): times are RFC 3339 or Unix seconds with decimals, durations are
 * Prometheus durations or float seconds.
 */

import { tryParseDuration } from '../../app/dialect/duration.js';

export class BadParamError extends Error {}

const minTimeMs = -9223372036854.775; // Prometheus' MinTime / MaxTime, in ms
const maxTimeMs = 9223372036854.775;

/** A time parameter: `1700000000`, `1700000000.123`, or `2023-11-14T22:13:20.123Z`. */
export function parseTimeParam(value: string | null, name: string, fallbackMs?: number): number {
  if (value === null || value === '') {
    if (fallbackMs !== undefined) return fallbackMs;
    throw new BadParamError(`invalid parameter "${name}": cannot parse "" to a valid timestamp`);
  }
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
    const seconds = Number(value);
    return Math.round(seconds * 1000);
  }
  // Prometheus accepts the exact strings it prints for MinTime/MaxTime.
  if (value === '0001-01-01T00:00:00Z' || value === '-292273086-05-16T16:47:06Z') return minTimeMs;
  if (value === '292277026596-12-04T15:30:07Z' || value === '292273086-05-16T16:47:06Z') return maxTimeMs;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new BadParamError(`invalid parameter "${name}": cannot parse "${value}" to a valid timestamp`);
}

/** A duration parameter: `15s`, `1m`, or float seconds `15`, `0.5`. */
export function parseDurationParam(value: string | null, name: string): number {
  if (value === null || value === '') {
    throw new BadParamError(`invalid parameter "${name}": cannot parse "" to a valid duration`);
  }
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || Math.abs(seconds) * 1000 > 9.2e15) {
      throw new BadParamError(`invalid parameter "${name}": cannot parse "${value}" to a valid duration. It overflows int64`);
    }
    return Math.round(seconds * 1000);
  }
  const ms = tryParseDuration(value);
  if (ms === null) throw new BadParamError(`invalid parameter "${name}": cannot parse "${value}" to a valid duration`);
  return ms;
}

export interface RangeParams {
  startMs: number;
  endMs: number;
  stepMs: number;
}

/** The checks Prometheus makes on query_range parameters, with its messages. */
export function parseRangeParams(params: URLSearchParams): RangeParams {
  const startMs = parseTimeParam(params.get('start'), 'start');
  const endMs = parseTimeParam(params.get('end'), 'end');
  if (endMs < startMs) throw new BadParamError('invalid parameter "end": end timestamp must not be before start time');
  const stepMs = parseDurationParam(params.get('step'), 'step');
  if (stepMs <= 0) {
    throw new BadParamError('invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
  }
  if ((endMs - startMs) / stepMs > 11_000) {
    throw new BadParamError('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
  }
  return { startMs, endMs, stepMs };
}

/** Prometheus' float formatting in JSON: Go's strconv 'f' or 'e' (|v| < 1e-6 or ≥ 1e21), -1 precision. */
export function formatPromFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // JS writes 1e-7 / 1.5e+21; Go writes 1e-07 / 1.5e+21 (at least two exponent digits).
  const mantissa = s.slice(0, e);
  const sign = s[e + 1] === '-' ? '-' : '+';
  const digits = s.slice(e + (s[e + 1] === '-' || s[e + 1] === '+' ? 2 : 1));
  return `${mantissa}e${sign}${digits.padStart(2, '0')}`;
}
