import { useEffect, useState } from 'react';
import { api } from '../api/client.js';

/**
 * The tracing UI an exemplar's trace id opens (saved with the app settings): a URL template with
 * `${traceId}`, e.g. Jaeger's `http://localhost:16686/trace/${traceId}`.
 */
export function TracingUrlSetting({ value, onSaved }: { value: string; onSaved: (url: string) => void }) {
  const [text, setText] = useState(value);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(value), [value]);
  const save = () => {
    api.setTracingUrl({ url: text }).then(
      (s) => {
        setError(null);
        onSaved(s.settings.tracingUrl);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };
  return (
    <div className="tracing-url">
      <label className="inline">
        Tracing URL{' '}
        <input
          type="text"
          size={48}
          value={text}
          placeholder="http://localhost:16686/trace/${traceId}"
          aria-label="Tracing URL"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && save()}
        />
      </label>
      <button type="button" onClick={save} disabled={text === value}>
        Save
      </button>
      {error !== null && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
