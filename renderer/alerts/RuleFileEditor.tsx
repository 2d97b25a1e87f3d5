import { useState } from 'react';
import { queryError } from '../api/query-cache.js';
import { api } from '../api/client.js';

interface Props {
  path: string;
  kind: 'rules' | 'tests';
  onSaved?: () => void;
}

/**
 * Edit a rule file (one of the config's rule_files) or a rule unit-test file beside one. The
 * engine validates before writing — errors name file, line and field — and reloads saved rules.
 */
export function RuleFileEditor({ path, kind, onSaved }: Props) {
  const [text, setText] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    setBusy(true);
    try {
      setText((await api.readRuleText({ path, kind })).text);
      setErrors([]);
      setStatus(null);
    } catch (err) {
      setErrors([queryError(err, `read ${path}`).message]);
    } finally {
      setBusy(false);
    }
  };

  const save = async () => {
    if (text === null) return;
    setBusy(true);
    try {
      const r = await api.saveRuleText({ path, kind, text });
      setErrors(r.errors);
      setStatus(r.saved ? (r.errors.length === 0 ? 'Saved.' : 'Saved, but the rules did not load:') : 'Not saved: fix these first.');
      if (r.saved) onSaved?.();
    } catch (err) {
      setErrors([queryError(err, `save ${path}`).message]);
    } finally {
      setBusy(false);
    }
  };

  if (text === null) {
    return (
      <div className="file-editor">
        <button type="button" onClick={() => void load()} disabled={busy}>
          Edit {kind === 'rules' ? 'rule file' : 'test file'}
        </button>
        {errors.map((e, i) => (
          <p key={i} className="error">
            {e}
          </p>
        ))}
      </div>
    );
  }
  return (
    <div className="file-editor" data-testid="rule-file-editor">
      <div className="muted small">
        <code>{path}</code>
      </div>
      <textarea aria-label={`Edit ${path}`} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} rows={Math.min(30, text.split('\n').length + 2)} />
      <div className="form-row">
        <button type="button" className="primary" onClick={() => void save()} disabled={busy}>
          Save
        </button>
        <button type="button" onClick={() => setText(null)} disabled={busy}>
          Close
        </button>
        {status && <span className={errors.length === 0 ? 'ok' : 'error'}>{status}</span>}
      </div>
      {errors.length > 0 && (
        <ul className="error" data-testid="rule-file-errors">
          {errors.map((e, i) => (
            <li key={i}>
              <code>{e}</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
