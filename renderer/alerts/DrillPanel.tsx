import { api } from '../api/client.js';
import { appHash } from '../../app/app-urls.js';
import { useRulesStore } from '../store/rules.js';
import type { SavedRule } from './rule-helpers.js';
import { LabelPills, StateBadge } from './LabelPills.js';

/** Fire drill: run the rule over synthetic series in a sandbox and see who would be told. */
export function DrillPanel({ k, rule }: { k: string; rule: SavedRule }) {
  const { drills, editDrill, runDrill } = useRulesStore();
  const d = drills[k];
  if (!d) return null;
  const setSeries = (i: number, patch: Partial<(typeof d.series)[number]>) => editDrill(k, { series: d.series.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  const t0 = d.result?.timeline[0]?.atMs ?? 0;
  return (
    <div className="rule-panel" data-testid="drill-panel">
      <h4>Fire drill</h4>
      <p className="muted small">Synthetic samples in promtool notation (e.g. <code>0x3 500x10</code>), one per step from the drill start; nothing is stored.</p>
      {d.note && <p className="warning small">{d.note}</p>}
      <table className="matchers">
        <tbody>
          {d.series.map((s, i) => (
            <tr key={i}>
              <td>
                <input aria-label={`series ${i + 1} selector`} className="selector" value={s.selector} onChange={(e) => setSeries(i, { selector: e.target.value })} />
              </td>
              <td>
                <input aria-label={`series ${i + 1} values`} className="values" value={s.values} onChange={(e) => setSeries(i, { values: e.target.value })} />
              </td>
              <td>
                <button type="button" className="link" disabled={d.series.length <= 1} onClick={() => editDrill(k, { series: d.series.filter((_, j) => j !== i) })}>
                  remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form-row">
        <button type="button" className="link" onClick={() => editDrill(k, { series: [...d.series, { selector: '', values: '' }] })}>
          + series
        </button>
        <label className="inline">
          step (s)
          <input
            aria-label="Drill step seconds"
            type="number"
            min={1}
            className="short"
            value={d.stepSeconds}
            onChange={(e) => {
              const v = Number(e.target.value);
              if (v > 0) editDrill(k, { stepSeconds: v });
            }}
          />
        </label>
        <label className="inline">
          <input type="checkbox" checked={d.notify} onChange={(e) => editDrill(k, { notify: e.target.checked })} />
          send a test notification
        </label>
        <button type="button" className="primary" disabled={d.running} onClick={() => void runDrill(api, k, rule)}>
          {d.running ? 'Running…' : 'Fire drill'}
        </button>
      </div>
      {d.error && <p className="query-error">{d.error}</p>}
      {d.result && (
        <div className="drill-result" data-testid="drill-result">
          <span className="drill-badge">DRILL</span> <code className="small">{d.result.drillId}</code>
          <ol className="drill-timeline" data-testid="drill-timeline">
            {d.result.timeline.map((t, i) => (
              <li key={i}>
                <span className="muted small">+{((t.atMs - t0) / 1000).toFixed(0)}s</span> <StateBadge state={t.state} /> <LabelPills labels={t.labels} hide={['alertname', 'drill']} />
              </li>
            ))}
          </ol>
          {d.result.timeline.length === 0 && <p className="warning">The rule never became active on these series: check the selector and values.</p>}
          <p data-testid="drill-receivers">
            Receivers reached: {d.result.receivers.length > 0 ? d.result.receivers.map((r) => <code key={r}>{r} </code>) : <span className="muted">none (the rule never fired, or no route matched)</span>}
            {d.result.receivers.length > 0 && !d.notify && <span className="muted"> (routing only: no test notification sent)</span>}
          </p>
          <a href={appHash({ page: 'alerts', drill: d.result.drillId })}>See the drill alerts in the inbox</a>
        </div>
      )}
    </div>
  );
}
