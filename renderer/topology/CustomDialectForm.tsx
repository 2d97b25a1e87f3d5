import { useEffect, useState } from 'react';
import { customDialectOf, fieldsOf, type CustomDialectErrors, type CustomDialectFields } from '../../app/topology/custom-form.js';
import { api } from '../api/client.js';
import { useEngineRead } from '../api/engine-reads.js';
import { queryError, type QueryError } from '../api/query-cache.js';
import { ReadError } from '../components/ReadError.js';

const text: Array<{ key: Exclude<keyof CustomDialectFields, 'histogramUnit'>; label: string; placeholder: string; list?: 'counters' | 'labels' }> = [
  { key: 'metric', label: 'Request counter', placeholder: 'http_client_requests_total', list: 'counters' },
  { key: 'sourceLabel', label: 'Source label', placeholder: 'caller', list: 'labels' },
  { key: 'destinationLabel', label: 'Destination label', placeholder: 'callee', list: 'labels' },
  { key: 'sourceNamespaceLabel', label: 'Source namespace label', placeholder: 'optional', list: 'labels' },
  { key: 'destinationNamespaceLabel', label: 'Destination namespace label', placeholder: 'optional', list: 'labels' },
  { key: 'match', label: 'Only series matching', placeholder: 'optional, e.g. kind="client"' },
  { key: 'errorMatch', label: 'Failed requests', placeholder: 'optional, e.g. code=~"5.."' },
  { key: 'histogram', label: 'Latency histogram', placeholder: 'optional, e.g. http_client_duration_seconds' },
];

/**
 * The custom dialect, for a mesh Vigil does not know: the request counter and the labels naming
 * caller and callee (suggested from what the engine has), optional namespaces, series and error
 * matchers and a latency histogram. Saved in the topology settings; the engine refuses matchers
 * that do not parse.
 */
export function CustomDialectForm({ onSaved, onClose }: { onSaved: () => void; onClose: () => void }) {
  const settings = useEngineRead('topologySettings', {});
  const [fields, setFields] = useState<CustomDialectFields | null>(null);
  const [errors, setErrors] = useState<CustomDialectErrors>({});
  const [saveError, setSaveError] = useState<QueryError | null>(null);
  const [counters, setCounters] = useState<string[]>([]);
  const [labels, setLabels] = useState<string[]>([]);

  useEffect(() => {
    if (settings.data && fields === null) setFields(fieldsOf(settings.data.custom));
  }, [settings.data]);
  // Suggestions: counters the engine has, and the labels of the chosen one.
  useEffect(() => {
    void api
      .labelValues({ name: '__name__', limit: 10_000 })
      .then((r) => setCounters(r.values.filter((n) => n.endsWith('_total'))))
      .catch(() => setCounters([]));
  }, []);
  const metric = fields?.metric.trim() ?? '';
  useEffect(() => {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric)) return setLabels([]);
    void api
      .labelNames({ match: [metric], limit: 1_000 })
      .then((r) => setLabels(r.values.filter((l) => l !== '__name__')))
      .catch(() => setLabels([]));
  }, [metric]);

  if (fields === null) return <ReadError error={settings.error} />;
  const set = (patch: Partial<CustomDialectFields>) => setFields({ ...fields, ...patch });
  const save = async (remove: boolean) => {
    setSaveError(null);
    const parsed = remove ? { dialect: null, errors: null } : customDialectOf(fields);
    if (parsed.errors) return setErrors(parsed.errors);
    setErrors({});
    try {
      await api.saveTopologySettings({ custom: parsed.dialect, thresholds: settings.data!.thresholds });
      await settings.refresh();
      if (remove) setFields(fieldsOf(null));
      onSaved();
    } catch (err) {
      setSaveError(queryError(err, 'saving the custom dialect'));
    }
  };
  return (
    <form
      className="panel-editor custom-dialect"
      aria-label="Custom dialect"
      onSubmit={(e) => {
        e.preventDefault();
        void save(false);
      }}
    >
      <strong>Custom dialect</strong>
      <div className="custom-dialect-grid">
        {text.map((f) => (
          <label key={f.key}>
            <span>{f.label}</span>
            <input aria-label={f.label} value={fields[f.key]} placeholder={f.placeholder} list={f.list ? `custom-${f.list}` : undefined} aria-invalid={errors[f.key] !== undefined} onChange={(e) => set({ [f.key]: e.target.value })} />
            {errors[f.key] && <span className="error">{errors[f.key]}</span>}
          </label>
        ))}
        <label>
          <span>Histogram unit</span>
          <select aria-label="Histogram unit" value={fields.histogramUnit} onChange={(e) => set({ histogramUnit: e.target.value === 'ms' ? 'ms' : 's' })}>
            <option value="s">seconds</option>
            <option value="ms">milliseconds</option>
          </select>
        </label>
      </div>
      <datalist id="custom-counters">
        {counters.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <datalist id="custom-labels">
        {labels.map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
      <ReadError error={saveError} testId="custom-dialect-error" />
      <div className="panel-editor-row">
        <button type="submit" className="primary">
          Save dialect
        </button>
        {settings.data?.custom && (
          <button type="button" onClick={() => void save(true)}>
            Remove
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
