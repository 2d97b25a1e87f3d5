import { describe, expect, it } from 'vitest';
import { expandSeriesValues, maxExpandedValues, parseSeriesLine, parseSeriesSelector, SeriesNotationError } from '../../../main/promql/series-notation.js';
import { isStaleNaN } from '../../../main/tsdb/interface.js';
import { labelsToRecord } from '../../../main/tsdb/labels.js';

const _ = '_';
const show = (text: string): (number | '_' | 'stale')[] =>
  expandSeriesValues(text).map((v) => (v.omitted ? _ : isStaleNaN(v.value) ? 'stale' : v.value));

describe('promtool series notation', () => {
  // promql/parser/parse_test.go testSeries: input, metric, values (`none` there is `_` here).
  it.each<[string, Record<string, string>, (number | '_')[]]>([
    ['{} 1 2 3', {}, [1, 2, 3]],
    ['{a="b"} -1 2 3', { a: 'b' }, [-1, 2, 3]],
    ['my_metric 1 2 3', { __name__: 'my_metric' }, [1, 2, 3]],
    ['my_metric{} 1 2 3', { __name__: 'my_metric' }, [1, 2, 3]],
    ['my_metric{a="b"} 1 2 3', { __name__: 'my_metric', a: 'b' }, [1, 2, 3]],
    ['my_metric{a="b"} 1 2 3-10x4', { __name__: 'my_metric', a: 'b' }, [1, 2, 3, -7, -17, -27, -37]],
    ['my_metric{a="b"} 1 2 3-0x4', { __name__: 'my_metric', a: 'b' }, [1, 2, 3, 3, 3, 3, 3]],
    ['my_metric{a="b"} 1 3 _ 5 _x4', { __name__: 'my_metric', a: 'b' }, [1, 3, _, 5, _, _, _, _]],
    ['my_metric{a="b"} 1 -1', { __name__: 'my_metric', a: 'b' }, [1, -1]],
    ['my_metric{a="b"} 1 +1', { __name__: 'my_metric', a: 'b' }, [1, 1]],
    ['my_metric{a="b"} 1 -1 -3-10x4 7 9 +5', { __name__: 'my_metric', a: 'b' }, [1, -1, -3, -13, -23, -33, -43, 7, 9, 5]],
    ['my_metric{a="b"} 1 +1 +4 -6 -2 8', { __name__: 'my_metric', a: 'b' }, [1, 1, 4, -6, -2, 8]],
    ['my_metric{a="b"} 1 2 3    ', { __name__: 'my_metric', a: 'b' }, [1, 2, 3]],
    ['my_metric{a="\\u70ac"} 1 2 3', { __name__: 'my_metric', a: '炬' }, [1, 2, 3]],
    ['my_metric{a="\\u70ac = torch"} 1 2 3', { __name__: 'my_metric', a: '炬 = torch' }, [1, 2, 3]],
  ])('%s', (line, labels, values) => {
    const s = parseSeriesLine(line);
    expect(labelsToRecord(s.labels)).toEqual(labels);
    expect(s.values.map((v) => (v.omitted ? _ : v.value))).toEqual(values);
  });

  it.each(['my_metric{a="b"} 1 3 _ 5 _a4', 'my_metric{a="b"} -3-3 -3', 'my_metric{a="b"} -3 -3-3', 'my_metric{a="b"} -3 _-2', 'my_metric{a="b"} -3 3+3x4-4'])(
    'refuses %s, as Prometheus does',
    (line) => {
      expect(() => parseSeriesLine(line)).toThrow(SeriesNotationError);
    },
  );

  // Prometheus builds a+bxN by repeated addition. Debian's promtool 2.42 on `values: '0.1+0.1x10'`
  // answers `x == bool 1.1` with 0 at the last step, and on `1-0.1x10` leaves 1.3877787807814457e-16.
  it('a+bxN accumulates as Prometheus does, so float rounding matches', () => {
    expect(show('0.1+0.1x10').at(-1)).toBe(1.0999999999999999);
    expect(show('1-0.1x10').at(-1)).toBe(1.3877787807814457e-16);
  });

  it('expands N+1 values for axN and a+bxN, N gaps for _xN, and stale markers', () => {
    expect(show('7x2 _x2 _ 1 stale')).toEqual([7, 7, 7, _, _, _, 1, 'stale']);
    // No hexadecimal in series values: 0x3 is 0 and three more.
    expect(show('0x3')).toEqual([0, 0, 0, 0]);
    expect(show('-1+1x2 Inf -Inf')).toEqual([-1, 0, 1, Infinity, -Infinity]);
    expect(Number.isNaN(show('NaN')[0])).toBe(true);
  });

  it('bounds the expansion and names the bad value', () => {
    expect(() => expandSeriesValues(`1+1x${maxExpandedValues}`)).toThrow(/more than 1000000 values/);
    expect(() => expandSeriesValues('1 x 2')).toThrow('invalid value "x"');
    expect(() => expandSeriesValues('1+x')).toThrow('invalid value "1+x"');
  });

  it('parseSeriesSelector: exact labels, quoted and UTF-8 names, Go escapes; one Labels type', () => {
    expect(labelsToRecord(parseSeriesSelector(' {__name__="x", a="b\\"c"} '))).toEqual({ __name__: 'x', a: 'b"c' });
    expect(parseSeriesSelector('metric{b="x y", a="q"}')).toEqual([
      { name: '__name__', value: 'metric' },
      { name: 'a', value: 'q' },
      { name: 'b', value: 'x y' },
    ]);
    expect(labelsToRecord(parseSeriesSelector('{"my.metric", "a.b"="1"}'))).toEqual({ __name__: 'my.metric', 'a.b': '1' });
    expect(() => parseSeriesSelector('up{a="b"')).toThrow(/unterminated|expected/);
    expect(() => parseSeriesSelector('up{a=~"b"}')).toThrow(/exact labels only/);
    expect(() => parseSeriesSelector('up{a!="b"}')).toThrow(/exact labels only/);
    expect(() => parseSeriesSelector('up{a="b"} 1')).toThrow(/unexpected text after the series/);
    expect(() => parseSeriesSelector('')).toThrow(/expected a series/);
  });

  it('flags native histogram notation instead of misreading it', () => {
    expect(parseSeriesLine('h {{schema:0 sum:1 count:1 buckets:[1]}}x2').histogram).toBe(true);
  });
});
