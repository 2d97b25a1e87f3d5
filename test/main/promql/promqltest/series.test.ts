import { describe, expect, it } from 'vitest';
import { isStaleNaN } from '../../../../main/tsdb/interface.js';
import { parseSeriesLine, parseSeriesValues } from '../../../../main/promql/promqltest/series.js';

const vals = (text: string): (number | '_')[] => parseSeriesValues(text).map((v) => (v.omitted ? '_' : v.value));

describe('series notation', () => {
  it('expands a+bxn to n+1 values and _xn to n gaps', () => {
    expect(vals('1+2x3')).toEqual([1, 3, 5, 7]);
    expect(vals('10-5x2')).toEqual([10, 5, 0]);
    expect(vals('7x2 _x2 _ 1')).toEqual([7, 7, 7, '_', '_', '_', 1]);
    // Hexadecimal is not allowed in series descriptions: 0x3 means "0 repeated".
    expect(vals('0x3')).toEqual([0, 0, 0, 0]);
    expect(vals('-1+1x2 Inf -Inf')).toEqual([-1, 0, 1, Infinity, -Infinity]);
  });

  it('stale is the staleness marker', () => {
    const v = parseSeriesValues('1 stale');
    expect(isStaleNaN(v[1]!.value)).toBe(true);
  });

  it('parses selectors with quoted names and escapes', () => {
    const s = parseSeriesLine('metric{b="x y", a="q\\"uote"} 1 2');
    expect(s.labels).toEqual([
      { name: '__name__', value: 'metric' },
      { name: 'a', value: 'q"uote' },
      { name: 'b', value: 'x y' },
    ]);
    expect(parseSeriesLine('{"my.metric", x="1"} 5').labels[0]).toEqual({ name: '__name__', value: 'my.metric' });
    expect(parseSeriesLine('{} 5').labels).toEqual([]);
  });

  it('flags native histogram notation instead of misreading it', () => {
    expect(parseSeriesLine('h {{schema:0 sum:1 count:1 buckets:[1]}}x2').histogram).toBe(true);
  });

  it('rejects garbage', () => {
    expect(() => parseSeriesValues('1+x')).toThrow(/bad series value/);
  });
});
