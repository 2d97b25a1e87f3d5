import { useEffect, useRef, useState } from 'react';
import { appHash, parseAppHash, type DashboardView as DashboardRoute } from '../../app/app-urls.js';
import type { ImportReport } from '../../app/api/dashboards.js';
import { api } from '../api/client.js';
import { queries, useEngineRead } from '../api/engine-reads.js';
import { queryError, type QueryError } from '../api/query-cache.js';
import { ReadError } from '../components/ReadError.js';
import { DashboardView } from '../dashboards/DashboardView.js';

function currentDashboard(): DashboardRoute | undefined {
  const r = parseAppHash(window.location.hash);
  return r?.page === 'dashboards' ? r.dashboard : undefined;
}

/** Saves text as a file through the browser's download. */
function download(filename: string, text: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** The dashboards page: the list (search, tags, starred, import, export), or one dashboard. */
export function DashboardsPage() {
  const [route, setRoute] = useState(currentDashboard);
  useEffect(() => {
    const onHash = () => setRoute(currentDashboard());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  // A link followed (another dashboard, time, variables or mode) is a new view: its state starts
  // over from the link. The view's own address updates use replaceState and fire no hashchange.
  return route ? <DashboardView key={JSON.stringify(route)} route={route} /> : <DashboardList />;
}

function ImportBox({ onDone }: { onDone(): void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<QueryError | null>(null);
  const [report, setReport] = useState<{ uid: string; title: string; report: ImportReport } | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const run = async (json: string, where: string) => {
    setError(null);
    setReport(null);
    try {
      const r = await api.importDashboard({ json });
      setReport({ uid: r.dashboard.uid, title: r.dashboard.title, report: r.report });
      setText('');
      onDone();
    } catch (err) {
      setError(queryError(err, `importing ${where}`));
    }
  };
  return (
    <div className="import-box" data-testid="import-box">
      <input
        ref={file}
        type="file"
        accept=".json,application/json"
        aria-label="Import dashboard file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void f.text().then((t) => run(t, f.name));
          e.target.value = '';
        }}
      />
      <textarea aria-label="Paste dashboard JSON" placeholder="…or paste a Grafana dashboard's JSON here" rows={4} value={text} onChange={(e) => setText(e.target.value)} />
      <button type="button" disabled={text.trim() === ''} onClick={() => void run(text, 'the pasted JSON')}>
        Import pasted JSON
      </button>
      <ReadError error={error} testId="import-error" />
      {report && (
        <div className="import-report" role="status" data-testid="import-report">
          Imported <a href={appHash({ page: 'dashboards', dashboard: { uid: report.uid, vars: {} } })}>{report.title}</a>.
          {(['mapped', 'kept', 'unsupported'] as const).map(
            (k) =>
              report.report[k].length > 0 && (
                <details key={k}>
                  <summary>
                    {report.report[k].length} {k}
                  </summary>
                  <ul>
                    {report.report[k].map((item, i) => (
                      <li key={i}>
                        {item.where}: {item.message}
                      </li>
                    ))}
                  </ul>
                </details>
              ),
          )}
        </div>
      )}
    </div>
  );
}

function DashboardList() {
  const [search, setSearch] = useState('');
  const [tags, setTags] = useState<string[]>([]);
  const [starred, setStarred] = useState(false);
  const [importing, setImporting] = useState(false);
  const [actionError, setActionError] = useState<QueryError | null>(null);
  const request = { ...(search ? { query: search } : {}), ...(tags.length ? { tags } : {}), ...(starred ? { starred: true } : {}) };
  const list = useEngineRead('dashboards', request);
  const act = async (what: string, f: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await f();
    } catch (err) {
      setActionError(queryError(err, what));
    }
  };
  const exportOne = (uid: string, external: boolean) =>
    act(`exporting ${uid}`, async () => {
      const r = await api.exportDashboard({ uid, external });
      download(r.filename, r.json);
    });
  return (
    <section className="page dashboards">
      <header className="page-header wrap">
        <h1>Dashboards</h1>
        <input type="search" aria-label="Search dashboards" placeholder="Search by title" value={search} onChange={(e) => setSearch(e.target.value)} />
        <label className="inline">
          <input type="checkbox" checked={starred} onChange={(e) => setStarred(e.target.checked)} /> starred
        </label>
        <button type="button" onClick={() => setImporting(!importing)} aria-expanded={importing}>
          Import
        </button>
      </header>
      {importing && <ImportBox onDone={() => void queries.invalidate('dashboards')} />}
      <div className="tag-filter" role="group" aria-label="Tags">
        {(list.data?.tags ?? []).map((t) => (
          <button key={t} type="button" className="tag" aria-pressed={tags.includes(t)} onClick={() => setTags((ts) => (ts.includes(t) ? ts.filter((x) => x !== t) : [...ts, t]))}>
            {t}
          </button>
        ))}
      </div>
      <ReadError error={list.error} testId="dashboards-error" />
      <ReadError error={actionError} testId="dashboards-action-error" />
      <table className="result-table dashboards-list">
        <tbody>
          {(list.data?.dashboards ?? []).map((d) => (
            <tr key={d.uid} data-dashboard-uid={d.uid}>
              <td>
                <button
                  type="button"
                  className="link star"
                  aria-label={d.starred ? `Unstar ${d.title}` : `Star ${d.title}`}
                  aria-pressed={d.starred}
                  onClick={() => void act(`starring ${d.title}`, async () => (await api.starDashboard({ uid: d.uid, starred: !d.starred }), queries.invalidate('dashboards')))}
                >
                  {d.starred ? '★' : '☆'}
                </button>
              </td>
              <td>
                <a href={appHash({ page: 'dashboards', dashboard: { uid: d.uid, vars: {} } })}>{d.title}</a>
              </td>
              <td className="muted">{d.folder}</td>
              <td>
                {d.tags.map((t) => (
                  <span key={t} className="tag">
                    {t}
                  </span>
                ))}
              </td>
              <td>
                <button type="button" className="link" onClick={() => void exportOne(d.uid, false)}>
                  Export
                </button>{' '}
                <button type="button" className="link" title="Grafana's export for sharing externally (__inputs, datasource placeholders)" onClick={() => void exportOne(d.uid, true)}>
                  Export for sharing
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && list.data.dashboards.length === 0 && <p className="muted">No dashboards{search || tags.length || starred ? ' match' : ' yet: import one'}.</p>}
    </section>
  );
}
