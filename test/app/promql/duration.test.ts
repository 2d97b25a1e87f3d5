import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, parseDuration } from '../../../app/promql/duration.js';

describe('durations like model.Duration', () => {
  it('parses', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1ms')).toBe(1);
    expect(parseDuration('1y')).toBe(365 * 86_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('1y2w3d4h5m6s7ms')).toBe(365 * 86_400_000 + 17 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6000 + 7);
    expect(parseDuration('0')).toBe(0);
  });

  it.each([
    ['', 'empty duration string'],
    ['5', 'not a valid duration string: "5"'],
    ['1.5h', 'not a valid duration string: "1.5h"'],
    ['1m1h', 'not a valid duration string: "1m1h"'],
    ['h', 'not a valid duration string: "h"'],
  ])('rejects %j', (text, msg) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(msg);
  });

  it('formats', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90 * 86_400_000)).toBe('90d');
    expect(formatDuration(14 * 86_400_000)).toBe('2w');
    expect(formatDuration(365 * 86_400_000)).toBe('1y');
    expect(formatDuration(1500)).toBe('1s500ms');
    expect(formatDuration(-60_000)).toBe('-1m');
  });

  it('round-trips', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 9_000_000_000_000 }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});
