import { describe, expect, it } from 'vitest';
import { addPanel, applyLayout, gridItems, nextPanelId, removePanel, toggleRow } from '../../../app/dashboards/grid.js';
import type { Panel } from '../../../app/dashboards/model.js';

const p = (id: number, x: number, y: number, w: number, h: number, type = 'timeseries'): Panel => ({ id, type, gridPos: { x, y, w, h } });
const ys = (ps: Panel[]) => ps.map((q) => [q.id, q.gridPos.y]);

describe('grid mapping', () => {
  it('maps gridPos to grid items; rows are full width, one unit high and static', () => {
    expect(gridItems([p(1, 0, 0, 12, 8), { ...p(2, 5, 8, 3, 4, 'row') }])).toEqual([
      { i: '1', x: 0, y: 0, w: 12, h: 8 },
      { i: '2', x: 0, y: 8, w: 24, h: 1, static: true },
    ]);
  });
  it('clamps positions outside the 24 columns', () => {
    expect(gridItems([p(1, 20, -3, 12, 0)])).toEqual([{ i: '1', x: 12, y: 0, w: 12, h: 1 }]);
  });
  it('applies a drag/resize back to gridPos and keeps reading order', () => {
    const out = applyLayout([p(1, 0, 0, 12, 8), p(2, 12, 0, 12, 8)], [
      { i: '1', x: 0, y: 8, w: 24, h: 6 },
      { i: '2', x: 12, y: 0, w: 12, h: 8 },
    ]);
    expect(out.map((q) => [q.id, q.gridPos])).toEqual([
      [2, { x: 12, y: 0, w: 12, h: 8 }],
      [1, { x: 0, y: 8, w: 24, h: 6 }],
    ]);
  });
});

describe('rows (Grafana toggleRow)', () => {
  const panels: Panel[] = [p(1, 0, 0, 24, 4), p(10, 0, 4, 24, 1, 'row'), p(2, 0, 5, 12, 8), p(3, 12, 5, 12, 6), p(20, 0, 13, 24, 1, 'row'), p(4, 0, 14, 24, 8)];
  it('collapsing moves the row’s panels into it and pulls what follows up', () => {
    const c = toggleRow(panels, 10);
    expect(c.map((q) => q.id)).toEqual([1, 10, 20, 4]);
    expect(c[1]!.collapsed).toBe(true);
    expect(c[1]!.panels!.map((q) => q.id)).toEqual([2, 3]);
    expect(ys(c)).toEqual([[1, 0], [10, 4], [20, 5], [4, 6]]);
  });
  it('expanding puts them back below the row and pushes what follows down (round trip)', () => {
    expect(toggleRow(toggleRow(panels, 10), 10).map((q) => [q.id, q.gridPos.y, q.collapsed ?? null])).toEqual(
      panels.map((q) => [q.id, q.gridPos.y, q.id === 10 ? false : null]),
    );
  });
});

describe('adding and removing panels', () => {
  it('a new panel goes on top with a fresh id, counting ids inside collapsed rows', () => {
    const collapsed: Panel[] = [{ ...p(5, 0, 0, 24, 1, 'row'), collapsed: true, panels: [p(9, 0, 1, 12, 8)] }];
    expect(nextPanelId(collapsed)).toBe(10);
    const out = addPanel(collapsed, { type: 'timeseries', title: 'New' });
    expect(out[0]).toMatchObject({ id: 10, gridPos: { x: 0, y: 0, w: 12, h: 8 } });
    expect(out[1]!.gridPos.y).toBe(8);
    expect(removePanel(out, 10)).toHaveLength(1);
  });
});
