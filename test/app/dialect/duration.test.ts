import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, isDurationLiteral, parseDuration, parseDurationAllowNegative, tryParseDuration } from '../../../app/dialect/duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('durations like model.Duration', () => {
  // prometheus/common model/time_test.go TestParseDuration: input, value, and String() when it differs from the input.
  it.each<[string, number, string?]>([
    ['0', 0, '0s'],
    ['0w', 0, '0s'],
    ['0s', 0],
    ['324ms', 324],
    ['3s', 3 * s],
    ['5m', 5 * m],
    ['1h', h],
    ['4d', 4 * d],
    ['4d1h', 4 * d + h],
    ['14d', 14 * d, '2w'],
    ['3w', 21 * d],
    ['3w2d1h', 23 * d + h, '23d1h'],
    ['10y', 3650 * d],
    ['289y', 289 * 365 * d],
  ])('%s parses and prints as Prometheus does', (text, ms, printed) => {
    expect(parseDuration(text)).toBe(ms);
    expect(formatDuration(ms)).toBe(printed ?? text);
  });

  // TestParseBadDuration, with the messages Debian's promtool 2.42 gives (`promtool check rules`).
  it.each([
    ['1', 'not a valid duration string: "1"'],
    ['1y1m1d', 'not a valid duration string: "1y1m1d"'],
    ['-1w', 'not a valid duration string: "-1w"'],
    ['1.5d', 'not a valid duration string: "1.5d"'],
    ['d', 'not a valid duration string: "d"'],
    ['294y', 'duration out of range'],
    ['200y10400w', 'duration out of range'],
    ['107675d', 'duration out of range'],
    ['2584200h', 'duration out of range'],
    ['', 'empty duration string'],
    ['5m5m', 'not a valid duration string: "5m5m"'],
    ['5x', 'not a valid duration string: "5x"'],
    ['5mss', 'not a valid duration string: "5mss"'],
  ])('refuses %j', (text, msg) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(msg);
    expect(tryParseDuration(text)).toBeNull();
  });

  it('prints 8 days as 8d, not 1w1d (the __scrape_interval__ text)', () => {
    expect(formatDuration(8 * d)).toBe('8d');
    expect(formatDuration(90 * d)).toBe('90d');
    expect(formatDuration(366 * d)).toBe('366d');
    expect(formatDuration(365 * d + h)).toBe('365d1h');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(1500)).toBe('1s500ms');
    expect(formatDuration(-60_000)).toBe('-1m');
  });

  it('negative durations where Prometheus allows them', () => {
    expect(parseDurationAllowNegative('-1m')).toBe(-m);
    expect(parseDurationAllowNegative('1m')).toBe(m);
    expect(() => parseDurationAllowNegative('-')).toThrow('empty duration string');
  });

  it('duration literals need a unit', () => {
    expect(isDurationLiteral('5m')).toBe(true);
    expect(isDurationLiteral('0s')).toBe(true);
    expect(isDurationLiteral('0')).toBe(false);
    expect(isDurationLiteral('5')).toBe(false);
  });

  it('round-trips', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 9_000_000_000_000 }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});
