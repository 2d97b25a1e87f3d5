import { describe, expect, it } from 'vitest';
import { formatDuration, parseByteSize, parseDuration } from '../../../main/config/duration.js';

describe('durations and sizes', () => {
  it.each([
    ['0', 0],
    ['15s', 15_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['5x', null],
    ['', null],
    ['30s1m', null], // units largest first, as Prometheus requires
    ['1.5h', null],
  ])('parseDuration(%j) = %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('formatDuration prints what Prometheus prints', () => {
    expect([0, 500, 15_000, 60_000, 90_000, 3_600_000, 5_400_000].map(formatDuration)).toEqual(['0s', '500ms', '15s', '1m', '1m30s', '1h', '1h30m']);
  });

  it.each([
    ['10MB', 10 * 1024 * 1024],
    ['512KiB', 512 * 1024],
    ['1GB', 1024 ** 3],
    ['0', 0],
    ['100B', 100],
    ['10 parsecs', null],
    ['MB', null],
  ])('parseByteSize(%j) = %s', (text, n) => {
    expect(parseByteSize(text)).toBe(n);
  });
});
