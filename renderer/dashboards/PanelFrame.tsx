import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { scopedVariables, type ShownPanel } from '../../app/dashboards/repeats.js';
import { appHash, exploreQueries, type TimeRange } from '../../app/app-urls.js';
import { interpolate, type ResolvedVariable } from '../../app/dashboards/variables.js';
import { panelVariableNames } from '../../app/dashboards/variable-refs.js';
import { queries as queryCache } from '../api/engine-reads.js';
import { fetchPanelData, rangeBounds, visibleTargets, type PanelData } from './panel-data.js';
import type { RefreshLoop } from './refresh.js';
import { panelComponents, staticPanelTypes } from './panels/index.js';
import { UnsupportedPanel } from './panels/UnsupportedPanel.js';

/** A panel this close to the screen counts as on it (loads before it is scrolled into view). */
const nearScreenPx = 100;

export type PanelState = 'loading' | 'ok' | 'nodata' | 'error' | 'unsupported';

const empty: PanelData = { timestamps: new Float64Array(0), series: [], instant: [], heatmap: null, queries: [], errors: [], warnings: [] };

function stateOf(panel: ShownPanel, data: PanelData | null): PanelState {
  if (!panelComponents[panel.type]) return 'unsupported';
  if (staticPanelTypes.has(panel.type)) return 'ok';
  if (data === null) return 'loading';
  const hasData = data.series.length > 0 || data.instant.length > 0 || (data.topology?.nodes.length ?? 0) > 0;
  if (data.errors.length > 0 && !hasData) return 'error';
  return hasData ? 'ok' : 'nodata';
}

export interface PanelFrameProps {
  /** The panel, or a repeat copy (its `scopedVars` narrow the variables it sees). */
  panel: ShownPanel;
  range: TimeRange;
  variables: ReadonlyMap<string, ResolvedVariable>;
  /** The dashboard's variable names, and whether their values are resolved yet. */
  variableNames: readonly string[];
  variablesReady: boolean;
  /** The engine's scrape interval (ms), the smallest step (dashboard `meta.scrapeIntervalMs`). */
  scrapeIntervalMs: number | null;
  loop: RefreshLoop;
  editing: boolean;
  onZoom: (startMs: number, endMs: number) => void;
  onEdit?: () => void;
  onRemove?: () => void;
}

/**
 * One panel on the grid: its title bar (with the link to Explore), its state for tests and
 * screen readers (`data-panel-state`), and its data — fetched only while the panel is on screen
 * (IntersectionObserver), again when the time or variables change, and on every dashboard
 * refresh (the refresh loop waits for it, so refreshes never stack).
 */
