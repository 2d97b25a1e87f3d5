import { useState } from 'react';
import { useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';
import { formatDuration } from '../format.js';
import { CostsFacts } from '../status/CostsFacts.js';
import { MemoryBudgetSection } from '../status/MemoryBudget.js';
import { Cardinality } from '../status/Cardinality.js';
import { RemoteWriteTable } from '../components/RemoteWriteTable.js';

const formatMiB = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;

export function StatusPage() {
  const { data: status, error, loading, refresh } = useEngineRead('status', {}, { pollMs: 5_000 });
  const [refreshSignal, setRefreshSignal] = useState(0);

  return (
    <section className="page">
      <header className="page-header">
        <h1>Status</h1>
        <button
          type="button"
          onClick={() => {
            void refresh();
            setRefreshSignal((n) => n + 1);
          }}
          disabled={loading}
        >
          Refresh
        </button>
      </header>
      <ReadError error={error} />
      {status === undefined && error === null && <p className="muted">Loading…</p>}
      {status !== undefined && (
        <dl className="facts" aria-label="Engine status">
          <dt>Engine started</dt>
          <dd data-testid="start-time">
            {new Date(status.startTimeMs).toISOString()}{' '}
            <span className="muted">({formatDuration(Date.now() - status.startTimeMs)} ago)</span>
          </dd>
          <dt>Version</dt>
          <dd>
            {status.build.version} <span className="muted">({status.build.revision})</span>
          </dd>
          <dt>Runtime</dt>
          <dd>
            {status.build.runtime} on {status.build.platform}
          </dd>
          <dt>Shell</dt>
          <dd>{status.shell}</dd>
          <dt>Data directory</dt>
          <dd data-testid="data-dir">
            <code>{status.dataDir}</code>
          </dd>
          <dt>Config file</dt>
          <dd>{status.configFile === null ? <span className="muted">embedded default</span> : <code>{status.configFile}</code>}</dd>
          <dt>Storage</dt>
          <dd data-testid="storage-health">
            {status.storage.paused === null && status.storage.quarantine === null && 'healthy'}
            {status.storage.paused !== null && `ingestion paused since ${new Date(status.storage.paused.sinceMs).toISOString()}: ${status.storage.paused.message}`}
            {status.storage.quarantine !== null && <div>{status.storage.quarantine}</div>}
          </dd>
          {status.configErrors.length > 0 && (
            <>
              <dt>Config reload refused</dt>
              <dd data-testid="config-errors" role="alert">
                The last reload was refused; the previous config keeps running. Fix these and reload:
                <ul>
                  {status.configErrors.map((e, i) => (
                    <li key={i}>
                      <code>{e}</code>
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
          {(status.remoteWrite ?? []).length > 0 && (
            <>
              <dt>Remote write</dt>
              <dd data-testid="remote-write">
                <RemoteWriteTable endpoints={status.remoteWrite ?? []} />
                {status.remoteWriteLog && (
                  <p className="muted" data-testid="remote-write-log">
                    Held log: {formatMiB(status.remoteWriteLog.bytes)}
                    {status.remoteWriteLog.maxBytes > 0 ? ` of at most ${formatMiB(status.remoteWriteLog.maxBytes)}` : ' (no cap)'}
                    {status.remoteWriteLog.droppedSamples > 0 ? `; ${status.remoteWriteLog.droppedSamples} samples deleted before they were sent` : ''}
                  </p>
                )}
              </dd>
            </>
          )}
          {status.interruptedQueries.length > 0 && (
            <>
              <dt>Interrupted queries</dt>
              <dd data-testid="interrupted-queries">
                Running when Vigil last stopped unexpectedly, and not run again:
                <ul>
                  {status.interruptedQueries.map((q, i) => (
                    <li key={i}>
                      <code>{q.query}</code> <span className="muted">(started {new Date(q.startedMs).toISOString()})</span>
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
        </dl>
      )}
      {status?.costs !== undefined && (
        <>
          <h2>What Vigil holds and costs</h2>
          <CostsFacts costs={status.costs} />
        </>
      )}
      <h2>Memory</h2>
      <MemoryBudgetSection />
      <Cardinality refreshSignal={refreshSignal} />
    </section>
  );
}
