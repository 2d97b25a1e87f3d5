import { describe, expect, it } from 'vitest';
import { lonePoints, yAxisWidth, yRange } from '../../../renderer/charts/y-scale.js';

describe('y range of a time series chart', () => {
  it('puts a flat or single-point series in the middle of an axis proportional to its value', () => {
    const v = 82_816_933_888; // 77.1 GiB available, one sample after a fresh start
    const [lo, hi] = yRange(v, v, false);
    expect(lo).toBeLessThan(v);
    expect(hi).toBeGreaterThan(v);
    // A range of 1 byte at 8e10 gave uPlot ticks 0.2 bytes apart, labelled with 4 decimals.
    expect(hi - lo).toBeGreaterThanOrEqual(0.1 * v);
    expect(v - lo).toBeCloseTo(hi - v, 0);
  });

  it('pads a constant 0 by 1, negative values the same way, and keeps 0 when asked to start there', () => {
    expect(yRange(0, 0, false)).toEqual([-1, 1]);
    const [lo, hi] = yRange(-50, -50, false);
    expect(lo).toBeLessThan(-50);
    expect(hi).toBeGreaterThan(-50);
    expect(yRange(10, 10, true)).toEqual([0, 11]);
  });

  it('leaves a varying series its data range (from zero when asked); no data gets 0–1', () => {
    expect(yRange(3, 8, false)).toEqual([3, 8]);
    expect(yRange(3, 8, true)).toEqual([0, 8]);
    expect(yRange(-3, -1, true)).toEqual([-3, 0]);
    expect(yRange(null, null, false)).toEqual([0, 1]);
  });
});

describe('lone points', () => {
  it('are values with no value on either side, which a line cannot draw', () => {
    expect(lonePoints([null, null, 5], 0, 2)).toEqual([2]);
    expect(lonePoints([7, null, 1, 2, null, 4], 0, 5)).toEqual([0, 5]);
    expect(lonePoints(Float64Array.from([1, 2, 3]), 0, 2)).toBeNull();
    expect(lonePoints([null, NaN, 3, null], 0, 3)).toEqual([2]);
  });
  it('are judged inside the drawn window', () => {
    expect(lonePoints([1, 2, 3], 2, 2)).toEqual([2]);
    expect(lonePoints(Float64Array.from([1, 2, 3]), 2, 2)).toEqual([2]);
  });
  it('are found in a typed column that holds infinities (the gap-free shortcut does not hide them)', () => {
    expect(lonePoints(Float64Array.from([1, Infinity, 3, 4, -Infinity, 6]), 0, 5)).toEqual([0, 5]);
  });
});

describe('y axis width', () => {
  it('fits the longest label instead of clipping its start', () => {
    expect(yAxisWidth(['77.1064 GiB'])).toBeGreaterThan(yAxisWidth(['5']));
    expect(yAxisWidth(['77.1064 GiB'])).toBeGreaterThanOrEqual(11 * 7);
    expect(yAxisWidth([])).toBe(50);
  });
});
