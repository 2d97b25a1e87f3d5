/**
 * Topology: the service graph of mesh traffic from the engine's `topology` channel, laid out in a
 * worker with stable positions, with filters, focus, grouping, a side panel per node or edge, a
 * time scrubber over the last hours and a comparison with one hour earlier.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TopologyDialectName, TopologyResponse } from '../../app/api/topology.js';
import { appHash, parseAppHash } from '../../app/app-urls.js';
import { compareGraphs } from '../../app/topology/graph.js';
import { useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';
import { exportJson, exportPng, exportSvg } from './export.js';
import { SourcePicker } from '../explore/SourcePicker.js';
import { CustomDialectForm } from './CustomDialectForm.js';
import { SidePanel } from './SidePanel.js';
import { TopologyGraph } from './TopologyGraph.js';
import { StableLayout, type Point } from './layout.js';
import { defaultFilters, viewOf, type Filters, type ViewEdge } from './view-model.js';

const hour = 3_600_000;
const scrubHours = 6;
const steps = [60_000, 5 * 60_000, 15 * 60_000];

function routeState(): { time: number | null; select: string | null; source: string | undefined } {
  const r = parseAppHash(window.location.hash);
  return r?.page === 'topology' ? { time: r.time ?? null, select: r.select ?? null, source: r.source } : { time: null, select: null, source: undefined };
}

/** The graph an hour before `time`, read only while comparing (its request is stable per time). */
function EarlierGraph({ time, windowMs, source, onData }: { time: number; windowMs: number; source: string | undefined; onData: (g: TopologyResponse | null) => void }) {
  const { data } = useEngineRead('topology', { time: time - hour, windowMs, ...(source !== undefined ? { source } : {}) });
  useEffect(() => onData(data ?? null), [data, onData]);
  return null;
}

