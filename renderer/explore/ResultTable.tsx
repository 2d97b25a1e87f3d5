import type { InstantQueryResponse } from '../../app/api/query.js';
import { seriesName } from './series-data.js';

/** Instant query results as a table: one row per series (or the scalar / string). */
export function ResultTable({ answer }: { answer: InstantQueryResponse }) {
  const r = answer.result;
  if (r.resultType === 'scalar' || r.resultType === 'string') {
    return (
      <table className="result-table" data-testid="result-table">
        <tbody>
          <tr>
            <td>{r.resultType}</td>
            <td className="num">{String(r.v)}</td>
          </tr>
        </tbody>
      </table>
    );
  }
  const rows =
    r.resultType === 'vector'
      ? r.samples.map((s) => ({ name: seriesName(s.labels), value: String(s.v) }))
      : r.series.map((s) => ({ name: seriesName(s.labels), value: s.v.map((v, i) => `${String(v)} @${(s.t[i] ?? 0) / 1000}`).join('\n') }));
  if (rows.length === 0) return <p className="muted">Empty query result.</p>;
  return (
    <table className="result-table" data-testid="result-table">
      <thead>
        <tr>
          <th>Series</th>
          <th className="num">Value</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            <td>
              <code>{row.name}</code>
            </td>
            <td className="num">
              <pre>{row.value}</pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
