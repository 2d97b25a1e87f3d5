import { useEffect, useMemo } from 'react';
import { inboxPollMs, onAlertsChanged, useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';
import { alertsReadError, alertsRequest, useAlertsStore } from '../store/alerts.js';
import { focusedFingerprint, groupAlerts } from '../alerts/alert-helpers.js';
import { AlertCard } from '../alerts/AlertCard.js';
import { SilenceForm } from '../alerts/SilenceForm.js';
import { SilencesList } from '../alerts/SilencesList.js';
import { NotificationToasts } from '../alerts/NotificationToasts.js';
import { StateBadge } from '../alerts/LabelPills.js';

export function AlertsPage() {
  const s = useAlertsStore();
  const { setFocused } = s;
  useEffect(() => {
    const sync = () => setFocused(focusedFingerprint(window.location.hash));
    sync();
    window.addEventListener('hashchange', sync);
    return () => window.removeEventListener('hashchange', sync);
  }, [setFocused]);
  const read = useEngineRead('alerts', alertsRequest(s), { pollMs: inboxPollMs, subscribe: onAlertsChanged });
  const alerts = read.data?.alerts;
  const error = alertsReadError(read.error, s.appliedFilter);

  const groups = useMemo(() => groupAlerts(alerts ?? [], s.groupBy.trim() || null), [alerts, s.groupBy]);
  const counts = useMemo(() => {
    const c = { firing: 0, pending: 0, resolved: 0 };
    for (const a of alerts ?? []) c[a.state]++;
    return c;
  }, [alerts]);

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
          s.applyFilter();
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
            }}
          />
          drills
        </label>
      </form>
      <ReadError error={error} testId="alerts-error" />
      {s.actionError && <p className="error">{s.actionError}</p>}
      <SilenceForm />
      {alerts !== undefined && groups.length === 0 && !error && <p className="muted">No alerts{s.appliedFilter ? ' match the filter' : ''}.</p>}
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
