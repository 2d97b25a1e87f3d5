/**
 * Grafana's repeated panels and rows (`repeat`, `repeatDirection`, `maxPerRow`), as its
 * DashboardModel.processRepeats does them: a panel or row whose `repeat` names a variable is
 * drawn once per selected value (every option for "All"), each copy seeing that one value
 * (`scopedVars`). The first copy is the panel itself; the others get new ids and
 * `repeatPanelId` (and `repeatedByRow` inside a repeated row). Horizontal copies share the row
 * (width max(24 / n, 24 / maxPerRow), maxPerRow 4 by default) and wrap; vertical ones stack.
 * Panels below move down by what was inserted.
 *
 * Copies exist only on screen: the stored and exported dashboard holds the panel once, as
 * Grafana's save model does ({@link withoutRepeatCopies}).
 */
import { gridColumns, type Panel } from './model.js';
import { nextPanelId } from './grid.js';
import { allValue, type ResolvedVariable, type VariableOption } from './variables.js';

/** A panel as drawn: a repeat copy knows its source and the values it stands for. */
export interface ShownPanel extends Panel {
  /** The id of the panel or row this one copies. */
  repeatPanelId?: number;
  /** Set on the panels of a copied row. */
  repeatedByRow?: boolean;
  /** The repeat variables' values for this copy (name → option). */
  scopedVars?: Record<string, VariableOption>;
  /**
   * The grid's key for a copy: its source and values, so a copy keeps its element (and its
   * data) when other copies come and go, which its allocated id would not.
   */
  gridKey?: string;
}

const isCopy = (p: Panel): boolean => {
  const s = p as ShownPanel;
  return (typeof s.repeatPanelId === 'number' && s.repeatPanelId !== p.id) || s.gridKey !== undefined || s.repeatedByRow === true || (p as { repeatIteration?: unknown }).repeatIteration != null;
};

/**
 * The save model of a panel list: repeat copies (also inside collapsed rows) dropped, and the
 * drawing-only fields (`scopedVars`, `repeatPanelId`, …) removed from what is left.
 */
export function withoutRepeatCopies(panels: readonly Panel[]): Panel[] {
  return panels.filter((p) => !isCopy(p)).map((p) => {
    const { scopedVars: _s, repeatPanelId: _r, repeatedByRow: _b, repeatIteration: _i, gridKey: _k, ...rest } = p as ShownPanel & { repeatIteration?: unknown };
    return (p.panels ? { ...rest, panels: withoutRepeatCopies(p.panels) } : rest) as Panel;
  });
}

/** The options a repeat stands for: the selected ones, or every option when All is selected. */
export function repeatOptions(v: ResolvedVariable | undefined): VariableOption[] {
  if (!v || v.error !== null) return [];
  if (v.selected.includes(allValue)) return v.options.filter((o) => o.value !== allValue);
  return v.selected.map((value) => v.options.find((o) => o.value === value) ?? { text: value, value });
}

/**
 * The variables as one repeat copy sees them: each scoped variable has just its copy's value
 * (still multi/All-typed, so PromQL gets it regex-escaped as Grafana sends it).
 */
export function scopedVariables(variables: ReadonlyMap<string, ResolvedVariable>, scoped: Readonly<Record<string, VariableOption>> | undefined): ReadonlyMap<string, ResolvedVariable> {
  if (!scoped || Object.keys(scoped).length === 0) return variables;
  const out = new Map(variables);
  for (const [name, option] of Object.entries(scoped)) {
    const v = variables.get(name);
    out.set(name, { ...(v ?? { name, type: 'custom', multi: false, includeAll: false, options: [], error: null }), customAll: null, selected: [option.value], options: [option] });
  }
  return out;
}

class IdSource {
  private next: number;
  constructor(panels: readonly Panel[]) {
    this.next = nextPanelId(panels);
  }
  take(): number {
    return this.next++;
  }
}

const withScope = (p: Panel, name: string, option: VariableOption): ShownPanel => ({ ...p, scopedVars: { ...(p as ShownPanel).scopedVars, [name]: option } });

/** Marks `copy` as the repeat of `source` with a new id. */
function asCopy(copy: ShownPanel, source: Panel, ids: IdSource, byRow: boolean): void {
  copy.id = ids.take();
  copy.repeatPanelId = source.id;
  copy.gridKey = `${source.id}:${JSON.stringify(Object.values(copy.scopedVars ?? {}).map((o) => o.value))}`;
  if (byRow) copy.repeatedByRow = true;
}
const bottom = (ps: readonly Panel[]): number => Math.max(0, ...ps.map((p) => p.gridPos.y + p.gridPos.h));

