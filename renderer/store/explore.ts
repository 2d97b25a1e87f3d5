import { create } from 'zustand';
import type { RequestOf } from '../../app/api/channels.js';
import type { InstantQueryResponse, QueryStats } from '../../app/api/query.js';
import { queryRangeColumns } from '../api/client.js';
import { QueryCache, type QueryError } from '../api/query-cache.js';
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
  /** Shows or hides the exemplars of one query on the graph. */
  toggleExemplars(index: number): void;
  addPanel(): void;
  removePanel(index: number): void;
  setRange(range: TimeRange): void;
  setResolution(resolution: Resolution): void;
  setTab(tab: Tab): void;
  setStacked(stacked: boolean): void;
  setYFromZero(on: boolean): void;
  toggleSeries(label: string, show: boolean): void;
  /** The remote data source queries and completion go to (undefined or "vigil": this engine). */
  setSource(source: string | undefined): void;
  loadView(view: ExploreView): void;
  /** Shows why the view's queries were not run (see `held`). */
  holdBack(reason: string): void;
  /** The view as it stands, for the page's URL. */
  view(): ExploreView;
  /**
   * Runs the view's queries through the renderer's query cache (renderer/api/query-cache.ts):
   * answers are shared with any other reader of the same query and range, a newer run cancels
   * the older one's reads (in the engine too), and errors take the cache's one shape.
   */
  run(queries: QueryCache, widthPx?: number, force?: boolean): Promise<void>;
}

type PanelRead = { name: 'query'; request: RequestOf<'query'> } | { name: 'queryRange'; request: RequestOf<'queryRange'> };

let runSeq = 0;
/** The reads of the run in progress, cancelled when a newer run starts. */
let active: PanelRead[] = [];

function cancelActive(queries: QueryCache): void {
  for (const r of active) queries.cancel(r.name, r.request);
  active = [];
}

/** A panel whose read failed (or was cancelled: then a newer run's results replace it). */
function failed(error: QueryError | null): PanelResult {
  return { range: null, instant: null, error: error?.detail ?? 'cancelled', stats: null };
}

async function readPanel(queries: QueryCache, read: PanelRead): Promise<PanelResult> {
  addToHistory(read.request.query);
  if (read.name === 'query') {
    const { data, error } = await queries.fetch('query', read.request);
    return data !== undefined && error === null ? { range: null, instant: data, error: null, stats: data.stats } : failed(error);
  }
  const request = read.request;
  const { data, error } = await queries.fetch('queryRange', request, (signal) => queryRangeColumns(queries.api, request, signal));
  return data !== undefined && error === null ? { range: data, instant: null, error: null, stats: data.stats } : failed(error);
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
  toggleExemplars: (index) => set((s) => ({ panels: s.panels.map((p, i) => (i === index ? { ...p, exemplars: p.exemplars !== true } : p)) })),
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
  setSource: (source) => set({ source, results: [] }),
  loadView: (view) => set({ source: undefined, ...view }),
  holdBack: (reason) => set({ held: reason, running: false }),
  view: () => {
    const s = get();
    return { panels: s.panels, range: s.range, resolution: s.resolution, tab: s.tab, stacked: s.stacked, yFromZero: s.yFromZero, ...(s.source !== undefined ? { source: s.source } : {}) };
  },
  async run(queries, widthPx = 1000, force = false) {
    const api = queries.api;
    cancelActive(queries);
    const seq = ++runSeq;
    const { panels, range, resolution, tab, source: chosen } = get();
    const source = chosen !== undefined && chosen !== '' && chosen !== 'vigil' ? { source: chosen } : {};
    const now = Date.now();
    const { startMs, endMs } = resolveRange(range, now);
    const step = resolveStep(resolution, startMs, endMs, widthPx);
    if (!force) {
      // Ask the engine what the queries would cost before running them; warn when too heavy.
      const estimates = await Promise.all(
        panels.map((p) => (p.enabled && p.query.trim() !== '' ? api.estimateQuery({ query: p.query, start: startMs, end: endMs, ...source }).catch(() => null) : null)),
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
    const reads = panels.map((panel: PanelState, i): PanelRead | null => {
      if (!panel.enabled || panel.query.trim() === '') return null;
      const queryId = `q${seq}-${i}-${Math.random().toString(36).slice(2, 8)}`;
      return tab === 'table'
        ? { name: 'query', request: { query: panel.query, time: endMs, queryId, ...source } }
        : { name: 'queryRange', request: { query: panel.query, start: startMs, end: endMs, step, queryId, ...source } };
    });
    active = reads.filter((r) => r !== null);
    set({ running: true, lastRunAt: now });
    // Panels asking the same thing share one read (a second fetch of the same key would replace the first).
    const shared = new Map<string, Promise<PanelResult>>();
    const results = await Promise.all(
      reads.map((read): Promise<PanelResult | null> => {
        if (read === null) return Promise.resolve(null);
        const key = QueryCache.key(read.name, read.request);
        let result = shared.get(key);
        if (result === undefined) {
          result = readPanel(queries, read);
          shared.set(key, result);
        }
        return result;
      }),
    );
    performance.mark('vigil:query:end');
    if (seq !== runSeq) return; // a newer run replaced this one
    active = [];
    set({ results, running: false });
  },
}));
