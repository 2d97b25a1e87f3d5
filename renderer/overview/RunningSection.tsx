import { useState } from 'react';
import { api } from '../api/client.js';
import type { Setup, SetupToggle } from '../../app/api/setup.js';
import type { ResponseOf } from '../../app/api/channels.js';
import { appHash, pageHash } from '../../app/app-urls.js';

interface Row {
  toggle: SetupToggle;
  title: string;
  what: string;
  job: string;
  /** Only the built-in config has these jobs to switch. */
  builtInOnly: boolean;
  link?: { href: string; text: string };
}

const rows: readonly Row[] = [
  {
    toggle: 'host',
    title: 'This machine',
    what: "CPU, memory, disks, filesystems, network, temperature and battery, with node_exporter's names",
    job: 'node',
    builtInOnly: true,
    link: { href: appHash({ page: 'dashboards', dashboard: { uid: 'vigil-this-machine', vars: {} } }), text: 'This machine dashboard' },
  },
  { toggle: 'self', title: 'Vigil itself', what: "Vigil's own ingestion, storage and query figures", job: 'vigil', builtInOnly: true, link: { href: pageHash('status'), text: 'What Vigil costs' } },
  {
    toggle: 'demoFleet',
    title: 'Demo fleet',
    what: '10 simulated hosts on this machine, to try queries, dashboards and alerts on',
    job: 'demo-fleet',
    builtInOnly: false,
    link: { href: appHash({ page: 'dashboards', dashboard: { uid: 'vigil-fleet', vars: {} } }), text: 'Fleet dashboard' },
  },
  { toggle: 'demoMesh', title: 'Demo mesh', what: 'a simulated service mesh (Linkerd metric names) with a failing dependency', job: 'demo-mesh', builtInOnly: false, link: { href: pageHash('topology'), text: 'Topology' } },
];

/** Targets of a job and how many are up, as "3 of 3 up". */
function jobHealth(targets: ResponseOf<'targets'> | undefined, job: string): { text: string; level: 'up' | 'down' | 'unknown' } {
  const of = (targets?.activeTargets ?? []).filter((t) => t.scrapePool === job);
  if (of.length === 0) return { text: 'no targets yet', level: 'unknown' };
  const up = of.filter((t) => t.health === 'up').length;
  const unknown = of.filter((t) => t.health === 'unknown').length;
  if (unknown === of.length) return { text: `${of.length} target${of.length === 1 ? '' : 's'}, not scraped yet`, level: 'unknown' };
  return { text: `${up} of ${of.length} up`, level: up === of.length ? 'up' : 'down' };
}

/** What runs, one toggle each (saved in Vigil's settings), with each job's health. */
export function RunningSection({ setup, targets, onChanged }: { setup: Setup; targets: ResponseOf<'targets'> | undefined; onChanged: (s: Setup) => Promise<void> }) {
  const [busy, setBusy] = useState<SetupToggle | null>(null);
  // The switch shows the new state at once; the saved settings take over once re-read.
  const [pending, setPending] = useState<{ toggle: SetupToggle; on: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const builtIn = setup.configFile === null;
  const ownJobs = builtIn ? [] : [...new Set((targets?.activeTargets ?? []).map((t) => t.scrapePool))].filter((j) => !setup.jobs.some((x) => x.job === j));

  const flip = async (toggle: SetupToggle, on: boolean) => {
    setBusy(toggle);
    setPending({ toggle, on });
    setError(null);
    try {
      await onChanged(await api.setSetupToggles({ [toggle]: on }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
      setPending(null);
    }
  };

  return (
    <section className="overview-card" aria-labelledby="running-title">
      <h2 id="running-title">What is running</h2>
      <table className="targets running" data-testid="running">
        <tbody>
          {rows.map((r) => {
            const fixed = r.builtInOnly && !builtIn;
            const on = fixed ? ownJobs.includes(r.job) : pending?.toggle === r.toggle ? pending.on : setup.settings[r.toggle];
            const health = jobHealth(targets, r.job);
            return (
              <tr key={r.toggle} data-testid={`running-${r.toggle}`}>
                <td>
                  <label className="switch">
                    <input type="checkbox" role="switch" checked={on} disabled={fixed || busy !== null} onChange={(e) => void flip(r.toggle, e.target.checked)} />{' '}
                    <b>{r.title}</b>
                  </label>
                  <div className="muted">{fixed ? 'set by your config file' : r.what}</div>
                </td>
                <td data-testid="job-health">{on ? <span className={`health ${health.level}`}>{health.text}</span> : <span className="muted">off</span>}</td>
                <td>{on && r.link && <a href={r.link.href}>{r.link.text}</a>}</td>
              </tr>
            );
          })}
          {ownJobs
            .filter((j) => !rows.some((r) => r.builtInOnly && r.job === j))
            .map((job) => {
              const health = jobHealth(targets, job);
              return (
                <tr key={job} data-testid="running-config-job">
                  <td>
                    <b>{job}</b>
                    <div className="muted">from your config file</div>
                  </td>
                  <td>
                    <span className={`health ${health.level}`}>{health.text}</span>
                  </td>
                  <td>
                    <a href={pageHash('targets')}>Targets</a>
                  </td>
                </tr>
              );
            })}
          {setup.away.map((a) => (
            <tr key={a.job} data-testid="running-away-job">
              <td>
                <b>{a.job}</b>
                <div className="muted">bound to {a.network}</div>
              </td>
              <td>
                <span className="health unknown">not reachable from here</span>
              </td>
              <td className="muted">paused: not scraped, its alerts held</td>
            </tr>
          ))}
        </tbody>
      </table>
      {setup.network !== null && (
        <p className="muted" data-testid="network">
          On network: gateway {setup.network.gateway ?? 'none'}
          {setup.network.dnsSuffixes.length > 0 && `, DNS suffix ${setup.network.dnsSuffixes.join(' ')}`}
          {setup.network.interfaces.length > 0 && `, interfaces ${setup.network.interfaces.join(', ')}`}
        </p>
      )}
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
