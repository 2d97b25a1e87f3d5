import { useEffect, useMemo } from 'react';
import { api } from '../api/client.js';
import { onEngineEvent } from '../alerts/event_hub.js';
import { useAlertsStore } from '../store/alerts.js';
import { focusedFingerprint, groupAlerts } from '../alerts/alert_helpers.js';
import { AlertCard } from '../alerts/AlertCard.js';
import { SilenceForm } from '../alerts/SilenceForm.js';
import { SilencesList } from '../alerts/SilencesList.js';
import { NotificationToasts } from '../alerts/NotificationToasts.js';
import { StateBadge } from '../alerts/LabelPills.js';

/** Slow fallback for when the event stream drops; `alertsChanged` drives normal refreshes. */
const pollMs = 15_000;

export function AlertsPage() {
  const s = useAlertsStore();
  const { refresh, setFocused } = s;
  useEffect(() => {
    const sync = () => setFocused(focusedFingerprint(window.location.hash));
    sync();
    window.addEventListener('hashchange', sync);
    void refresh(api);
    const t = setInterval(() => void refresh(api), pollMs);
    const unsubscribe = onEngineEvent((e) => {
      if (e.type === 'alertsChanged') void refresh(api);
    });
    return () => {
      window.removeEventListener('hashchange', sync);
      clearInterval(t);
      unsubscribe();
    };
  }, [refresh, setFocused]);

  const groups = useMemo(() => groupAlerts(s.alerts, s.groupBy.trim() || null), [s.alerts, s.groupBy]);
  const counts = useMemo(() => {
    const c = { firing: 0, pending: 0, resolved: 0 };
    for (const a of s.alerts) c[a.state]++;
    return c;
  }, [s.alerts]);

  return (
    <div className="alerts-page">
      <NotificationToasts />
      <header className="page-header wrap">
        <h1>Alerts</h1>
        <span className="muted small" data-testid="alert-counts">
          {counts.firing} firing · {counts.pending} pending · {counts.resolved} resolved
        </span>
      </header>
      <form
        className="alerts-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void s.applyFilter(api);
        }}
      >
        <input aria-label="Filter" className="grow" placeholder='label matchers, e.g. severity="critical", job=~"api.*"' value={s.filter} onChange={(e) => s.setFilter(e.target.value)} />
        <button type="submit">Filter</button>
        <label className="inline">
          group by alertname and
          <input aria-label="Group by label" className="short" placeholder="label" value={s.groupBy} onChange={(e) => s.setGroupBy(e.target.value)} />
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={s.showResolved}
            onChange={(e) => {
              s.setShowResolved(e.target.checked);
              void refresh(api);
            }}
          />
          resolved
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={s.includeDrills}
            onChange={(e) => {
              s.setIncludeDrills(e.target.checked);
              void refresh(api);
            }}
          />
          drills
        </label>
      </form>
      {s.error && (
        <p className="query-error" data-testid="alerts-error">
          {s.error}
        </p>
      )}
      {s.actionError && <p className="error">{s.actionError}</p>}
      <SilenceForm />
      {s.loaded && groups.length === 0 && !s.error && <p className="muted">No alerts{s.appliedFilter ? ' match the filter' : ''}.</p>}
      {groups.map((g) => (
        <section key={g.key} className="alert-group" data-testid="alert-group">
          <h2>
            <StateBadge state={g.worst} /> {g.alertname}
            {g.by !== null && (
              <span className="muted">
                {' '}
                · {s.groupBy}={g.by || '(none)'}
              </span>
            )}
            <span className="muted small"> ({g.alerts.length})</span>
          </h2>
          <ul className="alert-list">
            {g.alerts.map((a) => (
              <AlertCard key={a.fingerprint} alert={a} focused={s.focused === a.fingerprint} />
            ))}
          </ul>
        </section>
      ))}
      <SilencesList />
    </div>
  );
}
