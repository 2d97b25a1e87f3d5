import { useEffect, useState } from 'react';
import type { DashboardChange } from '../../app/api/dashboards.js';
import { changeText } from '../../app/dashboards/diff.js';
import { api } from '../api/client.js';
import { useEngineRead } from '../api/engine-reads.js';
import { queryError, type QueryError } from '../api/query-cache.js';
import { ReadError } from '../components/ReadError.js';

/**
 * A dashboard's versions (newest first): pick two to see what changed between them (JSON paths
 * with before and after), view one as JSON, or restore one — which saves it as a new version,
 * so nothing is lost. Provisioned dashboards have no history (their file is the source).
 */
export function VersionHistory({ uid, canRestore, onRestored, onClose }: { uid: string; canRestore: boolean; onRestored: (version: number) => void; onClose: () => void }) {
  const read = useEngineRead('dashboardVersions', { uid });
  const versions = read.data?.versions ?? [];
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [changes, setChanges] = useState<{ from: number; to: number; list: DashboardChange[] } | null>(null);
  const [json, setJson] = useState<{ version: number; text: string } | null>(null);
  const [error, setError] = useState<QueryError | null>(null);

  // Compare the two newest by default.
  useEffect(() => {
    if (versions.length >= 2 && from === null && to === null) {
      setFrom(versions[1]!.version);
      setTo(versions[0]!.version);
    }
  }, [versions.length]);

  const run = async (what: string, f: () => Promise<void>) => {
    setError(null);
    try {
      await f();
    } catch (err) {
      setError(queryError(err, what));
    }
  };
  const compare = () =>
    run(`comparing versions ${from} and ${to}`, async () => {
      if (from === null || to === null) return;
      const r = await api.diffDashboardVersions({ uid, from, to });
      setChanges({ from, to, list: r.changes });
    });
  const view = (version: number) =>
    run(`reading version ${version}`, async () => {
      const r = await api.dashboard({ uid, version });
      setJson({ version, text: JSON.stringify(r.dashboard, null, 2) });
    });
  const restore = (version: number) =>
    run(`restoring version ${version}`, async () => {
      const r = await api.restoreDashboardVersion({ uid, version });
      await read.refresh();
      setChanges(null);
      onRestored(r.version);
    });

  return (
    <div className="panel-editor version-history" role="dialog" aria-label="Version history">
      <div className="panel-editor-row">
        <strong>Versions</strong>
        <button type="button" disabled={from === null || to === null || from === to} onClick={() => void compare()}>
          Compare v{from ?? '?'} → v{to ?? '?'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ReadError error={read.error ?? error} testId="history-error" />
      <table className="version-table">
        <thead>
          <tr>
            <th>from</th>
            <th>to</th>
            <th>Version</th>
            <th>Saved</th>
            <th>By</th>
            <th>Note</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((v, i) => (
            <tr key={v.version} data-version={v.version}>
              <td>
                <input type="radio" name="diff-from" aria-label={`Compare from version ${v.version}`} checked={from === v.version} onChange={() => setFrom(v.version)} />
              </td>
              <td>
                <input type="radio" name="diff-to" aria-label={`Compare to version ${v.version}`} checked={to === v.version} onChange={() => setTo(v.version)} />
              </td>
              <td>
                v{v.version}
                {i === 0 && <span className="muted"> (latest)</span>}
              </td>
              <td>{new Date(v.createdMs).toLocaleString()}</td>
              <td>{v.author}</td>
              <td>
                {v.message}
                {v.restoredFrom !== null && <span className="muted"> restored from v{v.restoredFrom}</span>}
              </td>
              <td>
                <button type="button" className="link" onClick={() => void view(v.version)}>
                  JSON
                </button>
                {i > 0 && (
                  <button
                    type="button"
                    className="link"
                    disabled={!canRestore}
                    title={canRestore ? 'Saves this version again as the newest; later versions stay in the history' : 'Provisioned from a file: restore is refused'}
                    onClick={() => void restore(v.version)}
                  >
                    Restore
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {changes && (
        <div data-testid="version-diff">
          <p className="muted">
            v{changes.from} → v{changes.to}: {changes.list.length === 0 ? 'no changes' : `${changes.list.length} change${changes.list.length > 1 ? 's' : ''}`}
          </p>
          <ul className="version-diff">
            {changes.list.map((c) => (
              <li key={c.path} className={`diff-${c.kind}`} data-path={c.path}>
                <code>{c.path}</code> {c.kind}
                {c.kind !== 'added' && <del>{changeText(c.before)}</del>}
                {c.kind !== 'removed' && <ins>{changeText(c.after)}</ins>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {json && (
        <div>
          <p className="muted">Version {json.version} as stored:</p>
          <pre className="version-json" data-testid="version-json">
            {json.text}
          </pre>
        </div>
      )}
    </div>
  );
}
