import { queries } from '../api/engine-reads.js';
import { formatDuration } from '../format.js';
import { useAlertsStore } from '../store/alerts.js';
import { matchOps as ops, type MatchOp } from '../../app/dialect/matcher.js';
import { durationPresets, parseSilenceDuration } from './alert-helpers.js';
import { LabelPills, StateBadge } from './LabelPills.js';


/** Compose a silence (pre-filled from an alert), preview what it mutes, then confirm. */
export function SilenceForm() {
  const { draft, editDraft, cancelSilence, previewSilence, createSilence } = useAlertsStore();
  if (!draft) return null;
  const durMs = parseSilenceDuration(draft.duration);
  const setMatcher = (i: number, patch: Partial<(typeof draft.matchers)[number]>) => editDraft({ matchers: draft.matchers.map((m, j) => (j === i ? { ...m, ...patch } : m)) });
  return (
    <section className="silence-form" aria-label="New silence" data-testid="silence-form">
      <h2>New silence</h2>
      <table className="matchers">
        <tbody>
          {draft.matchers.map((m, i) => (
            <tr key={i}>
              <td>
                <input aria-label={`matcher ${i + 1} name`} value={m.name} onChange={(e) => setMatcher(i, { name: e.target.value })} />
              </td>
              <td>
                <select aria-label={`matcher ${i + 1} operator`} value={m.op} onChange={(e) => setMatcher(i, { op: e.target.value as MatchOp })}>
                  {ops.map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
              </td>
              <td>
                <input aria-label={`matcher ${i + 1} value`} value={m.value} onChange={(e) => setMatcher(i, { value: e.target.value })} />
              </td>
              <td>
                <button type="button" className="link" disabled={draft.matchers.length <= 1} onClick={() => editDraft({ matchers: draft.matchers.filter((_, j) => j !== i) })}>
                  remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="link" onClick={() => editDraft({ matchers: [...draft.matchers, { name: '', op: '=', value: '' }] })}>
        + matcher
      </button>
      <div className="form-row">
        <label className="inline">
          Duration
          <input aria-label="Duration" className="short" value={draft.duration} onChange={(e) => editDraft({ duration: e.target.value })} />
        </label>
        {durationPresets.map((p) => (
          <button key={p} type="button" className={`chip${draft.duration === p ? ' active' : ''}`} onClick={() => editDraft({ duration: p })}>
            {p}
          </button>
        ))}
        <span className="muted small">{durMs !== null ? `until ${new Date(Date.now() + durMs).toLocaleString()} (${formatDuration(durMs)})` : 'write e.g. 30m, 2h, 1d12h'}</span>
      </div>
      <div className="form-row">
        <label className="inline grow">
          Comment
          <input aria-label="Comment" className="grow" placeholder="why (required)" value={draft.comment} onChange={(e) => editDraft({ comment: e.target.value })} />
        </label>
        <label className="inline">
          By
          <input aria-label="Created by" className="short" value={draft.createdBy} onChange={(e) => editDraft({ createdBy: e.target.value })} />
        </label>
      </div>
      <div className="form-row">
        <button type="button" disabled={draft.busy} onClick={() => void previewSilence(queries)}>
          Preview
        </button>
        <button type="button" className="primary" disabled={draft.busy || draft.preview === null} title={draft.preview === null ? 'preview first' : ''} onClick={() => void createSilence(queries, Date.now())}>
          Create silence
        </button>
        <button type="button" onClick={cancelSilence}>
          Cancel
        </button>
      </div>
      {draft.error && <p className="error">{draft.error}</p>}
      {draft.previewError && <p className="error">{draft.previewError}</p>}
      {draft.preview !== null && (
        <div className="silence-preview" data-testid="silence-preview">
          <h4>{draft.preview.length === 0 ? 'This silence would mute no current alert.' : `This silence would mute ${draft.preview.length} alert${draft.preview.length === 1 ? '' : 's'}:`}</h4>
          <ul>
            {draft.preview.map((a) => (
              <li key={a.fingerprint}>
                <StateBadge state={a.state} /> <b>{a.labels['alertname']}</b> <LabelPills labels={a.labels} hide={['alertname']} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
