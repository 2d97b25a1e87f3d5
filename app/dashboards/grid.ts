/**
 * Grafana's dashboard grid: 24 columns, rows of 30 px with 8 px gaps, panels placed by `gridPos`.
 * A row panel owns the panels below it up to the next row; a collapsed row keeps them in its own
 * `panels` instead. This module maps the panel list to grid items and back, and collapses and
 * expands rows the way Grafana's DashboardModel.toggleRow does (moving the panels below down or
 * up by the row's height).
 */
import type { GridPos, Panel } from './model.js';

export const gridCellHeight = 30;
export const gridCellMargin = 8;

export interface GridItem {
  /** The panel id as a string (the grid library's key). */
  i: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Rows are full-width bars that do not move or resize on their own. */
  static?: boolean;
}

function clampPos(p: GridPos): GridPos {
  const w = Math.max(1, Math.min(24, Math.round(p.w) || 1));
  const x = Math.max(0, Math.min(24 - w, Math.round(p.x) || 0));
  return { ...p, x, w, y: Math.max(0, Math.round(p.y) || 0), h: Math.max(1, Math.round(p.h) || 1) };
}

/**
 * The grid items of what is on screen: every top-level panel (rows included), clamped to the
 * grid. A repeat copy brings its own key (`gridKey`); others are keyed by id.
 */
export function gridItems(panels: ReadonlyArray<Panel & { gridKey?: string }>): GridItem[] {
  return panels.map((p) => {
    const g = clampPos(p.gridPos);
    const row = p.type === 'row';
    return { i: p.gridKey ?? String(p.id), x: row ? 0 : g.x, y: g.y, w: row ? 24 : g.w, h: row ? 1 : g.h, ...(row ? { static: true } : {}) };
  });
}

/** Panels with the positions the grid reports after a drag or resize (unknown ids untouched). */
export function applyLayout(panels: readonly Panel[], layout: readonly GridItem[]): Panel[] {
  const byId = new Map(layout.map((l) => [l.i, l]));
  const moved = panels.map((p) => {
    const l = byId.get(String(p.id));
    if (!l) return p;
    if (l.x === p.gridPos.x && l.y === p.gridPos.y && l.w === p.gridPos.w && l.h === p.gridPos.h) return p;
    return { ...p, gridPos: { ...p.gridPos, x: l.x, y: l.y, w: l.w, h: l.h } };
  });
  return sortByPosition(moved);
}

/** Grafana keeps `panels` in reading order (top to bottom, then left to right). */
function sortByPosition(panels: readonly Panel[]): Panel[] {
  return [...panels].sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x);
}

/** The panels a row owns while expanded: those after it up to the next row. */
function rowChildren(panels: readonly Panel[], rowId: number): Panel[] {
  const i = panels.findIndex((p) => p.id === rowId);
  if (i < 0) return [];
  const out: Panel[] = [];
  for (const p of panels.slice(i + 1)) {
    if (p.type === 'row') break;
    out.push(p);
  }
  return out;
}

/** Collapses an expanded row (its panels move into it) or expands a collapsed one (they come back). */
export function toggleRow(panels: readonly Panel[], rowId: number): Panel[] {
  const i = panels.findIndex((p) => p.id === rowId);
  const row = panels[i];
  if (row === undefined || row.type !== 'row') return [...panels];
  if (row.collapsed) {
    const children = row.panels ?? [];
    const rowY = row.gridPos.y;
    // Children keep their positions relative to the row; what follows moves down by their height.
    const firstY = children.length > 0 ? Math.min(...children.map((c) => c.gridPos.y)) : rowY + 1;
    const placed = children.map((c) => ({ ...c, gridPos: { ...c.gridPos, y: rowY + 1 + (c.gridPos.y - firstY) } }));
    const height = placed.length > 0 ? Math.max(...placed.map((c) => c.gridPos.y + c.gridPos.h)) - (rowY + 1) : 0;
    const after = panels.slice(i + 1).map((p) => ({ ...p, gridPos: { ...p.gridPos, y: p.gridPos.y + height } }));
    return [...panels.slice(0, i), { ...row, collapsed: false, panels: [] }, ...placed, ...after];
  }
  const children = rowChildren(panels, rowId);
  const height = children.length > 0 ? Math.max(...children.map((c) => c.gridPos.y + c.gridPos.h)) - (row.gridPos.y + 1) : 0;
  const after = panels.slice(i + 1 + children.length).map((p) => ({ ...p, gridPos: { ...p.gridPos, y: p.gridPos.y - height } }));
  return [...panels.slice(0, i), { ...row, collapsed: true, panels: children }, ...after];
}

/** The next free panel id (ids are unique across rows' children too). */
export function nextPanelId(panels: readonly Panel[]): number {
  let max = 0;
  const walk = (ps: readonly Panel[]) => {
    for (const p of ps) {
      max = Math.max(max, p.id);
      if (p.panels) walk(p.panels);
    }
  };
  walk(panels);
  return max + 1;
}

/** A new panel placed at the top, pushing the others down (Grafana's "Add panel"). */
export function addPanel(panels: readonly Panel[], panel: Omit<Panel, 'id' | 'gridPos'>, size: { w: number; h: number } = { w: 12, h: 8 }): Panel[] {
  const p = { ...panel, id: nextPanelId(panels), gridPos: { x: 0, y: 0, w: size.w, h: size.h } } as Panel;
  return [p, ...panels.map((q) => ({ ...q, gridPos: { ...q.gridPos, y: q.gridPos.y + size.h } }))];
}

/** Removes a panel (a row takes its collapsed children with it; an expanded row's stay). */
export function removePanel(panels: readonly Panel[], id: number): Panel[] {
  return panels.filter((p) => p.id !== id);
}
