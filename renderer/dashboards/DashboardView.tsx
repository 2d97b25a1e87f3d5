import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { GridLayout, verticalCompactor, type Layout } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import type { Dashboard, Panel } from '../../app/dashboards/model.js';
import { appHash, type DashboardView as DashboardRoute, type TimeRange } from '../../app/app-urls.js';
import { addPanel, applyLayout, gridCellHeight, gridCellMargin, gridItems, removePanel, toggleRow } from '../../app/dashboards/grid.js';
import { expandRepeats, scopedVariables } from '../../app/dashboards/repeats.js';
import { interpolate, resolveVariables, type ResolvedVariable, type VariableModel } from '../../app/dashboards/variables.js';
import { api } from '../api/client.js';
import { queryError, type QueryError } from '../api/query-cache.js';
import { useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';
import { TimeRangePicker } from '../explore/TimeRangePicker.js';
import { PanelFrame } from './PanelFrame.js';
import { rangeBounds } from './panel-data.js';
import { PanelEditor } from './PanelEditor.js';
import { RefreshLoop, refreshMs } from './refresh.js';
import { VariablesBar } from './VariablesBar.js';
import { VersionHistory } from './VersionHistory.js';
import { variableSource } from './variable-source.js';
import { useGridWidth } from './grid-width.js';
import { savedRange, takeEarlyVariables, variablesKey } from './early-variables.js';

const refreshChoices = ['', '5s', '10s', '30s', '1m', '5m', '15m', '1h'];

/**
 * One dashboard: variables, time picker, auto refresh and the 24-column grid of panels, in view
 * or edit mode (edit: drag, resize, add, remove and edit panels, then save through the channel).
 */
export function DashboardView({ route }: { route: DashboardRoute }) {
  const read = useEngineRead('dashboard', { uid: route.uid });
  const loaded = read.data?.dashboard;
  const meta = read.data?.meta;
  const [draft, setDraft] = useState<Dashboard | null>(null);
  const [editing, setEditing] = useState(route.edit === true);
  const [range, setRange] = useState<TimeRange | null>(route.range ?? null);
  const [refresh, setRefresh] = useState<string | null>(route.refresh ?? null);
  const [values, setValues] = useState<Record<string, string[]>>(route.vars);
  const [variables, setVariables] = useState<ReadonlyMap<string, ResolvedVariable>>(new Map());
  const [varsReady, setVarsReady] = useState(false);
  const [editingPanel, setEditingPanel] = useState<number | null>(null);
  const [saveError, setSaveError] = useState<QueryError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [history, setHistory] = useState(false);
  const loop = useMemo(() => new RefreshLoop(), []);
  const { ref: containerRef, width } = useGridWidth();

  // A fresh load (or a save) replaces the working copy unless edits are pending.
  useEffect(() => {
    if (loaded && (!editing || draft === null)) setDraft(loaded);
  }, [loaded]);

  const dashboard = draft ?? loaded ?? null;
  // Where a fresh load's time goes (build/bench/dashboard.js reads these marks).
  const hasDashboard = dashboard !== null;
  useEffect(() => {
    if (hasDashboard) performance.mark('vigil:dashboard-read');
  }, [hasDashboard]);
  useEffect(() => {
    if (varsReady) performance.mark('vigil:variables-ready');
  }, [varsReady]);
  const rangeNow = range ?? (dashboard ? savedRange(dashboard) : { kind: 'relative' as const, durationMs: 3_600_000 });
  // One object per range: panels reload when it changes, not on every render of this view.
  const rangeKey = JSON.stringify(rangeNow);
  const effectiveRange = useMemo(() => rangeNow, [rangeKey]);
  const effectiveRefresh = refresh ?? (dashboard && typeof dashboard.refresh === 'string' ? dashboard.refresh : '');

  useEffect(() => {
    loop.setInterval(refreshMs(effectiveRefresh));
  }, [loop, effectiveRefresh]);
  useEffect(() => () => loop.stop(), [loop]);

  // Variables resolve in dependency order whenever the definitions, the choices or the range change.
  const defs = dashboard?.templating.list as VariableModel[] | undefined;
  // "null" until the dashboard loads, so a dashboard without variables still resolves (to none).
  const defsKey = JSON.stringify(defs ?? null);
  const resolving = useRef(0);
  useEffect(() => {
    if (!defs) return;
    const n = ++resolving.current;
    const { fromMs, toMs } = rangeBounds(effectiveRange, Date.now());
    const early = takeEarlyVariables(variablesKey(defs, effectiveRange, values));
    void (early ?? resolveVariables(defs, { fromMs, toMs, source: variableSource(api), urlValues: values })).then((r) => {
      if (n !== resolving.current) return;
      setVariables(r);
      setVarsReady(true);
    });
  }, [defsKey, rangeKey, JSON.stringify(values)]);

  // The address always says what is shown (time, variables, refresh, mode), as Grafana's does.
  useEffect(() => {
    if (!dashboard) return;
    const vars: Record<string, string[]> = {};
    for (const v of variables.values()) if (v.type !== 'constant') vars[v.name] = v.selected;
    const hash = appHash({
      page: 'dashboards',
      dashboard: { uid: route.uid, range: effectiveRange, vars, ...(effectiveRefresh ? { refresh: effectiveRefresh } : {}), ...(editing ? { edit: true } : {}) },
    });
    if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
  }, [variables, rangeKey, effectiveRefresh, editing, dashboard !== null]);

  // Without repeats the grid needs no variable values: panels that use none load at once.
  const repeats = useMemo(() => (dashboard?.panels ?? []).some((p) => p.repeat || p.panels?.some((q) => q.repeat)), [dashboard?.panels]);
  const variableNames = useMemo(() => (defs ?? []).map((v) => v.name), [defsKey]);
  // Repeated panels and rows are drawn from the variables; the draft keeps each panel once.
  const shown = useMemo(() => (dashboard ? expandRepeats(dashboard.panels, variables) : []), [dashboard?.panels, variables]);

  const onZoom = useCallback((startMs: number, endMs: number) => setRange({ kind: 'absolute', startMs, endMs }), []);
  const onLayout = useCallback(
    (layout: Layout) => {
      if (!editing) return;
      setDraft((d) => {
        if (!d) return d;
        // Copies' positions are ignored (they are not stored); an unchanged layout keeps the draft.
        const panels = applyLayout(d.panels, layout);
        return panels.every((p, i) => p === d.panels[i]) ? d : { ...d, panels };
      });
    },
    [editing],
  );

  if (read.error && !dashboard) return <ReadError error={read.error} testId="dashboard-error" />;
  if (!dashboard) return <p className="muted">Loading dashboard…</p>;

  const save = async () => {
    setSaveError(null);
    try {
      const asCopy = meta?.canSave === false;
      const r = await api.saveDashboard({ dashboard, ...(asCopy ? { asCopy: true } : {}), ...(meta ? { baseVersion: meta.version } : {}) });
      setSaved(asCopy ? `Saved as a copy (${r.uid}): this dashboard is provisioned from a file.` : `Saved version ${r.version}.`);
      setEditing(false);
      if (asCopy) window.location.hash = appHash({ page: 'dashboards', dashboard: { uid: r.uid, vars: {} } });
      else await read.refresh();
    } catch (err) {
      setSaveError(queryError(err, `saving dashboard "${dashboard.title}"`));
    }
  };

  const updatePanel = (p: Panel) => setDraft((d) => (d ? { ...d, panels: d.panels.map((q) => (q.id === p.id ? p : q)) } : d));
  const panelBeingEdited = editingPanel === null ? null : dashboard.panels.find((p) => p.id === editingPanel) ?? null;

  return (
    <section className="page dashboard" data-testid="dashboard" data-dashboard-uid={dashboard.uid}>
      <header className="page-header wrap">
        <a href={appHash({ page: 'dashboards' })} className="muted">
          Dashboards
        </a>
        <h1>{dashboard.title}</h1>
        <TimeRangePicker range={effectiveRange} onChange={setRange} />
        <label className="inline">
          Refresh
          <select aria-label="Auto refresh" value={effectiveRefresh} onChange={(e) => setRefresh(e.target.value)}>
            {refreshChoices.map((c) => (
              <option key={c} value={c}>
                {c === '' ? 'Off' : c}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void loop.refresh()} aria-label="Refresh now">
          ↻
        </button>
        {!editing && (
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        {!editing && meta && !meta.provisioned && (
          <button type="button" aria-expanded={history} onClick={() => setHistory((h) => !h)}>
            History
          </button>
        )}
        {editing && (
          <>
            <button type="button" onClick={() => setDraft((d) => (d ? { ...d, panels: addPanel(d.panels, { type: 'timeseries', title: 'New panel', targets: [{ refId: 'A', expr: 'up' }] }) } : d))}>
              Add panel
            </button>
            <button type="button" className="primary" onClick={() => void save()}>
              {meta?.canSave === false ? 'Save as copy' : 'Save'}
            </button>
            <button
              type="button"
              onClick={() => {
                setDraft(loaded ?? null);
                setEditing(false);
              }}
            >
              Discard
            </button>
          </>
        )}
      </header>
      {meta?.provisioned && editing && <p className="notice">Provisioned from {meta.provisionedFrom ?? 'a file'}: saving stores a copy; the file stays the source of truth.</p>}
      {saved && <p className="notice" role="status">{saved}</p>}
      <ReadError error={saveError} testId="save-error" />
      {history && !editing && (
        <VersionHistory
          uid={dashboard.uid}
          canRestore={meta?.canSave !== false}
          onRestored={(v) => {
            setSaved(`Restored as version ${v}.`);
            void read.refresh();
          }}
          onClose={() => setHistory(false)}
        />
      )}
      <VariablesBar variables={variables} defs={defs ?? []} onChange={(name, selected) => setValues((v) => ({ ...v, [name]: selected }))} />
      {panelBeingEdited && (
        <PanelEditor
          panel={panelBeingEdited}
          variableNames={(defs ?? []).map((v) => v.name)}
          onApply={(p) => {
            updatePanel(p);
            setEditingPanel(null);
          }}
          onClose={() => setEditingPanel(null)}
        />
      )}
      <div ref={containerRef} className="dash-grid">
        {width !== null && (varsReady || !repeats) && (
          <GridLayout
            width={width}
            layout={gridItems(shown)}
            gridConfig={{ cols: 24, rowHeight: gridCellHeight, margin: [gridCellMargin, gridCellMargin], containerPadding: [0, 0] }}
            dragConfig={{ enabled: editing, handle: '.drag-handle' }}
            resizeConfig={{ enabled: editing }}
            compactor={verticalCompactor}
            onLayoutChange={onLayout}
          >
            {shown.map((p) =>
              p.type === 'row' ? (
                <div key={p.gridKey ?? String(p.id)} className="dash-row" data-panel-id={p.id} data-row-collapsed={p.collapsed === true} {...(p.repeatPanelId !== undefined ? { 'data-repeat-of': p.repeatPanelId } : {})}>
                  {/* A copy of a repeated row folds with its source: copies are not stored. */}
                  <button type="button" className="link" aria-expanded={!p.collapsed} onClick={() => setDraft((d) => (d ? { ...d, panels: toggleRow(d.panels, p.repeatPanelId ?? p.id) } : d))}>
                    {p.collapsed ? '▸' : '▾'} {p.title ? interpolate(p.title, { variables: scopedVariables(variables, p.scopedVars) }, 'text') : 'Row'}
                    {p.collapsed && ` (${p.panels?.length ?? 0} panels)`}
                  </button>
                </div>
              ) : (
                <div key={p.gridKey ?? String(p.id)}>
                  <PanelFrame
                    panel={p}
                    range={effectiveRange}
                    variables={variables}
                    variableNames={variableNames}
                    variablesReady={varsReady}
                    scrapeIntervalMs={meta?.scrapeIntervalMs ?? null}
                    loop={loop}
                    editing={editing}
                    onZoom={onZoom}
                    {...(p.repeatPanelId === undefined
                      ? { onEdit: () => setEditingPanel(p.id), onRemove: () => setDraft((d) => (d ? { ...d, panels: removePanel(d.panels, p.id) } : d)) }
                      : {})}
                  />
                </div>
              ),
            )}
          </GridLayout>
        )}
      </div>
    </section>
  );
}
