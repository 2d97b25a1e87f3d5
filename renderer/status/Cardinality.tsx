import { useState } from 'react';
import type { TsdbStatus } from '../../app/api/tsdb-status.js';
import { appHash, exploreQuery } from '../../app/app-urls.js';
import { useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';

type Stat = TsdbStatus['seriesCountByMetricName'][number];

function StatTable({ title, rows, unit, testId, link }: { title: string; rows: Stat[]; unit: string; testId: string; link?: (name: string) => string | null }) {
  const max = rows[0]?.value ?? 0;
  return (
    <table className="targets cardinality" data-testid={testId}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th>name</th>
          <th className="num">{unit}</th>
          <th aria-hidden="true" />
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const href = link?.(r.name) ?? null;
          return (
            <tr key={r.name}>
              <td>
                <code>{href ? <a href={href}>{r.name}</a> : r.name}</code>
              </td>
              <td className="num">{r.value.toLocaleString('en-US')}</td>
              <td className="bar-cell">
                <span className="bar" style={{ width: `${max > 0 ? Math.max(1, (r.value / max) * 100) : 0}%` }} />
              </td>
            </tr>
          );
        })}
        {rows.length === 0 && (
          <tr>
            <td colSpan={3} className="muted">
              no series yet
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** Cardinality explorer: what makes the series count, as Prometheus' TSDB status page. */
export function Cardinality() {
  const [limit, setLimit] = useState(10);
  const { data, error } = useEngineRead('tsdbStatus', { limit }, { pollMs: 30_000 });
  // Each name opens Explore on the series it counts, split the way that finds the culprit.
  const metricLink = (name: string) => appHash(exploreQuery(`count by (job) ({__name__=${JSON.stringify(name)}})`));
  const pairLink = (pair: string) => {
    const i = pair.indexOf('=');
    return appHash(exploreQuery(`count by (__name__) ({${pair.slice(0, i)}=${JSON.stringify(pair.slice(i + 1))}})`));
  };
  return (
    <section aria-label="Cardinality" data-testid="cardinality">
      <header className="page-header">
        <h2>Cardinality</h2>
        <label>
          show top{' '}
          <select value={limit} onChange={(e) => setLimit(Number(e.target.value))} aria-label="entries per list">
            {[10, 20, 50].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </header>
      <ReadError error={error} />
      {data && (
        <>
          <p className="muted" data-testid="cardinality-head">
            {data.headStats.numSeries.toLocaleString('en-US')} series, {data.headStats.numLabelPairs.toLocaleString('en-US')} label pairs. Also at{' '}
            <code>/api/v1/status/tsdb</code>.
          </p>
          <div className="cardinality-grid">
            <StatTable title="Metrics by series" rows={data.seriesCountByMetricName} unit="series" testId="top-metrics" link={metricLink} />
            <StatTable title="Label pairs by series" rows={data.seriesCountByLabelValuePair} unit="series" testId="top-pairs" link={pairLink} />
            <StatTable title="Labels by distinct values" rows={data.labelValueCountByLabelName} unit="values" testId="top-labels" />
            <StatTable title="Labels by bytes of values over their series" rows={data.memoryInBytesByLabelName} unit="bytes" testId="top-label-bytes" />
          </div>
        </>
      )}
    </section>
  );
}