export function TopologyPage() {
  const initial = useMemo(routeState, []);
  /** null: live (now, refreshed); else the time scrubbed to. */
  const [time, setTime] = useState<number | null>(initial.time);
  const [selected, setSelected] = useState<string | null>(initial.select);
  const [filters, setFilters] = useState<Filters>(defaultFilters);
  const [compare, setCompare] = useState(false);
  const [step, setStep] = useState(steps[1]!);
  const [playing, setPlaying] = useState(false);
  /** null: detected from the metric names present. */
  const [dialect, setDialect] = useState<TopologyDialectName | null>(null);
  const [customForm, setCustomForm] = useState(false);
  /** Where the graph's queries run: undefined is this engine, else a remote data source's uid. */
  const [source, setSource] = useState<string | undefined>(initial.source);
  const request = { ...(time === null ? {} : { time }), ...(dialect === null ? {} : { dialect }), ...(source === undefined ? {} : { source }) };
  const { data, error, loading, refresh } = useEngineRead('topology', request, time === null ? { pollMs: 15_000 } : {});
  const [beforeData, setBefore] = useState<TopologyResponse | null>(null);
  const before = { data: compare ? beforeData : null };
  const layout = useRef(new StableLayout());
  const [positions, setPositions] = useState<ReadonlyMap<string, Point>>(new Map());
  const [layoutError, setLayoutError] = useState<string | null>(null);
  const svgHost = useRef<HTMLDivElement>(null);
  /** Answers drawn so far, on the canvas as `data-answer-seq` (a refresh may bring the same graph time). */
  const answers = useRef(0);
  useEffect(() => {
    if (data !== undefined) svgHost.current?.setAttribute('data-answer-seq', String(++answers.current));
  }, [data]);

  const view = useMemo(() => (data ? viewOf(data.nodes, data.edges, filters) : { nodes: [], edges: [] }), [data, filters]);
  const changes = useMemo(() => (compare && data && before.data ? compareGraphs(data, before.data) : null), [compare, data, before.data]);
  const goneEdges: ViewEdge[] = useMemo(() => {
    if (!changes || !before.data) return [];
    return before.data.edges.filter((e) => changes.get(e.id) === 'gone').map((e) => ({ id: e.id, source: e.source, target: e.target, rps: e.rps, successRate: e.successRate, p95: e.p95, health: e.health }));
  }, [changes, before.data]);

  useEffect(() => {
    let live = true;
    layout.current
      .place(
        view.nodes.map((n) => n.id),
        view.edges,
      )
      .then((p) => {
        // Known nodes only (a refresh of the same graph): the picture keeps its positions, so
        // the drawing is not rebuilt a second time after the new figures.
        if (live && p !== null) {
          setPositions(new Map(p));
          setLayoutError(null);
        }
      })
      .catch((err: unknown) => live && setLayoutError(String(err)));
    return () => {
      live = false;
    };
  }, [view]);

  // The URL says what is shown, so a link (or a reload) comes back to it.
  useEffect(() => {
    const hash = appHash({ page: 'topology', ...(time !== null ? { time } : {}), ...(selected !== null ? { select: selected } : {}), ...(source !== undefined ? { source } : {}) });
    if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
  }, [time, selected, source]);

  // Replay: step the scrubber forward until now.
  useEffect(() => {
    if (!playing) return;
    const id = setInterval(() => {
      setTime((t) => {
        const next = (t ?? Date.now() - scrubHours * hour) + step;
        if (next >= Date.now()) {
          setPlaying(false);
          return null;
        }
        return next;
      });
    }, 1500);
    return () => clearInterval(id);
  }, [playing, step]);

  const namespaces = useMemo(() => [...new Set((data?.nodes ?? []).map((n) => n.group).filter((g): g is string => g !== null))].sort(), [data]);
  const now = Date.now();
  const offsetMin = time === null ? 0 : Math.round((time - now) / 60_000);
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const svg = () => svgHost.current?.querySelector('svg') ?? null;

  return (
    <section className="page topology-page">
      <header className="page-header">
        <h1>Topology</h1>
        <span className="muted" data-testid="topology-dialect">
          {data ? (data.dialect === null ? 'no mesh metrics' : `${data.dialect} · window ${data.windowMs / 1000}s · ${data.nodes.length} nodes, ${data.edges.length} edges`) : ''}
        </span>
        <SourcePicker value={source} onChange={setSource} />
        <select aria-label="Dialect" value={dialect ?? ''} onChange={(e) => setDialect(e.target.value === '' ? null : (e.target.value as TopologyDialectName))}>
          <option value="">dialect: detect</option>
          {(['linkerd', 'istio', 'otel', 'custom'] as const).map((d) => (
            <option key={d} value={d} disabled={d === 'custom' && data?.custom === null}>
              {d}
              {data && data.available.includes(d) ? '' : ' (no metrics)'}
            </option>
          ))}
        </select>
        <button type="button" aria-expanded={customForm} onClick={() => setCustomForm((f) => !f)}>
          Custom dialect…
        </button>
        <button type="button" onClick={() => void refresh()} disabled={loading}>
          Refresh
        </button>
        <button type="button" disabled={!data} onClick={() => data && exportJson(data)}>
          JSON
        </button>
        <button type="button" disabled={!data} onClick={() => { const s = svg(); if (s && data) exportSvg(s, data.time); }}>
          SVG
        </button>
        <button type="button" disabled={!data} onClick={() => { const s = svg(); if (s && data) void exportPng(s, data.time); }}>
          PNG
        </button>
      </header>
      {customForm && (
        <CustomDialectForm
          onSaved={() => {
            void refresh();
          }}
          onClose={() => setCustomForm(false)}
        />
      )}
      <div className="topology-controls" role="group" aria-label="Filters">
        <label>
          Namespace{' '}
          <select value={filters.namespace} onChange={(e) => set({ namespace: e.target.value })} data-testid="filter-namespace">
            <option value="">all</option>
            {namespaces.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Min req/s <input type="number" min={0} step="any" value={filters.minRps} onChange={(e) => set({ minRps: Number(e.target.value) || 0 })} style={{ width: 70 }} />
        </label>
        <label>
          <input type="checkbox" checked={filters.onlyUnhealthy} onChange={(e) => set({ onlyUnhealthy: e.target.checked })} /> only unhealthy
        </label>
        <label>
          <input type="search" placeholder="search" value={filters.search} onChange={(e) => set({ search: e.target.value })} data-testid="filter-search" />
        </label>
        <label>
          <input type="checkbox" checked={filters.groupByNamespace} onChange={(e) => set({ groupByNamespace: e.target.checked })} /> group by namespace
        </label>
        <label>
          <input type="checkbox" checked={filters.focus !== null} disabled={selected === null && filters.focus === null} onChange={(e) => set({ focus: e.target.checked ? selected : null })} /> focus
        </label>
        <label>
          hops <input type="number" min={1} max={5} value={filters.hops} onChange={(e) => set({ hops: Math.max(1, Math.min(5, Number(e.target.value) || 1)) })} style={{ width: 44 }} />
        </label>
        <label>
          <input type="checkbox" checked={compare} onChange={(e) => setCompare(e.target.checked)} data-testid="compare" /> compare with 1 h ago
        </label>
      </div>
      <div className="topology-scrubber" role="group" aria-label="Time">
        <input
          type="range"
          aria-label="time offset in minutes"
          data-testid="scrubber"
          min={-scrubHours * 60}
          max={0}
          step={step / 60_000}
          value={offsetMin}
          onChange={(e) => {
            const m = Number(e.target.value);
            setTime(m === 0 ? null : Math.floor((now + m * 60_000) / 1000) * 1000);
          }}
        />
        <span data-testid="scrub-time">{time === null ? `now (live${data ? `, graph of ${new Date(data.time).toLocaleTimeString()}` : ''})` : `${new Date(time).toLocaleString()} (${offsetMin} min)`}</span>
        <select value={step} onChange={(e) => setStep(Number(e.target.value))} aria-label="replay step">
          {steps.map((s) => (
            <option key={s} value={s}>
              step {s / 60_000} min
            </option>
          ))}
        </select>
        <button type="button" onClick={() => setPlaying((p) => !p)}>
          {playing ? 'Pause' : `Replay last ${scrubHours} h`}
        </button>
        {time !== null && (
          <button type="button" onClick={() => setTime(null)}>
            Live
          </button>
        )}
      </div>
      <ReadError error={error} />
      {layoutError && <p className="error">{layoutError}</p>}
      {data && data.notes.length > 0 && (
        <ul className="topology-notes" data-testid="topology-notes">
          {data.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {compare && changes && (
        <p className="muted" data-testid="compare-summary">
          Since 1 h ago: {[...changes.values()].filter((c) => c === 'new').length} new, {[...changes.values()].filter((c) => c === 'gone').length} gone, {[...changes.values()].filter((c) => c === 'degraded').length} degraded edges
        </p>
      )}
      {compare && data && <EarlierGraph time={data.time} windowMs={data.windowMs} source={source} onData={setBefore} />}
      <div className="topology-body">
        <div className="topology-canvas" ref={svgHost} data-answer-time={data?.time} data-layout-ms={layout.current.lastLayoutMs.toFixed(1)} data-first-layout-ms={layout.current.firstLayoutMs.toFixed(1)} data-edges-shown={view.edges.length}>
          {data === undefined && error === null && <p className="muted">Loading…</p>}
          {data && <TopologyGraph nodes={view.nodes} edges={view.edges} positions={positions} selected={selected} onSelect={(id) => setSelected(id)} changes={changes} goneEdges={goneEdges} />}
        </div>
        {data && selected !== null && <SidePanel graph={data as TopologyResponse} selected={selected} onClose={() => setSelected(null)} source={source} />}
      </div>
    </section>
  );
}
