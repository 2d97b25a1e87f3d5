import { useState } from 'react';
import type { Panel, Target } from '../../app/dashboards/model.js';
import { topologyPanelOptions, topologyPanelType } from '../../app/dashboards/topology-panel.js';
import { knownUnits } from '../../app/dashboards/units.js';
import { panelComponents } from './panels/index.js';

const refIds = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Edits a panel's title, type, unit, repeat and queries (expr, legend, min step, instant, hidden). */
export function PanelEditor({ panel, variableNames, onApply, onClose }: { panel: Panel; variableNames: readonly string[]; onApply(p: Panel): void; onClose(): void }) {
  const [title, setTitle] = useState(panel.title ?? '');
  const [type, setType] = useState(panel.type);
  const [unit, setUnit] = useState(panel.fieldConfig?.defaults.unit ?? '');
  const [repeat, setRepeat] = useState({ by: panel.repeat ?? '', direction: panel.repeatDirection ?? 'h', maxPerRow: panel.maxPerRow ?? 4 });
  const [panelOptions, setPanelOptions] = useState<Record<string, unknown>>(panel.options ?? {});
  const topo = topologyPanelOptions({ options: panelOptions }).options;
  const setOption = (key: string, value: unknown) => setPanelOptions((o) => ({ ...o, [key]: value }));
  const [targets, setTargets] = useState<Target[]>(panel.targets ?? []);
  const set = (i: number, patch: Partial<Target>) => setTargets((ts) => ts.map((t, k) => (k === i ? { ...t, ...patch } : t)));
  const apply = () => {
    const defaults = { ...(panel.fieldConfig?.defaults ?? {}) };
    if (unit === '') delete defaults.unit;
    else defaults.unit = unit;
    const { repeat: _r, repeatDirection: _d, maxPerRow: _m, ...rest } = panel;
    const repeating = repeat.by === '' ? {} : { repeat: repeat.by, repeatDirection: repeat.direction, ...(repeat.direction === 'h' ? { maxPerRow: repeat.maxPerRow } : {}) };
    onApply({ ...rest, ...repeating, title, type, targets, options: panelOptions, fieldConfig: { overrides: [], ...panel.fieldConfig, defaults } });
  };
  return (
    <div className="panel-editor" role="dialog" aria-label={`Edit panel ${panel.title ?? panel.id}`}>
      <div className="panel-editor-row">
        <label className="inline">
          Title <input aria-label="Panel title" value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label className="inline">
          Type
          <select aria-label="Panel type" value={type} onChange={(e) => setType(e.target.value)}>
            {[...new Set([...Object.keys(panelComponents), type])].map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label className="inline">
          Unit
          <input aria-label="Unit" list="grafana-units" value={unit} placeholder="inferred" onChange={(e) => setUnit(e.target.value)} />
          <datalist id="grafana-units">
            {knownUnits.map((u) => (
              <option key={u} value={u} />
            ))}
          </datalist>
        </label>
        <label className="inline">
          Repeat by
          <select aria-label="Repeat by variable" value={repeat.by} onChange={(e) => setRepeat((r) => ({ ...r, by: e.target.value }))}>
            <option value="">(none)</option>
            {[...new Set([...variableNames, ...(repeat.by ? [repeat.by] : [])])].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        {repeat.by !== '' && (
          <>
            <select aria-label="Repeat direction" value={repeat.direction} onChange={(e) => setRepeat((r) => ({ ...r, direction: e.target.value === 'v' ? 'v' : 'h' }))}>
              <option value="h">horizontal</option>
              <option value="v">vertical</option>
            </select>
            {repeat.direction === 'h' && (
              <select aria-label="Max per row" value={repeat.maxPerRow} onChange={(e) => setRepeat((r) => ({ ...r, maxPerRow: Number(e.target.value) }))}>
                {[2, 3, 4, 6, 8, 12, 24].map((n) => (
                  <option key={n} value={n}>
                    {n} per row
                  </option>
                ))}
              </select>
            )}
          </>
        )}
      </div>
      {type === topologyPanelType && (
        <div className="panel-editor-row" role="group" aria-label="Topology options">
          <select aria-label="Topology dialect" value={topo.dialect ?? ''} onChange={(e) => setOption('dialect', e.target.value === '' ? undefined : e.target.value)}>
            <option value="">dialect: detect</option>
            {['linkerd', 'istio', 'otel', 'custom'].map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
          <input aria-label="Topology namespace" placeholder="namespace" size={10} value={topo.namespace} onChange={(e) => setOption('namespace', e.target.value)} />
          <label className="inline">
            Min req/s <input aria-label="Topology min req/s" type="number" min={0} step="any" style={{ width: 70 }} value={topo.minRps} onChange={(e) => setOption('minRps', Number(e.target.value) || 0)} />
          </label>
          <input aria-label="Topology search" placeholder="search" size={10} value={topo.search} onChange={(e) => setOption('search', e.target.value)} />
          <label className="inline">
            <input type="checkbox" checked={topo.onlyUnhealthy} onChange={(e) => setOption('onlyUnhealthy', e.target.checked)} /> only unhealthy
          </label>
          <label className="inline">
            <input type="checkbox" checked={topo.groupByNamespace} onChange={(e) => setOption('groupByNamespace', e.target.checked)} /> group by namespace
          </label>
        </div>
      )}
      {type !== topologyPanelType &&
        targets.map((t, i) => (
        <div key={i} className="panel-editor-target">
          <span className="muted">{t.refId}</span>
          <textarea aria-label={`Query ${t.refId}`} value={t.expr ?? ''} rows={2} onChange={(e) => set(i, { expr: e.target.value })} />
          <input aria-label={`Legend ${t.refId}`} placeholder="legend {{label}}" value={t.legendFormat ?? ''} onChange={(e) => set(i, { legendFormat: e.target.value })} />
          <input aria-label={`Min step ${t.refId}`} placeholder="min step" size={6} value={t.interval ?? ''} onChange={(e) => set(i, { interval: e.target.value })} />
          <label className="inline">
            <input type="checkbox" checked={t.instant === true} onChange={(e) => set(i, { instant: e.target.checked })} /> instant
          </label>
          <label className="inline">
            <input type="checkbox" checked={t.hide === true} onChange={(e) => set(i, { hide: e.target.checked })} /> hide
          </label>
          <button type="button" aria-label={`Remove query ${t.refId}`} onClick={() => setTargets((ts) => ts.filter((_, k) => k !== i))}>
            ×
          </button>
        </div>
      ))}
      <div className="panel-editor-row">
        <button type="button" className="link" onClick={() => setTargets((ts) => [...ts, { refId: refIds.split('').find((r) => !ts.some((t) => t.refId === r)) ?? `Q${ts.length}`, expr: '' }])}>
          + Query
        </button>
        <button type="button" className="primary" onClick={apply}>
          Apply
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </div>
  );
}
