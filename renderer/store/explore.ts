import { create } from 'zustand';
import type { WorkbenchApi } from '../../app/api/channels.js';
import { ApiError } from '../../app/api/errors.js';
import type { InstantQueryResponse, QueryStats } from '../../app/api/query.js';
import { queryRangeColumns } from '../api/client.js';
import type { RangeColumnsResponse } from '../api/range-columns.js';
import { defaultView, type ExploreView, type PanelState, type Resolution, type Tab, type TimeRange } from '../../app/app-urls.js';
import { resolveRange, resolveStep } from '../explore/url-state.js';
import { addToHistory } from '../explore/history.js';

export interface PanelResult {
  range: RangeColumnsResponse | null;
  instant: InstantQueryResponse | null;
  error: string | null;
  stats: QueryStats | null;
}

export interface ExploreSlice extends ExploreView {
  results: Array<PanelResult | null>;
  running: boolean;
  /** Series hidden from the graph by the user (by legend label). */
  hidden: ReadonlySet<string>;
  /** Time the last run resolved a relative range at, so the view is reproducible. */
  lastRunAt: number | null;
  /**
   * Why the queries were held back instead of run (the engine estimated them too heavy, or they
   * were running when the engine last stopped unexpectedly); the user may run them anyway.
   */
  held: string | null;
  setQuery(index: number, query: string): void;
  togglePanel(index: number): void;
  addPanel(): void;
  removePanel(index: number): void;
  setRange(range: TimeRange): void;
  setResolution(resolution: Resolution): void;
  setTab(tab: Tab): void;
  setStacked(stacked: boolean): void;
  setYFromZero(on: boolean): void;
  toggleSeries(label: string, show: boolean): void;
  loadView(view: ExploreView): void;
  /** Shows why the view's queries were not run (see `held`). */
  holdBack(reason: string): void;
  /** The view as it stands, for the page's URL. */
  view(): ExploreView;
  run(api: WorkbenchApi, widthPx?: number, force?: boolean): Promise<void>;
}

let runSeq = 0;
let active: { controllers: AbortController[]; ids: string[] } | null = null;

function cancelActive(api: WorkbenchApi): void {
  if (!active) return;
  for (const c of active.controllers) c.abort();
  for (const id of active.ids) void api.cancelQuery({ queryId: id }).catch(() => {});
  active = null;
}

function describe(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/** Explore's state: the view (URL-encoded) plus the last results. One slice for the page. */
export const useExploreStore = create<ExploreSlice>((set, get) => ({
  ...defaultView,
  results: [],
  running: false,
  hidden: new Set(),
  lastRunAt: null,
  held: null,
  setQuery: (index, query) => set((s) => ({ panels: s.panels.map((p, i) => (i === index ? { ...p, query } : p)) })),
  togglePanel: (index) => set((s) => ({ panels: s.panels.map((p, i) => (i === index ? { ...p, enabled: !p.enabled } : p)) })),
  addPanel: () => set((s) => ({ panels: [...s.panels, { query: '', enabled: true }] })),
  removePanel: (index) =>
    set((s) => ({
      panels: s.panels.length > 1 ? s.panels.filter((_, i) => i !== index) : s.panels,
      results: s.results.filter((_, i) => i !== index),
    })),
  setRange: (range) => set({ range }),
  setResolution: (resolution) => set({ resolution }),
  setTab: (tab) => set({ tab }),
  setStacked: (stacked) => set({ stacked }),
  setYFromZero: (yFromZero) => set({ yFromZero }),
  toggleSeries: (label, show) =>
    set((s) => {
      const hidden = new Set(s.hidden);
      if (show) hidden.delete(label);
      else hidden.add(label);
      return { hidden };
    }),
  loadView: (view) => set({ ...view }),
  holdBack: (reason) => set({ held: reason, running: false }),
  view: () => {
    const s = get();
    return { panels: s.panels, range: s.range, resolution: s.resolution, tab: s.tab, stacked: s.stacked, yFromZero: s.yFromZero };
  },
  async run(api, widthPx = 1000, force = false) {
    cancelActive(api);
    const seq = ++runSeq;
    const { panels, range, resolution, tab } = get();
    const now = Date.now();
    const { startMs, endMs } = resolveRange(range, now);
    const step = resolveStep(resolution, startMs, endMs, widthPx);
    if (!force) {
      // Ask the engine what the queries would cost before running them; warn when too heavy.
      const estimates = await Promise.all(
        panels.map((p) => (p.enabled && p.query.trim() !== '' ? api.estimateQuery({ query: p.query, start: startMs, end: endMs }).catch(() => null) : null)),
      );
      if (seq !== runSeq) return;
      const heavy = estimates.map((e, i) => (e?.tooHeavy ? `Query ${i + 1}: ${e.reason}` : null)).filter((x) => x !== null);
      if (heavy.length > 0) {
        set({ held: heavy.join('\n'), running: false });
        return;
      }
    }
    set({ held: null });
    performance.mark('vigil:query:start');
    const controllers = panels.map(() => new AbortController());
    const ids = panels.map((_, i) => `q${seq}-${i}-${Math.random().toString(36).slice(2, 8)}`);
    active = { controllers, ids };
    set({ running: true, lastRunAt: now });
    const results = await Promise.all(
      panels.map(async (panel: PanelState, i): Promise<PanelResult | null> => {
        if (!panel.enabled || panel.query.trim() === '') return null;
        addToHistory(panel.query);
        try {
          if (tab === 'table') {
            const instant = await api.query({ query: panel.query, time: endMs, queryId: ids[i] });
            return { range: null, instant, error: null, stats: instant.stats };
          }
          const rangeAnswer = await queryRangeColumns(api, { query: panel.query, start: startMs, end: endMs, step, queryId: ids[i] });
          return { range: rangeAnswer, instant: null, error: null, stats: rangeAnswer.stats };
        } catch (err) {
          return { range: null, instant: null, error: describe(err), stats: null };
        }
      }),
    );
    performance.mark('vigil:query:end');
    if (seq !== runSeq) return; // a newer run replaced this one
    active = null;
    set({ results, running: false });
  },
}));