/** A panel repeated in place; returns the copies and how far the panels below must move. */
function repeatPanel(panel: Panel, options: readonly VariableOption[], name: string, ids: IdSource, byRow: boolean): { copies: ShownPanel[]; grow: number } {
  const copies: ShownPanel[] = [];
  const maxPerRow = panel.maxPerRow && panel.maxPerRow > 0 ? panel.maxPerRow : 4;
  const w = Math.max(1, Math.floor(Math.max(gridColumns / options.length, gridColumns / maxPerRow)));
  let x = 0;
  let y = panel.gridPos.y;
  options.forEach((option, i) => {
    const copy = withScope(panel, name, option);
    if (i > 0) {
      asCopy(copy, panel, ids, byRow);
      delete copy.repeat;
    }
    if (panel.repeatDirection === 'v') {
      if (i > 0) y += panel.gridPos.h;
      copy.gridPos = { ...panel.gridPos, y };
    } else {
      copy.gridPos = { ...panel.gridPos, x, y, w };
      x += w;
      if (x + w > gridColumns && i < options.length - 1) {
        x = 0;
        y += panel.gridPos.h;
      }
    }
    copies.push(copy);
  });
  return { copies, grow: y - panel.gridPos.y };
}

/** Panel repeats within a list (a row's panels or the top level without rows); panels below move down. */
function expandPanels(panels: readonly Panel[], variables: ReadonlyMap<string, ResolvedVariable>, ids: IdSource, byRow: boolean): ShownPanel[] {
  const out: ShownPanel[] = [];
  // Moves in original coordinates: a panel at or below `fromY` moves down by `by`.
  const moves: Array<{ fromY: number; by: number }> = [];
  const shift = (p: Panel): number => moves.reduce((s, m) => (p.gridPos.y >= m.fromY ? s + m.by : s), 0);
  for (const p of panels) {
    const dy = shift(p);
    const placed = dy === 0 ? p : { ...p, gridPos: { ...p.gridPos, y: p.gridPos.y + dy } };
    const options = p.repeat && p.type !== 'row' ? repeatOptions(variables.get(p.repeat)) : [];
    if (options.length === 0) {
      out.push(placed);
      continue;
    }
    const { copies, grow } = repeatPanel(placed, options, p.repeat!, ids, byRow);
    out.push(...copies);
    if (grow > 0) moves.push({ fromY: p.gridPos.y + p.gridPos.h, by: grow });
  }
  return out;
}

/** The dashboard's panels as drawn for these variable values: every repeat expanded. */
export function expandRepeats(panels: readonly Panel[], variables: ReadonlyMap<string, ResolvedVariable>): ShownPanel[] {
  const source = withoutRepeatCopies(panels);
  const ids = new IdSource(source);
  // Split into blocks: panels before the first row, then each row with the panels it owns.
  const blocks: Array<{ row: Panel | null; children: Panel[] }> = [{ row: null, children: [] }];
  for (const p of source) {
    if (p.type === 'row') blocks.push({ row: p, children: [] });
    else blocks[blocks.length - 1]!.children.push(p);
  }
  const out: ShownPanel[] = [];
  let shift = 0;
  for (const { row, children } of blocks) {
    const moved = (p: Panel): Panel => (shift === 0 ? p : { ...p, gridPos: { ...p.gridPos, y: p.gridPos.y + shift } });
    if (row === null) {
      const shown = expandPanels(children, variables, ids, false);
      out.push(...shown);
      shift += Math.max(0, bottom(shown) - bottom(children));
      continue;
    }
    const options = row.repeat ? repeatOptions(variables.get(row.repeat)) : [];
    if (options.length === 0) {
      const r = moved(row);
      // Panels listed after a collapsed row are not its own (those are inside it): they pass through.
      if (r.collapsed) out.push(r, ...expandPanels(children.map(moved), variables, ids, false));
      else {
        const shown = expandPanels(children.map(moved), variables, ids, false);
        out.push(r, ...shown);
        shift += Math.max(0, bottom(shown) - bottom([r, ...children.map(moved)]));
      }
      continue;
    }
    const name = row.repeat!;
    const start = row.gridPos.y + shift;
    let y = start;
    options.forEach((option, i) => {
      const copyRow: ShownPanel = { ...withScope(row, name, option), gridPos: { ...row.gridPos, y } };
      if (i > 0) {
        asCopy(copyRow, row, ids, false);
        delete copyRow.repeat;
      }
      if (row.collapsed) {
        // A collapsed copy holds its scoped panels inside (new ids for the copies' panels).
        copyRow.panels = (row.panels ?? []).map((c) => {
          const s = withScope(c, name, option);
          if (i > 0) asCopy(s, c, ids, true);
          return s;
        });
        out.push(copyRow);
        y += 1;
        return;
      }
      const scoped = children.map((c) => {
        const s: ShownPanel = { ...withScope(c, name, option), gridPos: { ...c.gridPos, y: c.gridPos.y - row.gridPos.y + y } };
        if (i > 0) asCopy(s, c, ids, true);
        return s;
      });
      const shown = expandPanels(scoped, scopedVariables(variables, copyRow.scopedVars), ids, i > 0);
      out.push(copyRow, ...shown);
      y = Math.max(y + 1, bottom(shown));
    });
    const originalHeight = row.collapsed ? 1 : Math.max(1, bottom([row, ...children]) - row.gridPos.y);
    shift += y - start - originalHeight;
    if (row.collapsed) out.push(...expandPanels(children.map((p) => ({ ...p, gridPos: { ...p.gridPos, y: p.gridPos.y + shift } })), variables, ids, false));
  }
  return out;
}
