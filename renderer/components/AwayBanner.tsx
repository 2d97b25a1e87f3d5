import { useEffect, useState } from 'react';
import { formatDuration } from '../../app/dialect/duration.js';
import type { PowerState } from '../../app/api/power.js';
import { onEngineEvent } from '../alerts/event-hub.js';
import { useEngineRead } from '../api/engine-reads.js';

/** Slow fallback when the event stream drops; `powerChanged` drives refreshes. */
const pollMs = 60_000;

/**
 * After a sleep: rules waiting for fresh data, then "while you were away" — what changed across
 * the gap (main/power/away-summary.ts). Dismissed per summary.
 */
export function AwayBanner() {
  const { data, refresh } = useEngineRead('power', {}, { pollMs });
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  useEffect(() => onEngineEvent((e) => (e.type === 'powerChanged' ? void refresh() : undefined)), [refresh]);
  if (!data) return null;
  return <AwayNotice power={data} dismissed={data.away !== null && data.away.atMs === dismissedAt} onDismiss={() => setDismissedAt(data.away?.atMs ?? null)} />;
}

/** Whole minutes are enough for a sleep ("1h2m"); a few seconds are shown as such. */
const sleptFor = (ms: number): string => formatDuration(ms >= 60_000 ? Math.round(ms / 60_000) * 60_000 : Math.round(ms / 1000) * 1000);

export function AwayNotice({ power, dismissed, onDismiss }: { power: PowerState; dismissed: boolean; onDismiss: () => void }) {
  const away = power.away;
  if (power.rulesHeld) {
    return (
      <div className="banner banner-info" role="status" data-testid="away-banner">
        <p>Woke up from sleep: alert rules wait until every target has been scraped again, so nothing pages on stale data.</p>
      </div>
    );
  }
  if (away === null || dismissed) return null;
  const quiet = away.newlyFiring.length === 0 && away.targetsDown.length === 0 && away.certificates.length === 0;
  return (
    <div className="banner banner-info" role="status" data-testid="away-banner">
      <p>
        <strong>While you were away</strong> ({sleptFor(away.gap.toMs - away.gap.fromMs)} asleep, from {new Date(away.gap.fromMs).toLocaleTimeString()}):
        {quiet ? ' nothing changed.' : ''}
        <button type="button" className="link banner-dismiss" onClick={onDismiss}>
          Dismiss
        </button>
      </p>
      {away.newlyFiring.length > 0 && (
        <p>
          Now firing: {away.newlyFiring.map((a) => [a.labels['alertname'], a.labels['instance'] ?? a.labels['job']].filter(Boolean).join(' on ')).join(', ')}
        </p>
      )}
      {away.targetsDown.length > 0 && (
        <p>
          Targets down: {away.targetsDown.map((t) => `${t.scrapeUrl} (${t.scrapePool}${t.wasUp ? ', was up' : ''}${t.error ? `: ${t.error}` : ''})`).join('; ')}
        </p>
      )}
      {away.certificates.length > 0 && (
        <p>
          Certificates: {away.certificates.map((c) => `${c.labels['instance'] ?? c.labels['job'] ?? '?'} now ${Math.max(0, Math.floor(c.daysLeftAfter))} days left`).join('; ')}
        </p>
      )}
      <p className="muted">
        Series: {away.series.before} before, {away.series.after} now.
      </p>
    </div>
  );
}
