import { onAlertsChanged, useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';
import { formatDuration } from '../format.js';
import { useRulesStore } from '../store/rules.js';
import type { SavedRule } from '../alerts/rule-helpers.js';
import { formatFor } from '../alerts/rule-helpers.js';
import { BacktestPanel } from '../alerts/BacktestPanel.js';
import { DrillPanel } from '../alerts/DrillPanel.js';
import { RuleTestsPanel } from '../alerts/RuleTestsPanel.js';
import { RuleFileEditor } from '../alerts/RuleFileEditor.js';
import { NotificationToasts } from '../alerts/NotificationToasts.js';
import { LabelPills, StateBadge } from '../alerts/LabelPills.js';

const pollMs = 10_000;

function ago(ms: number | null): string {
  return ms === null ? 'never' : `${formatDuration(Date.now() - ms)} ago`;
}

export function RulesPage() {
  const { openBacktest, openDrill, close, backtests, drills } = useRulesStore();
  const { data, error, refresh } = useEngineRead('rules', {}, { pollMs, subscribe: onAlertsChanged });

  return (
    <div className="rules-page">
      <NotificationToasts />
      <header className="page-header">
        <h1>Rules</h1>
      </header>
      <ReadError error={error} />
      {data && data.errors.length > 0 && (
        <div className="query-error" data-testid="rule-load-errors">
          <b>Rule files failed to load:</b>
          <ul>
            {data.errors.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </div>
      )}
      {data && data.groups.length === 0 && data.errors.length === 0 && <p className="muted">No rule groups. Add rule files under <code>rule_files</code> in the config.</p>}
      {data?.groups.map((g) => (
        <section key={`${g.file}/${g.name}`} className="rule-group" data-testid="rule-group">
          <h2>
            {g.name} <span className="muted small">{g.file}</span>
          </h2>
          <p className="muted small">
            every {g.intervalSeconds}s · last evaluation {ago(g.lastEvaluationMs)} · took {(g.evaluationSeconds * 1000).toFixed(1)} ms
          </p>
          {data.groups.findIndex((x) => x.file === g.file) === data.groups.indexOf(g) && <RuleFileEditor path={g.file} kind="rules" onSaved={() => void refresh()} />}
          <table className="targets rules">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Health</th>
                <th>State</th>
                <th>Last evaluation</th>
                <th />
              </tr>
            </thead>
            {g.rules.map((r, i) => {
              const key = `${g.file}/${g.name}/${r.name}/${i}`;
              const saved: SavedRule = r;
              const alerting = r.type === 'alerting';
              const open = key in backtests || key in drills;
              return (
                // One tbody per rule keeps its row and its (full-width) tool panels together.
                <tbody key={key} data-testid="rule-row" data-rule={r.name}>
                  <tr>
                    <td>
                      <div>
                        <span className="muted small">{alerting ? 'alert' : 'record'}</span> <b>{r.name}</b>
                        {alerting && r.forSeconds > 0 && <span className="muted small"> for {formatFor(r.forSeconds)}</span>}
                      </div>
                      <code className="rule-expr">{r.query}</code>
                      <div>
                        <LabelPills labels={r.labels} />
                      </div>
                      {r.lastError && <p className="error small">{r.lastError}</p>}
                    </td>
                    <td>
                      <span className={`health ${r.health === 'ok' ? 'up' : r.health === 'err' ? 'down' : 'unknown'}`} data-testid="rule-health">
                        {r.health.toUpperCase()}
                      </span>
                    </td>
                    <td>{r.state && <StateBadge state={r.state} />}</td>
                    <td className="small">
                      {ago(r.lastEvaluationMs)}
                      <div className="muted">{(r.evaluationSeconds * 1000).toFixed(2)} ms</div>
                    </td>
                    <td className="rule-actions">
                      {alerting && (
                        <>
                          <button type="button" onClick={() => openBacktest(key, saved)} disabled={key in backtests}>
                            Backtest
                          </button>
                          <button type="button" onClick={() => openDrill(key, saved)} disabled={key in drills}>
                            Fire drill
                          </button>
                          {open && (
                            <button type="button" className="link" onClick={() => close(key)}>
                              close
                            </button>
                          )}
                        </>
                      )}
                    </td>
                  </tr>
                  {open && (
                    <tr className="rule-detail">
                      <td colSpan={5}>
                        <BacktestPanel k={key} rule={saved} />
                        <DrillPanel k={key} rule={saved} />
                      </td>
                    </tr>
                  )}
                </tbody>
              );
            })}
          </table>
        </section>
      ))}
      <RuleTestsPanel />
    </div>
  );
}
