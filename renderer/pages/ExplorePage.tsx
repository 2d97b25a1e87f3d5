import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, httpChannelUrl } from '../api/client.js';
import { queries as queryCache } from '../api/engine-reads.js';
import { useExploreStore } from '../store/explore.js';
import { PromQLEditor, insertAtCursor } from '../promql-language/Editor.js';
import { setCompletionSource } from '../promql-language/register.js';
import { CachingPromClient, type PromClient } from '../promql-language/prom-client.js';
import { LocalMetricNamesClient, MetricNameIndex, type NameIndex } from '../promql-language/metric-names.js';
import { WorkerNameIndex, type NamesPort } from '../promql-language/worker-names.js';
import { vocabulary } from '../promql-language/vocabulary.js';
import { loadHistory } from '../explore/history.js';
import { TimeSeriesChart } from '../charts/TimeSeriesChart.js';
import { useEngineRead } from '../api/engine-reads.js';
import { mergeRange, toAligned, toCsv } from '../explore/series-data.js';
import { inferSharedUnit } from '../../app/dashboards/unit-inference.js';
import { ResultTable } from '../explore/ResultTable.js';
import { CostLine, ExplainTree } from '../explore/ExplainTree.js';
import { ResolutionPicker, TimeRangePicker } from '../explore/TimeRangePicker.js';
import { MetricsExplorer } from '../explore/MetricsExplorer.js';
import { SourcePicker } from '../explore/SourcePicker.js';
import { interruptedReason } from '../explore/interrupted.js';
import { appHash, parseAppHash, type Tab } from '../../app/app-urls.js';
import { useExemplars } from '../charts/use-exemplars.js';
import { HeatmapCanvas } from '../charts/HeatmapCanvas.js';
import { histogramHeatmap, useHistogramQuantiles } from '../explore/histogram-view.js';
import { TracingUrlSetting } from '../charts/TracingUrlSetting.js';
import { resolveRange } from '../explore/url-state.js';

/** Completion against one source (this engine when `source` is undefined), through the engine. */
function clientFor(source: string | undefined): PromClient {
  const src = source !== undefined ? { source } : {};
  return {
    async labelNames(match) {
      return (await api.labelNames({ match, limit: 5000, ...src })).values;
    },
    async labelValues(name, opts) {
      return (await api.labelValues({ name, match: opts?.match, search: opts?.search, limit: opts?.limit ?? 200, ...src })).values;
    },
    async metricMetadata(opts) {
      return (await api.metadata({ search: opts?.search, limit: opts?.limit ?? 200, ...src })).metrics;
    },
  };
}
const clients = new Map<string, { client: LocalMetricNamesClient; names: NameIndex }>();

/**
 * Through `vigil serve` a source's names are held and ranked in a worker of their own, so their
 * arrival and each key's ranking never block the page; otherwise (desktop app, no workers) in
 * the page.
 */
function nameIndex(request: { name: string; source?: string }): NameIndex {
  const url = httpChannelUrl(api, 'labelValues');
  if (url !== null && typeof Worker !== 'undefined') {
    try {
      const worker = new Worker(new URL('../promql-language/names-worker.ts', import.meta.url), { type: 'module' });
      return new WorkerNameIndex(worker as unknown as NamesPort, url, JSON.stringify(request));
    } catch {
      // No worker: the list is held in the page.
    }
  }
  return new MetricNameIndex(async () => (await api.labelValues(request)).values);
}
/**
 * The cached client of the source Explore has chosen now. Metric names are ranked in the page
 * from one list of all the source's names (no round trip per key press).
 */
