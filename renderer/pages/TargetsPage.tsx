import { useMemo } from 'react';
import { api } from '../api/client.js';
import { useTargetsStore } from '../store/targets.js';
import { useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';
import type { ActiveTarget } from '../../app/api/targets.js';
import { formatDuration } from '../format.js';
import { ProbesSection } from './ProbesSection.js';

function LabelList({ labels }: { labels: Record<string, string> }) {
  return (
    <span className="label-list">
      {Object.entries(labels).map(([k, v]) => (
        <span key={k} className="label-pill">
          {k}=<b>{v}</b>
        </span>
      ))}
    </span>
  );
}

function ago(rfc3339: string): string {
  const t = Date.parse(rfc3339);
  if (!Number.isFinite(t) || t <= 0) return 'never';
  return `${formatDuration(Date.now() - t)} ago`;
}

function TargetRow({ t }: { t: ActiveTarget }) {
  const { expanded, toggle, lint, runLint } = useTargetsStore();
  const open = expanded.has(t.scrapeUrl);
  const lintResult = lint[t.scrapeUrl];
  return (
    <>
      <tr className={`target health-${t.health}`} data-testid="target-row">
        <td>
          <button type="button" className="link" onClick={() => toggle(t.scrapeUrl)} aria-expanded={open}>
            {open ? '▾' : '▸'}
          </button>{' '}
          <a href={t.scrapeUrl} target="_blank" rel="noreferrer">
            {t.scrapeUrl}
          </a>
        </td>
        <td>
          <span className={`health ${t.health}`}>{t.health.toUpperCase()}</span>
        </td>
        <td>
          <LabelList labels={t.labels} />
        </td>
        <td>{ago(t.lastScrape)}</td>
        <td>{(t.lastScrapeDuration * 1000).toFixed(1)} ms</td>
        <td className="error" data-testid="target-error">
          {t.lastError}
        </td>
      </tr>
      {open && (
        <tr className="target-detail">
          <td colSpan={6}>
            <h4>Discovered labels (before relabeling)</h4>
            <LabelList labels={t.discoveredLabels} />
            <h4>Target labels (after relabeling)</h4>
            <LabelList labels={t.labels} />
            {t.relabelSteps && t.relabelSteps.length > 0 && (
              <>
                <h4>Relabel steps</h4>
                <ol className="relabel-steps">
                  {t.relabelSteps.map((s) => (
                    <li key={s.index}>
                      <code>{s.action}</code> {s.dropped ? <b className="error">dropped the target</b> : null}
                      <div className="muted small">
                        → <LabelList labels={s.after} />
                      </div>
                    </li>
                  ))}
                </ol>
              </>
            )}
            <h4>
              Metrics lint{' '}
              <button type="button" onClick={() => void runLint(api, t.scrapeUrl)}>
                Check metrics
              </button>
            </h4>
            {lintResult === 'loading' && <p className="muted">Fetching the page…</p>}
            {lintResult && lintResult !== 'loading' && (
              <>
                {lintResult.error && <p className="error">{lintResult.error}</p>}
                {lintResult.problems.length === 0 && !lintResult.error && <p className="ok">No problems found (promtool check metrics rules).</p>}
                <ul>
                  {lintResult.problems.map((p, i) => (
                    <li key={i}>
                      <code>{p.metric}</code>: {p.text}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

export function TargetsPage() {
  const { filter, onlyUnhealthy, setFilter, setOnlyUnhealthy } = useTargetsStore();
  const { data, error, refresh } = useEngineRead('targets', {}, { pollMs: 5000 });
  const pools = useMemo(() => {
    const byPool = new Map<string, ActiveTarget[]>();
    for (const t of data?.activeTargets ?? []) {
      if (onlyUnhealthy && t.health === 'up') continue;
      const text = `${t.scrapeUrl} ${Object.values(t.labels).join(' ')}`.toLowerCase();
      if (filter && !text.includes(filter.toLowerCase())) continue;
      const list = byPool.get(t.scrapePool) ?? [];
      list.push(t);
      byPool.set(t.scrapePool, list);
    }
    return [...byPool.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [data, filter, onlyUnhealthy]);

  return (
    <section className="page">
      <header className="page-header wrap">
        <h1>Targets &amp; Probes</h1>
        <input placeholder="Filter by endpoint or labels" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter targets" />
        <label className="inline">
          <input type="checkbox" checked={onlyUnhealthy} onChange={(e) => setOnlyUnhealthy(e.target.checked)} /> unhealthy only
        </label>
        <button type="button" onClick={() => void refresh()}>
          Refresh
        </button>
      </header>
      <ReadError error={error} />
      {pools.map(([pool, targets]) => {
        const up = targets.filter((t) => t.health === 'up').length;
        return (
          <div key={pool} className="pool" data-testid="pool">
            <h2>
              {pool}{' '}
              <span className={up === targets.length ? 'ok' : 'error'}>
                ({up}/{targets.length} up)
              </span>
            </h2>
            <table className="targets">
              <thead>
                <tr>
                  <th>Endpoint</th>
                  <th>State</th>
                  <th>Labels</th>
                  <th>Last scrape</th>
                  <th>Duration</th>
                  <th>Error</th>
                </tr>
              </thead>
              <tbody>
                {targets.map((t) => (
                  <TargetRow key={t.scrapeUrl} t={t} />
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
      {data && data.activeTargets.length === 0 && <p className="muted">No scrape targets configured.</p>}
      {data && data.droppedTargets.length > 0 && <p className="muted small">{data.droppedTargets.length} targets dropped by relabeling.</p>}
      <ProbesSection />
    </section>
  );
}
