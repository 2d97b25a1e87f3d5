import { describe, expect, it } from 'vitest';
import { columnExtent, columnsFromWire, isFiniteColumn, plotValues } from '../../renderer/api/range-columns.js';
import { mergeRange, toAligned, toCsv } from '../../renderer/explore/series-data.js';

describe('range answers as chart columns', () => {
  it('keeps a dense series as its Float64Array and turns gaps and NaN into null', () => {
    const dense = new Float64Array([1, 2, Infinity]);
    expect(plotValues(dense, null)).toBe(dense);
    expect(plotValues(new Float64Array([1, 0, 3]), new Uint8Array([1, 0, 1]))).toEqual([1, null, 3]);
    expect(plotValues(new Float64Array([1, NaN, 3]), null)).toEqual([1, null, 3]);
  });

  it('knows which columns hold a finite value at every step', () => {
    const finite = new Float64Array([1, 2, 3]);
    expect(plotValues(finite, null)).toBe(finite);
    expect(isFiniteColumn(finite)).toBe(true);
    expect(isFiniteColumn(plotValues(new Float64Array([1, 2, 3]), new Uint8Array([1, 1, 1])))).toBe(true);
    const inf = new Float64Array([1, -Infinity, 3]);
    expect(plotValues(inf, null)).toBe(inf);
    expect(isFiniteColumn(inf)).toBe(false);
    expect(isFiniteColumn(plotValues(new Float64Array([1, 0, 3]), new Uint8Array([1, 0, 1])) as object)).toBe(false);
    expect(isFiniteColumn(new Float64Array([1, 2, 3]))).toBe(false);
  });

  it("finds a column's extent as uPlot's auto-ranging does: null skipped, ±Inf counted", () => {
    expect(columnExtent(plotValues(new Float64Array([3, -2, 7, 1]), null))).toEqual([-2, 7]);
    expect(columnExtent(plotValues(new Float64Array([5, 0, -1]), new Uint8Array([1, 0, 1])))).toEqual([-1, 5]);
    expect(columnExtent([null, 4, null, 2])).toEqual([2, 4]);
    expect(columnExtent(new Float64Array([1, Infinity, 2]))).toEqual([1, Infinity]);
    expect(columnExtent([null, null])).toEqual([Infinity, -Infinity]);
    expect(columnExtent(new Float64Array(0))).toEqual([Infinity, -Infinity]);
  });

  it('reads the contract wire values the same way', () => {
    const cols = columnsFromWire({
      resultType: 'matrix',
      timestamps: [1000, 2000, 3000],
      series: [
        { labels: { __name__: 'a' }, values: [1, '+Inf', 2] },
        { labels: { __name__: 'b' }, values: [null, 'NaN', 5] },
      ],
    });
    expect(cols.timestamps).toEqual(new Float64Array([1000, 2000, 3000]));
    expect(cols.series[0]!.values).toEqual(new Float64Array([1, Infinity, 2]));
    expect(cols.series[1]!.values).toEqual([null, null, 5]);
  });

  it('stacks typed and gappy series bottom-up and exports what is shown', () => {
    const plot = mergeRange([
      {
        panel: 0,
        result: {
          timestamps: new Float64Array([1000, 2000]),
          series: [
            { labels: { __name__: 'a' }, values: new Float64Array([1, 2]) },
            { labels: { __name__: 'b' }, values: [null, 10] },
          ],
        },
      },
    ]);
    const [xs, a, b] = toAligned(plot, true, new Set());
    expect(Array.from(xs as Float64Array)).toEqual([1, 2]);
    expect(Array.from(a as Float64Array)).toEqual([1, 2]);
    expect(b).toEqual([null, 12]);
    expect(toAligned(plot, false, new Set())[1]).toBe(plot.series[0]!.values);
    // Percent: each one's share of |total| stacked, so the top is 1; hidden series do not count.
    const [, pa, pb] = toAligned(plot, 'percent', new Set());
    expect(Array.from(pa as Float64Array)).toEqual([1, 2 / 12]);
    expect(pb).toEqual([null, 1]);
    expect(Array.from(toAligned(plot, 'percent', new Set([plot.series[1]!.label]))[1] as Float64Array)).toEqual([1, 1]);
    expect(toCsv(plot, new Set(['b']))).toBe('timestamp,"a"\n1970-01-01T00:00:01.000Z,1\n1970-01-01T00:00:02.000Z,2\n');
  });
});