function chosen(): { client: LocalMetricNamesClient; names: NameIndex } {
  const picked = useExploreStore.getState().source;
  const key = picked === undefined || picked === '' ? 'vigil' : picked;
  let c = clients.get(key);
  if (c === undefined) {
    const src = key === 'vigil' ? {} : { source: key };
    const names = nameIndex({ name: '__name__', ...src });
    c = { client: new LocalMetricNamesClient(new CachingPromClient(clientFor(key === 'vigil' ? undefined : key), 15_000), names), names };
    clients.set(key, c);
  }
  return c;
}
const chosenClient = (): PromClient => chosen().client;
const promClient: PromClient = {
  labelNames: (match) => chosenClient().labelNames(match),
  labelValues: (name, opts) => chosenClient().labelValues(name, opts),
  metricMetadata: (opts) => chosenClient().metricMetadata(opts),
};
setCompletionSource({ client: promClient, vocabulary, history: loadHistory, limit: 100 });

export function ExplorePage() {
  const s = useExploreStore();
  const [explorer, setExplorer] = useState(false);
  const [problems, setProblems] = useState<Record<number, string[]>>({});
  const graphBox = useRef<HTMLDivElement>(null);
  // Times the machine slept: shaded on the graph, so a hole in the lines reads as a sleep, not an outage.
  const sleepGaps = useEngineRead('power', {}, { pollMs: 60_000 }).data?.gaps;


  const run = useCallback(() => {
    const st = useExploreStore.getState();
    window.history.replaceState(null, '', appHash({ page: 'explore', view: st.view() }));
    void st.run(queryCache, graphBox.current?.clientWidth ?? 1000);
  }, []);

  // Restore the view from the URL once, and run it if it has a query, unless one of its queries
  // was running when the engine last stopped unexpectedly: that one may be what stopped it.
  // The list of metric names loads while the page opens, before the first key press.
  const source = useExploreStore((st) => st.source);
  useEffect(() => chosen().names.warm(), [source]);
  useEffect(() => {
    // A bare `#/explore` keeps the view the page already has.
    const route = window.location.hash.includes('?') ? parseAppHash(window.location.hash) : null;
    if (route?.page !== 'explore') return;
    const st = useExploreStore.getState();
    st.loadView(route.view);
    const queries = useExploreStore.getState().panels.map((p) => (p.enabled ? p.query.trim() : ''));
    if (queries.every((q) => q === '')) return;
    void api
      .status({})
      .then((status) => status.interruptedQueries, () => [])
      .then((interrupted) => {
        const reason = interruptedReason(queries, interrupted);
        if (reason === null) run();
        else useExploreStore.getState().holdBack(reason);
      });
  }, [run]);

  const remote = s.source !== undefined && s.source !== '' && s.source !== 'vigil' ? s.source : undefined;
  // Native histogram answers: their quantiles on the graph, their buckets as a heatmap below it.
  const runQueries = useMemo(() => useExploreStore.getState().panels.map((p) => p.query), [s.results]);
  const hist = useHistogramQuantiles(api, runQueries, s.results, remote === undefined ? {} : { source: remote });
  const heatmap = useMemo(() => histogramHeatmap(s.results, hist.panels), [s.results, hist.panels]);
  const plot = useMemo(
    () =>
      mergeRange(
        s.results.flatMap((r, i) => {
          if (!r?.range) return [null];
          if (hist.panels.includes(i)) return (hist.quantiles.get(i) ?? []).map((result) => ({ panel: i, result }));
          return [{ panel: i, result: r.range.result }];
        }),
      ),
    [s.results, hist],
  );
  const aligned = useMemo(() => toAligned(plot, s.stacked, s.hidden), [plot, s.stacked, s.hidden]);
  const chartSeries = useMemo(() => plot.series.map((p) => ({ label: p.label, color: p.color, show: !s.hidden.has(p.label) })), [plot, s.hidden]);
  // The metrics browser lists what the chosen source holds.
  const explorerApi = useMemo(
    () =>
      remote === undefined
        ? api
        : {
            ...api,
            metadata: (r: Parameters<typeof api.metadata>[0]) => api.metadata({ ...r, source: remote }),
            labelNames: (r: Parameters<typeof api.labelNames>[0]) => api.labelNames({ ...r, source: remote }),
            labelValues: (r: Parameters<typeof api.labelValues>[0]) => api.labelValues({ ...r, source: remote }),
          },
    [remote],
  );
  const unit = useMemo(() => inferSharedUnit(s.panels.filter((p) => p.enabled).map((p) => p.query)), [s.panels]);
  // Exemplars of the queries whose "Exemplars" toggle is on (this engine's only), fetched after each run.
  const exemplarQueries = s.panels.filter((p) => p.enabled && p.exemplars === true && p.query.trim() !== '').map((p) => p.query);
  const exemplarRange = s.lastRunAt === null ? { startMs: 0, endMs: 0 } : resolveRange(s.range, s.lastRunAt);
  const exemplars = useExemplars(remote === undefined && s.lastRunAt !== null ? exemplarQueries : [], exemplarRange.startMs, exemplarRange.endMs, s.results, unit);
  const errors = s.results.map((r, i) => (r?.error ? { panel: i, message: r.error } : null)).filter((e) => e !== null);
  const warnings = s.results.flatMap((r) => [...(r?.range?.warnings ?? []), ...(r?.instant?.warnings ?? [])]);
  const stats = s.results.map((r) => r?.stats).filter((x) => x !== null && x !== undefined);

  const setTab = (tab: Tab) => {
    s.setTab(tab);
    run();
  };

  const exportCsv = () => {
    const blob = new Blob([toCsv(plot, s.hidden)], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'vigil-query.csv';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  return (
    <section className="page explore">
      <header className="page-header wrap">
        <h1>Explore</h1>
        <SourcePicker value={s.source} onChange={(uid) => (s.setSource(uid), run())} />
        <TimeRangePicker range={s.range} onChange={(r) => (s.setRange(r), run())} />
        <ResolutionPicker resolution={s.resolution} onChange={(r) => (s.setResolution(r), run())} />
        <label className="inline">
          <input type="checkbox" checked={s.stacked} onChange={(e) => (s.setStacked(e.target.checked), run())} /> stacked
        </label>
        <label className="inline">
          <input type="checkbox" checked={s.yFromZero} onChange={(e) => (s.setYFromZero(e.target.checked), run())} /> y from 0
        </label>
        <button type="button" onClick={() => setExplorer(!explorer)} aria-pressed={explorer}>
          Metrics
        </button>
        <button type="button" className="primary" onClick={run} disabled={s.running && false}>
          {s.running ? 'Running…' : 'Run'}
        </button>
      </header>
      <div className="explore-body">
        <div className="explore-main">
          <ol className="panels">
            {s.panels.map((panel, i) => (
              <li key={i} className={panel.enabled ? 'panel' : 'panel disabled'}>
                <input type="checkbox" checked={panel.enabled} aria-label={`Query ${i + 1} enabled`} onChange={() => (s.togglePanel(i), run())} />
                <div className="editor-box">
                  <PromQLEditor
                    value={panel.query}
                    onChange={(q) => s.setQuery(i, q)}
                    onRun={run}
                    testId={`editor-${i}`}
                    onDiagnostics={(messages) => setProblems((p) => ({ ...p, [i]: messages }))}
                  />
                  {(problems[i] ?? []).map((m, k) => (
                    <div key={k} className="diagnostic" data-testid="diagnostic">
                      {m}
                    </div>
                  ))}
                </div>
                <label className="inline" title="Show this query's exemplars (trace ids scraped beside samples) on the graph">
                  <input type="checkbox" checked={panel.exemplars === true} aria-label={`Query ${i + 1} exemplars`} onChange={() => (s.toggleExemplars(i), run())} /> Exemplars
                </label>
                <button type="button" aria-label={`Remove query ${i + 1}`} onClick={() => (s.removePanel(i), run())} disabled={s.panels.length === 1}>
                  ×
                </button>
              </li>
            ))}
          </ol>
          <button type="button" className="link" onClick={s.addPanel}>
            + Add query
          </button>
          <nav className="tabs" role="tablist">
            {(['graph', 'table', 'explain'] as const).map((t) => (
              <button key={t} type="button" role="tab" aria-selected={s.tab === t} onClick={() => setTab(t)}>
                {t[0]!.toUpperCase() + t.slice(1)}
              </button>
            ))}
          </nav>
          {s.held && (
            <div className="warning held" role="alert" data-testid="held-warning">
              <p>{s.held}</p>
              <button type="button" onClick={() => void useExploreStore.getState().run(queryCache, graphBox.current?.clientWidth ?? 1000, true)}>
                Run anyway
              </button>
            </div>
          )}
          {errors.map((e) => (
            <p key={e.panel} className="error query-error" role="alert" data-testid="query-error">
              Query {e.panel + 1}: {e.message}
            </p>
          ))}
          {hist.errors.map((e, i) => (
            <p key={`hq${i}`} className="warning">
              {e}
            </p>
          ))}
          {exemplars.errors.map((e, i) => (
            <p key={`ex${i}`} className="warning">
              {e}
            </p>
          ))}
          {exemplarQueries.length > 0 && remote !== undefined && <p className="muted">Exemplars are shown for this engine only, not for remote sources.</p>}
          {exemplarQueries.length > 0 && <TracingUrlSetting value={exemplars.tracingUrl} onSaved={exemplars.setTracingUrl} />}
          {warnings.map((w, i) => (
            <p key={i} className="warning">
              {w}
            </p>
          ))}
          <div ref={graphBox} className="result-area">
            {s.tab === 'graph' && plot.series.length > 0 && (
              <>
                <TimeSeriesChart
                  data={aligned}
                  series={chartSeries}
                  unit={unit}
                  yFromZero={s.yFromZero}
                  onZoom={(startMs, endMs) => (s.setRange({ kind: 'absolute', startMs, endMs }), run())}
                  onToggleSeries={(index, show) => s.toggleSeries(plot.series[index]!.label, show)}
                  gaps={sleepGaps}
                  exemplars={exemplars.overlay}
                />
                <button type="button" onClick={exportCsv}>
                  Export CSV
                </button>
              </>
            )}
            {s.tab === 'graph' && heatmap !== null && (
              <figure className="explore-heatmap" data-testid="explore-heatmap">
                <figcaption className="muted">Native histogram buckets (the graph shows their 0.5, 0.9 and 0.99 quantiles)</figcaption>
                <HeatmapCanvas heatmap={heatmap} width={graphBox.current?.clientWidth ?? 800} height={240} />
              </figure>
            )}
            {s.tab === 'graph' && plot.series.length === 0 && errors.length === 0 && s.results.some((r) => r !== null) && <p className="muted">Empty query result.</p>}
            {s.panels.every((p) => p.query.trim() === '') && s.results.every((r) => r === null) && (
              <p className="muted" data-testid="explore-hint">
                Type a PromQL query and press Enter (Shift+Enter for a new line); Ctrl+Space lists metrics, functions and labels. Metrics browses every metric name with its
                type and help. Try <code>up</code> or <code>rate(vigil_tsdb_samples_appended_total[1m])</code>.
              </p>
            )}
            {s.tab === 'table' && s.results.map((r, i) => r?.instant && <ResultTable key={i} answer={r.instant} />)}
            {s.tab === 'explain' &&
              s.results.map(
                (r, i) =>
                  r?.stats && (
                    <ExplainTree
                      key={i}
                      stats={r.stats}
                      onPick={(expr) => {
                        s.setQuery(i, expr);
                        s.setTab('graph');
                        run();
                      }}
                    />
                  ),
              )}
          </div>
          {/* Costs are this engine's own figures; a remote source does not report them. */}
          {remote === undefined &&
            stats.map((st, i) => (
              <CostLine key={i} stats={st} />
            ))}
        </div>
        {explorer && <MetricsExplorer api={explorerApi} onInsert={(text) => insertAtCursor(text)} onClose={() => setExplorer(false)} />}
      </div>
    </section>
  );
}
