import { useState, type FormEvent } from 'react';
import { api } from '../api/client.js';
import type { Setup } from '../../app/api/setup.js';
import type { ProbeStatus } from '../../app/api/probes.js';
import { appHash } from '../../app/app-urls.js';
import { CertificatePanel } from '../components/CertificatePanel.js';

const websitesJob = 'websites';

/** "Add a website": two fields, an HTTPS probe with its certificate chain, probed at once. */
function AddWebsiteForm({ onAdded }: { onAdded: (s: Setup) => Promise<void> }) {
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onAdded(await api.addWebsite({ url, ...(name.trim() !== '' ? { name } : {}) }));
      setUrl('');
      setName('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="add-website" onSubmit={(e) => void submit(e)} aria-label="Add a website">
      <label>
        Address <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com" aria-invalid={error !== null} />
      </label>
      <label>
        Name <span className="muted">(optional)</span> <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Shop" />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Probing…' : 'Add a website'}
      </button>
      {error !== null && (
        <p className="error" role="alert" data-testid="website-error">
          {error}
        </p>
      )}
    </form>
  );
}

function WebsiteRow({ url, name, probe, onRemoved }: { url: string; name: string; probe: ProbeStatus | undefined; onRemoved: (s: Setup) => Promise<void> }) {
  const [open, setOpen] = useState(true);
  const state = probe?.success == null ? 'unknown' : probe.success ? 'up' : 'down';
  const certificates = appHash({ page: 'dashboards', dashboard: { uid: 'vigil-certificates', vars: { probe: [url] } } });
  return (
    <li className="website" data-testid="website">
      <div className="website-head">
        <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? '▾' : '▸'}
        </button>{' '}
        <b>{name !== '' ? name : url}</b> {name !== '' && <span className="muted">{url}</span>}{' '}
        <span className={`health ${state}`} data-testid="website-state">
          {state === 'up' ? 'UP' : state === 'down' ? 'FAILED' : 'NOT PROBED YET'}
        </span>{' '}
        <a href={certificates}>Certificates dashboard</a>{' '}
        <button type="button" className="link" onClick={() => void api.removeWebsite({ url }).then(onRemoved)}>
          Remove
        </button>
      </div>
      {probe?.failure && (
        <p className="error" data-testid="website-failure">
          {probe.failure}
        </p>
      )}
      {open && probe !== undefined && probe.certificates.length > 0 && (
        <div className="cert-scroll">
          <CertificatePanel certs={probe.certificates} />
        </div>
      )}
    </li>
  );
}

export function WebsitesSection({ setup, probes, onChanged }: { setup: Setup; probes: readonly ProbeStatus[]; onChanged: (s: Setup) => Promise<void> }) {
  const websites = setup.settings.websites;
  return (
    <section className="overview-card" aria-labelledby="websites-title">
      <h2 id="websites-title">Websites</h2>
      <p className="muted">Probed over HTTPS every minute; the certificate chain is checked and alerts fire 14 days before any certificate in it expires.</p>
      <AddWebsiteForm onAdded={onChanged} />
      {websites.length > 0 && (
        <ul className="websites">
          {websites.map((w) => (
            <WebsiteRow key={w.url} url={w.url} name={w.name} probe={probes.find((p) => p.job === websitesJob && p.target === w.url)} onRemoved={onChanged} />
          ))}
        </ul>
      )}
    </section>
  );
}
