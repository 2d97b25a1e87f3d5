import { useState } from 'react';
import { useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';
import type { ProbeStatus } from '../../app/api/probes.js';
import { CertificatePanel } from '../components/CertificatePanel.js';

function Sparkline({ values }: { values: readonly number[] }) {
  if (values.length < 2) return <span className="muted">—</span>;
  const w = 80;
  const h = 18;
  const max = Math.max(...values, 1);
  const pts = values.map((v, i) => `${(i / (values.length - 1)) * w},${h - (v / max) * (h - 2) - 1}`).join(' ');
  return (
    <svg width={w} height={h} className="sparkline" role="img" aria-label="recent durations">
      <polyline points={pts} fill="none" stroke="#4ea1ff" strokeWidth="1.5" />
    </svg>
  );
}

function ProbeRow({ p }: { p: ProbeStatus }) {
  const [open, setOpen] = useState(p.certificates.length > 0);
  const state = p.success === null ? 'unknown' : p.success ? 'up' : 'down';
  return (
    <>
      <tr data-testid="probe-row">
        <td>
          <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
            {open ? '▾' : '▸'}
          </button>{' '}
          {p.target}
        </td>
        <td>
          {p.job} / {p.module} <span className="muted">({p.prober})</span>
        </td>
        <td>
          <span className={`health ${state}`}>{state === 'up' ? 'SUCCESS' : state === 'down' ? 'FAILED' : 'PENDING'}</span>
        </td>
        <td>{p.lastDurationMs === null ? '—' : `${p.lastDurationMs.toFixed(1)} ms`}</td>
        <td>
          <Sparkline values={p.recentDurationsMs} />
        </td>
        <td className="error" data-testid="probe-failure">
          {p.failure}
        </td>
      </tr>
      {open && (
        <tr className="target-detail">
          <td colSpan={6}>
            {p.certificates.length > 0 && (
              <>
                <h4>Certificate chain</h4>
                <CertificatePanel certs={p.certificates} />
              </>
            )}
            <h4>Probe log (last run)</h4>
            <ul className="probe-log">
              {p.log.map((l, i) => (
                <li key={i} className={l.level}>
                  <span className="muted">{l.phase}</span> {l.message}
                </li>
              ))}
            </ul>
          </td>
        </tr>
      )}
    </>
  );
}

/** Probes of the Targets & Probes page: status, duration sparkline, failure reason, certificates. */
export function ProbesSection() {
  const { data, error } = useEngineRead('probes', {}, { pollMs: 5000 });
  const probes = data?.probes;
  return (
    <div className="pool">
      <h2>Probes</h2>
      <ReadError error={error} />
      {probes && probes.length === 0 && <p className="muted">No probes configured (probe_configs in the config file).</p>}
      {probes && probes.length > 0 && (
        <table className="targets">
          <thead>
            <tr>
              <th>Target</th>
              <th>Job / module</th>
              <th>Result</th>
              <th>Duration</th>
              <th>Recent</th>
              <th>Failure</th>
            </tr>
          </thead>
          <tbody>
            {probes.map((p) => (
              <ProbeRow key={`${p.job}|${p.module}|${p.target}`} p={p} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
