import { useState, type ChangeEvent } from 'react';
import { api } from '../api/client.js';
import type { ImportPreview, ImportRequest } from '../../app/api/onboarding.js';

function Preview({ p }: { p: ImportPreview }) {
  return (
    <div className="import-preview" data-testid="import-preview">
      <h3>Files</h3>
      <ul>
        {p.files.map((f) => (
          <li key={f.name} data-testid="import-file">
            <code>{f.name.split(/[\\/]/).pop()}</code> <span className="muted">{f.kind}</span> {f.errors.length === 0 ? <span className="health up">OK</span> : <span className="health down">ERRORS</span>}
            {f.errors.map((e) => (
              <pre key={e} className="error">
                {e}
              </pre>
            ))}
          </li>
        ))}
      </ul>
      {p.jobs.length > 0 && (
        <>
          <h3>Would scrape</h3>
          <table className="targets" data-testid="import-jobs">
            <tbody>
              {p.jobs.map((j) => (
                <tr key={j.job}>
                  <td>
                    <b>{j.job}</b>
                  </td>
                  <td>
                    {j.targets.map((t) => (
                      <div key={t.url}>{t.url}</div>
                    ))}
                    {j.targets.length === 0 && <span className="muted">no targets</span>}
                    {j.dropped > 0 && <div className="muted">{j.dropped} dropped by relabeling</div>}
                    {j.note !== null && <div className="muted">{j.note}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {p.probes.length > 0 && (
        <p>
          Probes: {p.probes.map((x) => `${x.job} (${x.module}, ${x.targets.length} target${x.targets.length === 1 ? '' : 's'})`).join(', ')}
        </p>
      )}
      {p.rules.length > 0 && <p>Rules: {p.rules.map((r) => `${r.file.split(/[\\/]/).pop() ?? r.file}: ${r.groups} groups, ${r.rules} rules`).join('; ')}</p>}
      {p.tests.map((t) => (
        <details key={t.file} data-testid="import-test">
          <summary>
            Tests {t.file.split(/[\\/]/).pop()}: {t.ok ? 'pass' : 'FAIL'}
          </summary>
          <pre>{t.report}</pre>
        </details>
      ))}
      {p.dashboards.length > 0 && <p>Dashboards: {p.dashboards.map((d) => `${d.title} (${d.panels} panels)`).join(', ')}</p>}
    </div>
  );
}

/** Import an existing setup from disk: validate and preview first, apply only on confirmation. */
export function ImportSection({ onApplied }: { onApplied: () => Promise<void> }) {
  const [files, setFiles] = useState<ImportRequest['files'] | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    const list = [...(e.target.files ?? [])];
    setPreview(null);
    setDone(null);
    setError(null);
    if (list.length === 0) return;
    setBusy(true);
    try {
      const read = await Promise.all(list.map(async (f) => ({ name: f.name, text: await f.text() })));
      setFiles(read);
      setPreview(await api.previewImport({ files: read }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const apply = async () => {
    if (files === null) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.applyImport({ files });
      setDone(`Applied${r.config !== null ? `: Vigil now runs ${r.config}` : ''}${r.ruleFiles.length > 0 ? `, ${r.ruleFiles.length} rule file(s) loaded` : ''}${r.dashboards.length > 0 ? `, ${r.dashboards.length} dashboard(s) imported` : ''}.`);
      setPreview(null);
      setFiles(null);
      await onApplied();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="overview-card" aria-labelledby="import-title">
      <h2 id="import-title">Import an existing setup</h2>
      <p className="muted">
        Pick your <code>prometheus.yml</code> with its rule files, <code>blackbox.yml</code>, promtool test files, file_sd target files and Grafana dashboards
        (JSON) together. Each is checked and you see what would run; nothing starts until you apply.
      </p>
      <input type="file" multiple aria-label="Files to import" onChange={(e) => void pick(e)} disabled={busy} />
      {preview !== null && <Preview p={preview} />}
      {preview !== null && (
        <p>
          <button type="button" className="primary" disabled={busy || !preview.ok} onClick={() => void apply()}>
            Apply
          </button>{' '}
          {!preview.ok && <span className="error">Fix the errors above and pick the files again; nothing was applied.</span>}
        </p>
      )}
      {error !== null && (
        <p className="error" role="alert" data-testid="import-error">
          {error}
        </p>
      )}
      {done !== null && (
        <p role="status" data-testid="import-done">
          {done}
        </p>
      )}
    </section>
  );
}
