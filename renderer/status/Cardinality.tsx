import { useEffect, useState } from 'react';
import type { TsdbStatus } from '../../app/api/tsdb-status.js';
import { appHash, exploreQuery } from '../../app/app-urls.js';
import { useEngineRead } from '../api/engine-reads.js';
import { ReadError } from '../components/ReadError.js';

type Stat = TsdbStatus['seriesCountByMetricName'][number];

type Change = NonNullable<TsdbStatus['sinceYesterday']>[number];

/** "+12", "new", "gone" from active series now and a day ago. */
function changeText(c: Change): string {
  const d = c.now - c.dayAgo;
  if (c.dayAgo === 0 && c.now > 0) return 'new';
  if (c.now === 0 && c.dayAgo > 0) return 'gone';
  if (d === 0) return '±0';
  return `${d > 0 ? '+' : '−'}${Math.abs(d).toLocaleString('en-US')}`;
}

function StatTable({
  title,
  rows,
  unit,
  testId,
  link,
  changes,
}: {
  title: string;
  rows: Stat[];
  unit: string;
  testId: string;
  link?: (name: string) => string | null;
  changes?: ReadonlyMap<string, Change>;
}) {
  const max = rows[0]?.value ?? 0;
  return (
    <table className="targets cardinality" data-testid={testId}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th>name</th>
          <th className="num">{unit}</th>
          {changes && <th title="Series with a sample in the last 5 minutes, against the same a day ago">vs a day ago</th>}
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
              {changes && (
                <td
                  className="muted change"
                  data-testid="change"
                  title={changes.get(r.name) ? `${changes.get(r.name)!.now} active now, ${changes.get(r.name)!.dayAgo} a day ago` : undefined}
                >
                  {changes.get(r.name) ? changeText(changes.get(r.name)!) : ''}
                </td>
              )}
              <td className="bar-cell">
                <span className="bar" style={{ width: `${max > 0 ? Math.max(1, (r.value / max) * 100) : 0}%` }} />
              </td>
            </tr>
          );
        })}
        {rows.length === 0 && (
          <tr>
            <td colSpan={changes ? 4 : 3} className="muted">
              no series yet
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** Cardinality explorer: what makes the series count, as Prometheus' TSDB status page. */
export function Cardinality({ refreshSignal }: { refreshSignal: number }) {
  const [limit, setLimit] = useState(10);
  const { data, error, refresh } = useEngineRead('tsdbStatus', { limit, sinceYesterday: true }, { pollMs: 30_000 });
  // The page's Refresh button reads this section again too.
  useEffect(() => {
    if (refreshSignal > 0) void refresh();
  }, [refreshSignal, refresh]);
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
            <StatTable
              title="Metrics by series"
              rows={data.seriesCountByMetricName}
              unit="series"
              testId="top-metrics"
              link={metricLink}
              changes={new Map((data.sinceYesterday ?? []).map((c) => [c.name, c]))}
            />
            <StatTable title="Label pairs by series" rows={data.seriesCountByLabelValuePair} unit="series" testId="top-pairs" link={pairLink} />
            <StatTable title="Labels by distinct values" rows={data.labelValueCountByLabelName} unit="values" testId="top-labels" />
            <StatTable title="Labels by bytes of values over their series" rows={data.memoryInBytesByLabelName} unit="bytes" testId="top-label-bytes" />
          </div>
        </>
      )}
    </section>
  );
}
