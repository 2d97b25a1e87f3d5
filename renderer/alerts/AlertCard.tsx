import { useEffect, useRef, useState } from 'react';
import type { InboxAlert } from '../../app/api/alerts.js';
import { queries } from '../api/engine-reads.js';
import { formatDuration } from '../format.js';
import { useAlertsStore } from '../store/alerts.js';
import { exploreHref } from './alert-helpers.js';
import { LabelPills, StateBadge } from './LabelPills.js';

const time = (ms: number) => new Date(ms).toLocaleString();

/** The `drill="true"` label is the drill marker the engine sets; the flag alone can be lost. */
const isDrill = (a: InboxAlert) => a.drill || a.labels['drill'] === 'true';

/** "firing for 3m", or the time for a change stamped ahead of now (drills run in simulated time). */
function since(a: InboxAlert, now: number): string {
  return a.lastChangeMs <= now ? `${a.state} for ${formatDuration(now - a.lastChangeMs)}` : `${a.state} since ${new Date(a.lastChangeMs).toLocaleTimeString()}`;
}

/** One alert in the inbox: state, badges, actions, and (expanded) history and notes. */
export function AlertCard({ alert, focused }: { alert: InboxAlert; focused: boolean }) {
  const { ack, unack, addNote, startSilence } = useAlertsStore();
  const [open, setOpen] = useState(focused);
  const [ackComment, setAckComment] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (focused) {
      setOpen(true);
      ref.current?.scrollIntoView({ block: 'center' });
    }
  }, [focused]);
  const now = Date.now();
  const explore = exploreHref(alert, now);
  return (
    <li ref={ref} className={`alert-card state-${alert.state}${focused ? ' focused' : ''}`} data-testid="alert-card" data-fingerprint={alert.fingerprint}>
      <div className="alert-head">
        <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open} aria-label="Details">
          {open ? '▾' : '▸'}
        </button>
        <StateBadge state={alert.state} />
        {isDrill(alert) && <span className="drill-badge">DRILL</span>}
        {alert.flapping && (
          <span className="flag flapping" title="changed state often recently">
            FLAPPING
          </span>
        )}
        {alert.ack && (
          <span className="flag acked" data-testid="ack-badge" title={`${alert.ack.by} at ${time(alert.ack.atMs)}${alert.ack.comment ? `: ${alert.ack.comment}` : ''}`}>
            ACKED by {alert.ack.by}
          </span>
        )}
        {alert.silencedBy.length > 0 && (
          <span className="flag silenced" data-testid="silenced-badge" title={`silences ${alert.silencedBy.join(', ')}`}>
            SILENCED
          </span>
        )}
        <LabelPills labels={alert.labels} hide={['alertname']} />
        <span className="muted small alert-since">
          {since(alert, now)}
        </span>
      </div>
      {alert.annotations['summary'] && <div className="alert-summary">{alert.annotations['summary']}</div>}
      <div className="alert-actions">
        {alert.ack ? (
          <button type="button" onClick={() => void unack(queries, alert.fingerprint)}>
            Unacknowledge
          </button>
        ) : ackComment === null ? (
          <button type="button" onClick={() => setAckComment('')}>
            Acknowledge
          </button>
        ) : (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void ack(queries, alert.fingerprint, ackComment);
              setAckComment(null);
            }}
          >
            <input aria-label="Acknowledge comment" placeholder="comment (optional)" value={ackComment} onChange={(e) => setAckComment(e.target.value)} autoFocus />
            <button type="submit" className="primary">
              Confirm acknowledge
            </button>
            <button type="button" onClick={() => setAckComment(null)}>
              Cancel
            </button>
          </form>
        )}
        <button type="button" onClick={() => startSilence(alert)}>
          Silence…
        </button>
        {note === null && (
          <button type="button" onClick={() => setNote('')}>
            Add note
          </button>
        )}
        {explore && (
          <a className="button-link" href={explore} title={alert.expr ?? ''}>
            Open in Explore
          </a>
        )}
      </div>
      {note !== null && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void addNote(queries, alert.fingerprint, note).then((ok) => ok && setNote(null));
          }}
        >
          <input aria-label="Note" className="note-input" placeholder="what you found, what you did" value={note} onChange={(e) => setNote(e.target.value)} autoFocus />
          <button type="submit" className="primary" disabled={!note.trim()}>
            Save note
          </button>
          <button type="button" onClick={() => setNote(null)}>
            Cancel
          </button>
        </form>
      )}
      {open && (
        <div className="alert-detail">
          {alert.expr && (
            <p className="small">
              <span className="muted">expr </span>
              <code>{alert.expr}</code>
            </p>
          )}
          <h4>History</h4>
          <ol className="alert-history">
            {alert.history.map((h, i) => (
              <li key={i}>
                <StateBadge state={h.state} /> <span className="small">{time(h.atMs)}</span>
              </li>
            ))}
          </ol>
          {Object.keys(alert.annotations).length > 0 && (
            <>
              <h4>Annotations</h4>
              <dl className="annotations">
                {Object.entries(alert.annotations).map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            </>
          )}
          <h4>Notes</h4>
          {alert.notes.length === 0 ? (
            <p className="muted small">No notes yet.</p>
          ) : (
            <ul className="alert-notes" data-testid="alert-notes">
              {alert.notes.map((n, i) => (
                <li key={i}>
                  <span className="muted small">
                    {n.author}, {time(n.atMs)}:
                  </span>{' '}
                  {n.text}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </li>
  );
}
