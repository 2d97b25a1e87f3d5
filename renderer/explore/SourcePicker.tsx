import { useCallback, useEffect, useState } from 'react';
import type { RequestOf } from '../../app/api/channels.js';
import type { RemoteSource } from '../../app/api/remote-sources.js';
import { api } from '../api/client.js';

const kinds: ReadonlyArray<[RemoteSource['kind'], string]> = [
  ['prometheus', 'Prometheus'],
  ['thanos', 'Thanos Query'],
  ['mimir', 'Mimir / Cortex'],
  ['victoriametrics', 'VictoriaMetrics'],
  ['vigil', 'Vigil'],
];

interface Props {
  /** The chosen source uid; undefined or "vigil" is this engine. */
  value: string | undefined;
  onChange(uid: string | undefined): void;
}

type Draft = { name: string; kind: RemoteSource['kind']; url: string; orgId: string; authKind: 'none' | 'basic' | 'bearer'; username: string; secret: string };
const emptyDraft: Draft = { name: '', kind: 'prometheus', url: '', orgId: '', authKind: 'none', username: '', secret: '' };

/**
 * Where Explore's queries and completion run: this engine or a remote data source the engine
 * proxies to. "Sources…" lists, tests, removes and adds them; passwords and tokens go to the
 * engine and are never shown again.
 */
export function SourcePicker({ value, onChange }: Props) {
  const [sources, setSources] = useState<RemoteSource[]>([]);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [message, setMessage] = useState<string | null>(null);

  const reload = useCallback(() => {
    api.remoteSources({}).then(
      (r) => setSources(r.sources),
      (err: Error) => setMessage(err.message),
    );
  }, []);
  useEffect(reload, [reload]);

  const save = async () => {
    const auth: RequestOf<'saveRemoteSource'>['auth'] =
      draft.authKind === 'basic' ? { kind: 'basic', username: draft.username, password: draft.secret } : draft.authKind === 'bearer' ? { kind: 'bearer', token: draft.secret } : { kind: 'none' };
    try {
      const saved = await api.saveRemoteSource({ name: draft.name, kind: draft.kind, url: draft.url.trim(), orgId: draft.orgId, auth });
      setDraft(emptyDraft);
      // The list holds the new source before the picker chooses it (no "unknown" flash).
      setSources((await api.remoteSources({})).sources);
      setMessage(`Added ${saved.name}.`);
      onChange(saved.uid);
    } catch (err) {
      setMessage((err as Error).message);
    }
  };

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const current = value !== undefined && value !== 'vigil' ? value : 'vigil';

  return (
    <span className="source-picker">
      <label className="inline">
        Source
        <select data-testid="source-picker" value={current} onChange={(e) => onChange(e.target.value === 'vigil' ? undefined : e.target.value)}>
          <option value="vigil">Vigil (this engine)</option>
          {sources.map((s) => (
            <option key={s.uid} value={s.uid}>
              {s.name}
            </option>
          ))}
          {current !== 'vigil' && !sources.some((s) => s.uid === current) && <option value={current}>{current} (unknown)</option>}
        </select>
      </label>
      <button type="button" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="sources-button">
        Sources…
      </button>
      {open && (
        <div className="sources-panel" role="dialog" aria-label="Remote data sources" data-testid="sources-panel">
          <ul>
            {sources.map((s) => (
              <li key={s.uid}>
                <strong>{s.name}</strong> <span className="muted">{s.kind} · {s.url}{s.auth.kind !== 'none' ? ` · ${s.auth.kind} auth` : ''}</span>{' '}
                <button type="button" onClick={() => void api.testRemoteSource({ uid: s.uid }).then((r) => setMessage(r.message), (e: Error) => setMessage(e.message))}>
                  Test
                </button>{' '}
                <button
                  type="button"
                  onClick={() =>
                    void api.deleteRemoteSource({ uid: s.uid }).then(() => {
                      if (current === s.uid) onChange(undefined);
                      reload();
                    })
                  }
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <form
            className="source-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <label>
              Name <input data-testid="source-name" value={draft.name} onChange={(e) => set('name', e.target.value)} required />
            </label>
            <label>
              Kind
              <select data-testid="source-kind" value={draft.kind} onChange={(e) => set('kind', e.target.value as Draft['kind'])}>
                {kinds.map(([k, title]) => (
                  <option key={k} value={k}>
                    {title}
                  </option>
                ))}
              </select>
            </label>
            <label>
              URL <input data-testid="source-url" value={draft.url} placeholder="http://host:9090" onChange={(e) => set('url', e.target.value)} required />
            </label>
            {draft.kind === 'mimir' && (
              <label>
                Org ID (X-Scope-OrgID) <input value={draft.orgId} onChange={(e) => set('orgId', e.target.value)} />
              </label>
            )}
            <label>
              Auth
              <select value={draft.authKind} onChange={(e) => set('authKind', e.target.value as Draft['authKind'])}>
                <option value="none">none</option>
                <option value="basic">basic</option>
                <option value="bearer">bearer token</option>
              </select>
            </label>
            {draft.authKind === 'basic' && (
              <label>
                User <input value={draft.username} onChange={(e) => set('username', e.target.value)} autoComplete="off" />
              </label>
            )}
            {draft.authKind !== 'none' && (
              <label>
                {draft.authKind === 'basic' ? 'Password' : 'Token'} <input type="password" value={draft.secret} onChange={(e) => set('secret', e.target.value)} autoComplete="new-password" />
              </label>
            )}
            <button type="submit" className="primary" data-testid="source-save">
              Add source
            </button>
          </form>
          {message && (
            <p className="muted" data-testid="sources-message">
              {message}
            </p>
          )}
        </div>
      )}
    </span>
  );
}
