import { useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';
import type { Setup } from '../../app/api/setup.js';
import { appHash, pageHash } from '../../app/app-urls.js';
import { RunningSection } from './RunningSection.js';
import { WebsitesSection } from './WebsitesSection.js';
import { ImportSection } from './ImportSection.js';

/** Firing alerts, newest change first, each opening its inbox entry. */
function FiringAlerts() {
  const { data, error } = useEngineRead('alerts', { states: ['firing'] }, { pollMs: 10_000 });
  const firing = [...(data?.alerts ?? [])].sort((a, b) => b.lastChangeMs - a.lastChangeMs);
  return (
    <section className="overview-card" aria-labelledby="firing-title">
      <h2 id="firing-title">
        Firing alerts <span className="muted" data-testid="firing-count">{data ? firing.length : '…'}</span>
      </h2>
      <ReadError error={error} />
      {data && firing.length === 0 && <p className="muted">Nothing is firing.</p>}
      <ul className="firing">
        {firing.slice(0, 10).map((a) => (
          <li key={a.fingerprint}>
            <a href={appHash({ page: 'alerts', alert: a.fingerprint })}>{a.labels['alertname'] ?? a.fingerprint}</a>{' '}
            <span className="muted">{a.annotations['summary'] ?? Object.entries(a.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(', ')}</span>
          </li>
        ))}
      </ul>
      {firing.length > 10 && <a href={pageHash('alerts')}>All {firing.length} in Alerts</a>}
    </section>
  );
}

function HowToAdd({ configFile }: { configFile: string | null }) {
  return (
    <section className="overview-card" aria-labelledby="how-title">
      <h2 id="how-title">Adding targets</h2>
      <ul>
        <li>A website: the form above.</li>
        <li>An existing Prometheus setup: import its files below.</li>
        <li>
          Machines and services with a Prometheus <code>/metrics</code> endpoint: {configFile === null ? 'start Vigil with your ' : 'add them to '}
          <code>{configFile ?? 'prometheus.yml'}</code>
          {configFile === null && (
            <>
              {' '}
              (<code>vigil serve --config prometheus.yml</code>)
            </>
          )}
          ; Vigil reads Prometheus' format and reloads it when it changes.
        </li>
        <li>
          Check what is scraped and why a target is down on <a href={pageHash('targets')}>Targets &amp; Probes</a>; rules on{' '}
          <a href={pageHash('rules')}>Rules</a>.
        </li>
      </ul>
    </section>
  );
}

/** The page the app opens on: what runs, what fires, and how to add more. */
export function OverviewPage() {
  const setupRead = useEngineRead('setup', {}, { pollMs: 10_000 });
  const targets = useEngineRead('targets', {}, { pollMs: 5_000 });
  const probes = useEngineRead('probes', {}, { pollMs: 5_000 });
  const setup = setupRead.data;
  const changed = async (_s: Setup): Promise<void> => {
    await Promise.all([setupRead.refresh(), targets.refresh(), probes.refresh()]);
  };
  return (
    <section className="page overview">
      <header className="page-header">
        <h1>Overview</h1>
      </header>
      <ReadError error={setupRead.error} />
      {setup?.problems.map((p) => (
        <p key={p} className="error" role="alert" data-testid="setup-problem">
          {p}
        </p>
      ))}
      {setup === undefined && setupRead.error === null && <p className="muted">Loading…</p>}
      {setup !== undefined && (
        <div className="overview-grid">
          <RunningSection setup={setup} targets={targets.data} onChanged={changed} />
          <FiringAlerts />
          <WebsitesSection setup={setup} probes={probes.data?.probes ?? []} onChanged={changed} />
          <HowToAdd configFile={setup.configFile} />
          <ImportSection onApplied={() => changed(setup)} />
        </div>
      )}
    </section>
  );
}
