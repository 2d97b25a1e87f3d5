import { inboxPollMs, onAlertsChanged, queries, useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';
import { useAlertsStore } from '../store/alerts.js';
import { formatMatchers } from './alert-helpers.js';

/** Every silence with its state; active and pending ones can be expired. */
export function SilencesList() {
  const { expireSilence } = useAlertsStore();
  const { data, error } = useEngineRead('silences', {}, { pollMs: inboxPollMs, subscribe: onAlertsChanged });
  const silences = data?.silences ?? [];
  const order = { active: 0, pending: 1, expired: 2 } as const;
  const sorted = [...silences].sort((a, b) => order[a.state] - order[b.state] || b.startsAtMs - a.startsAtMs);
  return (
    <section className="silences" aria-label="Silences">
      <h2>Silences</h2>
      <ReadError error={error} />
      {sorted.length === 0 ? (
        <p className="muted">No silences.</p>
      ) : (
        <table className="targets" data-testid="silences">
          <thead>
            <tr>
              <th>State</th>
              <th>Matchers</th>
              <th>Ends</th>
              <th>By</th>
              <th>Comment</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sorted.map((s) => (
              <tr key={s.id} data-testid="silence-row" className={`silence ${s.state}`}>
                <td>
                  <span className={`alert-state silence-${s.state}`}>{s.state.toUpperCase()}</span>
                </td>
                <td>
                  <code>{formatMatchers(s.matchers)}</code>
                </td>
                <td className="small">{new Date(s.endsAtMs).toLocaleString()}</td>
                <td>{s.createdBy}</td>
                <td>{s.comment}</td>
                <td>
                  {s.state !== 'expired' && (
                    <button type="button" onClick={() => void expireSilence(queries, s.id)}>
                      Expire
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
