import { useState, type FormEvent } from 'react';
import type { MemoryStatus } from '../../app/api/memory.js';
import { parseSizeFlag } from '../../app/dialect/size.js';
import { formatValue } from '../../app/dashboards/units.js';
import { api } from '../api/client.js';
import { useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';
import { formatDuration } from '../format.js';

const bytes = (n: number) => formatValue(n, 'bytes', 1);

const pressureText: Record<MemoryStatus['pressure'], string> = {
  none: 'no pressure',
  soft: 'soft pressure (over 80 %): caches shrunk',
  hard: 'hard pressure (over 95 %): caches emptied, open chunks sealed early',
};

/** Set or remove the budget; applies at once (the desktop app keeps it for the next start). */
function BudgetForm({ current, onSet }: { current: number | null; onSet: () => Promise<void> }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const apply = async (budgetBytes: number | null) => {
    setError(null);
    try {
      await api.setMemoryBudget({ budgetBytes });
      setText('');
      await onSet();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = parseSizeFlag(text);
    if (n === null) setError(`"${text}" is not a size such as 300MiB or 1GiB`);
    else void apply(n);
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Set the memory budget">
      <label>
        Budget <input value={text} onChange={(e) => setText(e.target.value)} placeholder="300MiB" size={8} aria-invalid={error !== null} data-testid="budget-input" />
      </label>{' '}
      <button type="submit">Set</button>{' '}
      {current !== null && (
        <button type="button" className="link" onClick={() => void apply(null)}>
          Remove the budget
        </button>
      )}
      {error !== null && (
        <p className="error" role="alert" data-testid="budget-error">
          {error}
        </p>
      )}
    </form>
  );
}

/** The Status page's memory section: the budget, resident memory, what uses it, what pressure did, refused queries. */
export function MemoryBudgetSection() {
  const { data: m, error, refresh } = useEngineRead('memory', {}, { pollMs: 5_000 });
  if (m === undefined) return <ReadError error={error} />;
  const share = m.budgetBytes === null ? null : m.rssBytes / m.budgetBytes;
  const largest = Math.max(1, ...m.parts.map((p) => p.bytes));
  return (
    <>
      <ReadError error={error} />
      <dl className="facts" aria-label="Memory budget" data-testid="memory-budget">
        <dt>Memory budget</dt>
        <dd data-testid="budget">
          {m.budgetBytes === null ? (
            <span className="muted">none set: Vigil uses what it needs</span>
          ) : (
            <>
              {bytes(m.budgetBytes)} <span className="muted">(from {m.source})</span>
            </>
          )}
          <BudgetForm current={m.budgetBytes} onSet={refresh} />
        </dd>
        <dt>Resident memory</dt>
        <dd data-testid="rss">
          {bytes(m.rssBytes)}
          {share !== null && (
            <>
              {' '}
              <span className={share >= 0.95 ? 'error' : 'muted'}>
                ({(share * 100).toFixed(0)} % of the budget; {pressureText[m.pressure]})
              </span>
              <span className="budget-meter" aria-hidden="true">
                <span className={`budget-fill ${m.pressure}`} style={{ width: `${Math.min(100, share * 100).toFixed(1)}%` }} />
              </span>
            </>
          )}
        </dd>
        {m.heapLimitBytes !== undefined && (
          <>
            <dt>JavaScript heap limit</dt>
            <dd data-testid="heap-limit">
              {bytes(m.heapLimitBytes)} <span className="muted">(main thread; --max-old-space-size is set to 60 % of a budget Vigil starts with, else V8's default)</span>
            </dd>
          </>
        )}
        <dt>Refused queries</dt>
        <dd data-testid="refused-queries">
          {m.refusedQueries === 0 ? 'none' : m.refusedQueries.toLocaleString('en-US')}
          {m.lastRefusal !== null && (
            <div className="muted">
              last: <code>{m.lastRefusal}</code>
            </div>
          )}
        </dd>
        {m.actions.length > 0 && (
          <>
            <dt>Pressure steps</dt>
            <dd data-testid="pressure-actions">
              <ul className="plain">
                {m.actions.map((a) => (
                  <li key={a.atMs}>
                    {formatDuration(Date.now() - a.atMs)} ago: {a.action} <span className="muted">({bytes(a.rssBeforeBytes)} → {bytes(a.rssAfterBytes)})</span>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
      <table className="targets cardinality" data-testid="memory-parts">
        <caption>What uses memory (parts of the resident set)</caption>
        <thead>
          <tr>
            <th>Part</th>
            <th>Bytes</th>
            <th className="bar-cell" />
            <th>What it counts</th>
          </tr>
        </thead>
        <tbody>
          {m.parts.map((p) => (
            <tr key={p.part}>
              <td>{p.part}</td>
              <td className="num">{bytes(p.bytes)}</td>
              <td className="bar-cell">
                <span className="bar" style={{ width: `${((p.bytes / largest) * 100).toFixed(1)}%` }} />
              </td>
              <td className="muted">{p.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
