// Several stack groups in one panel (Grafana's `custom.stacking.group`), normal and percent.
import { describe, expect, it } from 'vitest';
import type { Panel } from '../../../app/dashboards/model.js';
import { seriesStacking, stackedColumns } from '../../../renderer/dashboards/stacking.js';

const panel: Panel = {
  id: 1,
  type: 'timeseries',
  gridPos: { x: 0, y: 0, w: 12, h: 8 },
  fieldConfig: {
    defaults: { custom: { stacking: { mode: 'percent', group: 'A' } } },
    overrides: [
      { matcher: { id: 'byRegexp', options: '^tx' }, properties: [{ id: 'custom.stacking', value: { mode: 'percent', group: 'B' } }] },
      { matcher: { id: 'byName', options: 'limit' }, properties: [{ id: 'custom.stacking', value: { mode: 'none', group: 'A' } }] },
    ],
  },
};

describe('stack groups', () => {
  it('reads each series’ mode and group from the defaults and overrides', () => {
    expect(seriesStacking(panel, 'rx eth0', 'A')).toEqual({ mode: 'percent', group: 'A' });
    expect(seriesStacking(panel, 'tx eth0', 'A')).toEqual({ mode: 'percent', group: 'B' });
    expect(seriesStacking(panel, 'limit', 'A')).toEqual({ mode: 'none', group: 'A' });
  });

  it('percent: each group sums to 100 % on its own; unstacked and hidden series keep their values', () => {
    const ts = new Float64Array([1000, 2000]);
    const names = ['rx a', 'rx b', 'tx a', 'tx b', 'limit', 'rx hidden'];
    const values = [
      [1, 3],
      [3, 1],
      [10, 0],
      [30, 0],
      [7, 7],
      [100, 100],
    ];
    const cols = stackedColumns(
      ts,
      names.map((n, i) => ({ values: values[i]!, stacking: seriesStacking(panel, n, 'A'), hidden: n === 'rx hidden' })),
    );
    expect(Array.from(cols[0])).toEqual([1, 2]);
    expect(cols[1]).toEqual([0.25, 0.75]);
    expect(cols[2]).toEqual([1, 1]);
    expect(cols[3]).toEqual([0.25, 0]);
    // Group B at t=2000 sums to 0: no division by zero.
    expect(cols[4]).toEqual([1, 0]);
    expect(cols[5]).toEqual([7, 7]);
    expect(cols[6]).toEqual([100, 100]);
  });

  it('normal: groups accumulate separately, gaps stay gaps', () => {
    const normal: Panel = { ...panel, fieldConfig: { defaults: { custom: { stacking: { mode: 'normal', group: 'A' } } }, overrides: [{ matcher: { id: 'byName', options: 'c' }, properties: [{ id: 'custom.stacking.group', value: 'B' }] }] } };
    const cols = stackedColumns(new Float64Array([0, 1000]), [
      { values: [1, 2], stacking: seriesStacking(normal, 'a', 'A'), hidden: false },
      { values: [null, 5], stacking: seriesStacking(normal, 'b', 'A'), hidden: false },
      { values: [4, 4], stacking: seriesStacking(normal, 'c', 'A'), hidden: false },
    ]);
    expect(cols.slice(1)).toEqual([
      [1, 2],
      [null, 7],
      [4, 4],
    ]);
  });
});
