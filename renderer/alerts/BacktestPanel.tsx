import { api } from '../api/client.js';
import { useRulesStore } from '../store/rules.js';
import { backtestRanges, formatFor, parseFor, type SavedRule } from './rule-helpers.js';
import { IntervalBars } from './IntervalBars.js';
import { SourcePicker } from '../explore/SourcePicker.js';

/** Backtest a rule over stored history (this engine's or a remote source's); edit expr/for to compare with the saved rule. */
export function BacktestPanel({ k, rule }: { k: string; rule: SavedRule }) {
  const { backtests, editBacktest, runBacktest } = useRulesStore();
  const bt = backtests[k];
  if (!bt) return null;
  const edited = bt.expr.trim() !== rule.query.trim() || bt.forSeconds !== rule.forSeconds;
  const r = bt.result;
  return (
    <div className="rule-panel" data-testid="backtest-panel">
      <h4>Backtest</h4>
      <div className="form-row">
        <select aria-label="Backtest range" value={bt.rangeMs} onChange={(e) => editBacktest(k, { rangeMs: Number(e.target.value) })}>
          {backtestRanges.map((o) => (
            <option key={o.ms} value={o.ms}>
              {o.label}
            </option>
          ))}
        </select>
        <label className="inline">
          for
          <input
            aria-label="Backtest for"
            className="short"
            defaultValue={formatFor(bt.forSeconds)}
            onChange={(e) => {
              const s = parseFor(e.target.value);
              if (s !== null) editBacktest(k, { forSeconds: s });
            }}
          />
        </label>
        <SourcePicker value={bt.source} onChange={(source) => editBacktest(k, { source })} />
        <button type="button" className="primary" disabled={bt.running} onClick={() => void runBacktest(api, k, rule, Date.now())}>
          {bt.running ? 'Running…' : edited ? 'Backtest and compare' : 'Run backtest'}
        </button>
      </div>
      <textarea aria-label="Backtest expression" className="expr-edit" rows={2} value={bt.expr} onChange={(e) => editBacktest(k, { expr: e.target.value })} spellCheck={false} />
      {edited && <p className="muted small">Edited: the result is compared with the saved rule before you save it to the rule file.</p>}
      {bt.error && <p className="query-error">{bt.error}</p>}
      {r && bt.axis && (
        <div className="backtest-result">
          <p data-testid="backtest-summary">
            <b>{r.edited.notifications}</b> notification{r.edited.notifications === 1 ? '' : 's'} · {r.edited.alerts.length} alert series
            {r.saved && (
              <span className="muted">
                {' '}
                (saved rule: {r.saved.notifications} notifications, {r.saved.alerts.length} series)
              </span>
            )}
          </p>
          {r.summary.length > 0 && (
            <ul className="comparison" data-testid="backtest-comparison">
              {r.summary.map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ul>
          )}
          <IntervalBars rows={r.edited.alerts} axis={bt.axis} testId="backtest-bars" />
          {r.saved && (
            <>
              <h4>Saved rule</h4>
              <IntervalBars rows={r.saved.alerts} axis={bt.axis} testId="backtest-bars-saved" />
            </>
          )}
          <p className="legend small">
            <span className="interval pending swatch" /> pending <span className="interval firing swatch" /> firing
          </p>
        </div>
      )}
    </div>
  );
}
