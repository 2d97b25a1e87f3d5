/**
 * Explore's view of native histogram results: a range answer whose series are histograms is drawn
 * as a heatmap of their buckets (dashboards' nativeHeatmap) and, on the graph, as its 0.5, 0.9 and
 * 0.99 quantiles, which the engine computes (`histogram_quantile(q, (<query>))` on the same grid),
 * so the graph never plots the 0 a histogram step carries as its float value.
 */
import { useEffect, useMemo, useState } from 'react';
import type { WorkbenchApi } from '../../app/api/channels.js';
import { queryRangeColumns } from '../api/client.js';
import type { RangeColumns } from '../api/range-columns.js';
import { nativeHeatmap, type Heatmap } from '../dashboards/panel-data.js';
import type { PanelResult } from '../store/explore.js';

const histogramQuantiles = [0.5, 0.9, 0.99] as const;

/** Panels (by index) whose range answer holds native histograms. */
function histogramPanels(results: readonly (PanelResult | null)[]): number[] {
  return results.flatMap((r, i) => (r?.range?.result.series.some((s) => s.histograms?.some((h) => h !== null)) ? [i] : []));
}

/** The heatmap of every histogram series of those panels, summed per bucket. */
export function histogramHeatmap(results: readonly (PanelResult | null)[], panels: readonly number[]): Heatmap | null {
  const first = panels.length > 0 ? results[panels[0]!]?.range?.result : undefined;
  if (first === undefined) return null;
  const series = panels.flatMap((i) => (results[i]?.range?.result.series ?? []).map((s) => ({ refId: String(i), name: '', labels: s.labels, values: s.values, ...(s.histograms ? { histograms: s.histograms } : {}) })));
  return nativeHeatmap(first.timestamps, series, [], 0);
}

/** The quantile queries of one histogram query, on its answer's time grid. */
async function loadQuantiles(api: WorkbenchApi, query: string, timestamps: Float64Array, source: { source?: string }, signal?: AbortSignal): Promise<RangeColumns[]> {
  const n = timestamps.length;
  const start = n > 0 ? timestamps[0]! : 0;
  const end = n > 0 ? timestamps[n - 1]! : 0;
  const step = n > 1 ? timestamps[1]! - timestamps[0]! : 1000;
  return Promise.all(
    histogramQuantiles.map(async (q) => {
      const r = await queryRangeColumns(api, { query: `histogram_quantile(${q}, (${query}))`, start, end, step, ...source }, signal);
      return { ...r.result, series: r.result.series.map((s) => ({ labels: { ...s.labels, quantile: String(q) }, values: s.values })) };
    }),
  );
}

/** Quantile answers of the histogram panels, refetched when the results change. */
export function useHistogramQuantiles(
  api: WorkbenchApi,
  queries: readonly string[],
  results: readonly (PanelResult | null)[],
  source: { source?: string },
): { panels: number[]; quantiles: Map<number, RangeColumns[]>; errors: string[] } {
  const panels = useMemo(() => histogramPanels(results), [results]);
  const [state, setState] = useState<{ quantiles: Map<number, RangeColumns[]>; errors: string[] }>({ quantiles: new Map(), errors: [] });
  const key = panels.map((i) => `${i}:${queries[i]}`).join('\n');
  useEffect(() => {
    if (panels.length === 0) {
      setState({ quantiles: new Map(), errors: [] });
      return;
    }
    const ac = new AbortController();
    void Promise.all(
      panels.map((i) =>
        loadQuantiles(api, queries[i]!, results[i]!.range!.result.timestamps, source, ac.signal).then(
          (r) => ({ i, r, err: null }),
          (e: unknown) => ({ i, r: null, err: `quantiles of query ${i + 1}: ${e instanceof Error ? e.message : String(e)}` }),
        ),
      ),
    ).then((all) => {
      if (ac.signal.aborted) return;
      const quantiles = new Map<number, RangeColumns[]>();
      const errors: string[] = [];
      for (const a of all) {
        if (a.r !== null) quantiles.set(a.i, a.r);
        if (a.err !== null) errors.push(a.err);
      }
      setState({ quantiles, errors });
    });
    return () => ac.abort();
  }, [results, key]);
  return { panels, ...state };
}
