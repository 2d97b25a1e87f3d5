import { describe, expect, it } from 'vitest';
import { formatPromFloat, parseDurationParam, parseRangeParams, parseTimeParam } from '../../../main/api/prom-params.js';

describe('Prometheus API parameters', () => {
  it('parses times as Unix seconds or RFC 3339', () => {
    expect(parseTimeParam('1700000000', 'time')).toBe(1_700_000_000_000);
    expect(parseTimeParam('1700000000.123', 'time')).toBe(1_700_000_000_123);
    expect(parseTimeParam('2023-11-14T22:13:20.5Z', 'time')).toBe(1_700_000_000_500);
    expect(() => parseTimeParam('yesterday', 'time')).toThrow('invalid parameter "time": cannot parse "yesterday" to a valid timestamp');
  });

  it('parses durations as Prometheus durations or float seconds', () => {
    expect(parseDurationParam('15s', 'step')).toBe(15_000);
    expect(parseDurationParam('1h30m', 'step')).toBe(5_400_000);
    expect(parseDurationParam('0.5', 'step')).toBe(500);
    expect(parseDurationParam('1y2w', 'step')).toBe(365 * 86_400_000 + 14 * 86_400_000);
    expect(() => parseDurationParam('abc', 'step')).toThrow(/cannot parse "abc" to a valid duration/);
  });

  it('applies Prometheus range checks with its wording', () => {
    const p = (s: string) => new URLSearchParams(s);
    expect(parseRangeParams(p('start=0&end=60&step=15'))).toEqual({ startMs: 0, endMs: 60_000, stepMs: 15_000 });
    expect(() => parseRangeParams(p('start=60&end=0&step=15'))).toThrow('end timestamp must not be before start time');
    expect(() => parseRangeParams(p('start=0&end=60&step=0'))).toThrow(/zero or negative query resolution step widths are not accepted/);
    expect(() => parseRangeParams(p('start=0&end=100000&step=1'))).toThrow(/exceeded maximum resolution of 11,000 points per timeseries/);
  });

  it('formats floats like Go strconv in Prometheus JSON', () => {
    expect(formatPromFloat(1.5)).toBe('1.5');
    expect(formatPromFloat(1e21)).toBe('1e+21');
    expect(formatPromFloat(1.5e-7)).toBe('1.5e-07');
    expect(formatPromFloat(123456789)).toBe('123456789');
    expect(formatPromFloat(Infinity)).toBe('+Inf');
    expect(formatPromFloat(-Infinity)).toBe('-Inf');
    expect(formatPromFloat(NaN)).toBe('NaN');
  });
});

describe('metric name ranking for completion', async () => {
  const { rankNames } = await import('../../../app/promql/rank-names.js');
  it('puts prefix matches first, then word-boundary, substring and subsequence matches', () => {
    const names = ['xhttp_requests', 'node_http_x', 'http_requests_total', 'h_t_t_p', 'other'];
    expect(rankNames(names, 'http', 10)).toEqual({ names: ['http_requests_total', 'node_http_x', 'xhttp_requests', 'h_t_t_p'], truncated: false });
    expect(rankNames(names, 'http', 1)).toEqual({ names: ['http_requests_total'], truncated: true });
  });

  it('finds a long run of prefix matches in a sorted list without scanning it, with the same answer', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `m_${String(i).padStart(4, '0')}`).sort();
    const fast = rankNames(names, 'm_12', 5);
    expect(fast).toEqual({ names: ['m_1200', 'm_1201', 'm_1202', 'm_1203', 'm_1204'], truncated: true });
    // Too few prefix matches for the shortcut: the full ranking still applies.
    expect(rankNames(names, 'm_4999', 5).names[0]).toBe('m_4999');
  });
});
