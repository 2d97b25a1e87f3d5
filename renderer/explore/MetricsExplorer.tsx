import { useEffect, useState } from 'react';
import type { WorkbenchApi } from '../../app/api/channels.js';

interface Props {
  api: WorkbenchApi;
  onInsert(text: string): void;
  onClose(): void;
}

/** Search metric names (type + HELP), browse their labels and values, insert a selector. */
export function MetricsExplorer({ api, onInsert, onClose }: Props) {
  const [search, setSearch] = useState('');
  const [metrics, setMetrics] = useState<Array<{ name: string; type: string; help: string }>>([]);
  const [truncated, setTruncated] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [labels, setLabels] = useState<string[]>([]);
  const [label, setLabel] = useState<string | null>(null);
  const [values, setValues] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      api
        .metadata({ search, limit: 200 })
        .then((r) => live && (setMetrics(r.metrics), setTruncated(r.truncated), setError(null)))
        .catch((e: Error) => live && setError(e.message));
    }, 120);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [api, search]);

  useEffect(() => {
    if (selected === null) return;
    let live = true;
    api
      .labelNames({ match: [`{__name__="${selected}"}`] })
      .then((r) => live && setLabels(r.values.filter((l) => l !== '__name__')))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [api, selected]);

  useEffect(() => {
    if (selected === null || label === null) return;
    let live = true;
    api
      .labelValues({ name: label, match: [`{__name__="${selected}"}`], limit: 200 })
      .then((r) => live && setValues(r.values))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [api, selected, label]);

  return (
    <aside className="metrics-explorer" aria-label="Metrics explorer">
      <header>
        <strong>Metrics</strong>
        <button type="button" onClick={onClose} aria-label="Close metrics explorer">
          ×
        </button>
      </header>
      <input autoFocus placeholder="Search metric names…" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search metrics" />
      {error && <p className="error">{error}</p>}
      <ul className="metric-list">
        {metrics.map((m) => (
          <li key={m.name} className={m.name === selected ? 'selected' : undefined}>
            <button type="button" onClick={() => (setSelected(m.name), setLabel(null), setValues([]))}>
              <code>{m.name}</code> <span className="badge">{m.type || 'unknown'}</span>
            </button>
            {m.help && <div className="muted small">{m.help}</div>}
            {m.name === selected && (
              <div className="metric-detail">
                <button type="button" onClick={() => onInsert(m.name)}>
                  Insert {m.name}
                </button>
                <div className="label-chips">
                  {labels.map((l) => (
                    <button key={l} type="button" className={l === label ? 'chip active' : 'chip'} onClick={() => setLabel(l)}>
                      {l}
                    </button>
                  ))}
                </div>
                {label && (
                  <ul className="value-list">
                    {values.map((v) => (
                      <li key={v}>
                        <button type="button" onClick={() => onInsert(`${m.name}{${label}=${JSON.stringify(v)}}`)}>
                          {v}
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
      {truncated && <p className="muted small">More metrics match; refine the search.</p>}
    </aside>
  );
}