export function PanelFrame({ panel: panelProp, range, variables: dashboardVariables, variableNames, variablesReady, scrapeIntervalMs, loop, editing, onZoom, onEdit, onRemove }: PanelFrameProps) {
  // The grid hands a new object for the same panel whenever the variables or the dashboard read
  // change: only a changed model may reload the panel (a reload cancels the query in flight).
  const panelKey = JSON.stringify(panelProp);
  const panel = useMemo(() => panelProp, [panelKey]);
  // A panel that uses no variable loads at once, beside the variables' own queries; the others
  // wait for them. Only the variables a panel uses reload it when they resolve or change.
  const used = useMemo(() => panelVariableNames(panel, variableNames), [panel, variableNames.join('\n')]);
  const waiting = used.length > 0 && !variablesReady;
  const usedKey = JSON.stringify(used.map((n) => dashboardVariables.get(n) ?? null));
  const variables = useMemo(() => scopedVariables(dashboardVariables, panel.scopedVars), [usedKey, panel.scopedVars]);
  const box = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState(false);
  // null until measured: a first load at a guessed width would be cancelled for another step.
  const [measured, setSize] = useState<{ width: number; height: number } | null>(null);
  const size = measured ?? { width: 400, height: 200 };
  const [data, setData] = useState<PanelData | null>(null);
  const inFlight = useRef<AbortController | null>(null);
  const Component = panelComponents[panel.type] ?? UnsupportedPanel;
  const queries = !staticPanelTypes.has(panel.type) && panelComponents[panel.type] !== undefined;

  // Geometry is known once the grid has placed the panel: one on screen starts loading in the
  // effects of this commit, not a frame later when the observers first report.
  useLayoutEffect(() => {
    const el = box.current;
    const b = body.current;
    if (!el || !b) return;
    const r = el.getBoundingClientRect();
    if (r.bottom >= -nearScreenPx && r.top <= window.innerHeight + nearScreenPx && r.right >= 0 && r.left <= window.innerWidth) setVisible(true);
    setSize({ width: b.clientWidth, height: b.clientHeight });
  }, []);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => setVisible(entries.some((e) => e.isIntersecting)), { rootMargin: `${nearScreenPx}px` });
    io.observe(el);
    const ro = new ResizeObserver(() => {
      const b = body.current;
      if (b) setSize({ width: b.clientWidth, height: b.clientHeight });
    });
    if (body.current) ro.observe(body.current);
    return () => {
      io.disconnect();
      ro.disconnect();
    };
  }, []);

  // The width only changes the step when it changes a lot (Grafana uses the width at load).
  const widthBucket = Math.max(100, Math.round(size.width / 100) * 100);
  const load = useCallback(async () => {
    const previous = inFlight.current;
    const controller = new AbortController();
    inFlight.current = controller;
    const started = performance.now();
    // A relative range ends now at each refresh.
    const { fromMs, toMs } = rangeBounds(range, Date.now());
    const scrape = scrapeIntervalMs === null ? {} : { scrapeInterval: `${scrapeIntervalMs}ms` };
    const pending = fetchPanelData(queryCache, panel, { fromMs, toMs, widthPx: widthBucket, variables, ...scrape }, controller.signal);
    // The previous load stops only now: the new one has joined its reads that ask the same (a
    // reload that changes nothing the engine sees, e.g. a small width change, does not restart them).
    previous?.abort();
    const d = await pending;
    if (controller.signal.aborted) return;
    inFlight.current = null;
    performance.measure(`vigil:panel-load:${panel.id}`, { start: started });
    setData(d);
  }, [panel, range, widthBucket, variables, scrapeIntervalMs]);

  useEffect(() => {
    if (!visible || !queries || measured === null || waiting) return;
    void load();
    const off = loop.register(String(panel.id), load);
    return () => {
      off();
    };
  }, [visible, queries, load, loop, panel.id, measured === null, waiting]);
  useEffect(() => () => inFlight.current?.abort(), []);

  const state = stateOf(panel, data);
  const title = interpolate(panel.title ?? '', { variables }, 'text');
  const exploreLink = appHash(exploreQueries(data?.queries ?? visibleTargets(panel).map((t) => t.expr ?? ''), range));
  return (
    <div ref={box} className={`dash-panel${panel.transparent ? ' transparent' : ''}`} data-panel-id={panel.id} data-panel-state={state} data-panel-type={panel.type} {...(panel.repeatPanelId !== undefined ? { 'data-repeat-of': panel.repeatPanelId } : {})}>
      <header className="dash-panel-title">
        <span className={editing ? 'drag-handle' : undefined} title={panel.description ?? title}>
          {title || '\u00a0'}
        </span>
        {data !== null && data.errors.length > 0 && state !== 'error' && (
          <span className="error" title={data.errors.map((e) => e.message).join('\n')}>
            ⚠
          </span>
        )}
        {queries && (
          <a className="panel-link" href={exploreLink} title="Open these queries in Explore over this time range">
            Explore
          </a>
        )}
        {editing && onEdit && (
          <button type="button" className="link" onClick={onEdit}>
            Edit
          </button>
        )}
        {editing && onRemove && (
          <button type="button" className="link" aria-label={`Remove panel ${title}`} onClick={onRemove}>
            ×
          </button>
        )}
      </header>
      <div ref={body} className="dash-panel-body">
        {state === 'error' && data && (
          <div className="error panel-error" role="alert">
            {data.errors.map((e) => (
              <p key={e.refId}>{e.message}</p>
            ))}
          </div>
        )}
        {state === 'nodata' && <p className="muted nodata">No data{data?.topology && data.warnings.length > 0 ? ` (${data.warnings.join('; ')})` : ''}</p>}
        {state === 'loading' && <p className="muted">Loading…</p>}
        {(state === 'ok' || state === 'unsupported') && (
          <Component panel={panel} data={data ?? empty} width={size.width} height={size.height} variables={variables} onZoom={onZoom} />
        )}
      </div>
    </div>
  );
}
