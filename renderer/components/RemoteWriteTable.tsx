import type { Status } from '../../app/api/status.js';
import { formatDuration } from '../format.js';

/** The Status page's remote-write section: one row per endpoint with protocol, lag, backlog, failures and the last error. */
export function RemoteWriteTable({ endpoints }: { endpoints: NonNullable<Status['remoteWrite']> }) {
  return (
    <table className="compact">
      <thead>
        <tr>
          <th>Endpoint</th>
          <th>Lag</th>
          <th>Backlog (batches)</th>
          <th>Pending samples</th>
          <th>Failed samples</th>
          <th>Failed histograms / exemplars</th>
          <th>Last error</th>
        </tr>
      </thead>
      <tbody>
        {endpoints.map((r) => (
          <tr key={r.name}>
            <td>
              {r.name} <code className="muted">{r.url}</code> <span className="muted">remote write {r.protocol}</span>
            </td>
            <td>{r.lagSeconds === null ? <span className="muted">nothing sent yet</span> : formatDuration(r.lagSeconds * 1000)}</td>
            <td>{r.backlogBatches}</td>
            <td>{r.pendingSamples}</td>
            <td>{r.failedSamples}</td>
            <td>
              {r.failedHistograms} / {r.failedExemplars}
            </td>
            <td>{r.lastError === null ? <span className="muted">none</span> : `${r.lastError} (${new Date(r.lastErrorAtMs).toISOString()})`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
