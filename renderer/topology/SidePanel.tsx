/** The selected node's or edge's figures now and over the last hour, and its queries in Explore. */
import type { TopologyResponse, Traffic } from '../../app/api/topology.js';
import { appHash, exploreQueries } from '../../app/app-urls.js';
import { dialectByName, edgeQueries, type FigureQueries } from '../../app/topology/dialects.js';
import { useEngineRead } from '../api/engine-reads.js';
import { TimeSeriesChart } from '../charts/TimeSeriesChart.js';

const fmt = (n: number | null, unit = '') => (n === null ? '–' : `${Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3)}${unit}`);
const pct = (n: number | null) => (n === null ? '–' : `${(n * 100).toPrecision(4)} %`);

function Figures({ t, testid }: { t: Traffic; testid: string }) {
  return (
    <dl className="facts topology-figures" data-testid={testid}>
      <dt>Requests</dt>
      <dd data-figure="rps">{fmt(t.rps, ' req/s')}</dd>
      <dt>Success rate</dt>
      <dd data-figure="successRate">{pct(t.successRate)}</dd>
      <dt>Latency p50 / p95 / p99</dt>
      <dd data-figure="latency">
        {fmt(t.p50)} / {fmt(t.p95)} / {fmt(t.p99)} ms
      </dd>
      <dt>mTLS</dt>
      <dd data-figure="mtls">{pct(t.mtls)}</dd>
    </dl>
  );
}

function Chart({ title, query, time, unit, source }: { title: string; query: string; time: number; unit: string | null; source: string | undefined }) {
  const end = Math.floor(time / 1000) * 1000;
  const { data, error } = useEngineRead('queryRange', { query, start: end - 3_600_000, end, step: 60_000, ...(source !== undefined ? { source } : {}) });
  if (error !== null) return <p className="muted">{title}: {error.message}</p>;
  if (data === undefined) return <p className="muted">{title}: loading…</p>;
  const s = data.result.series[0];
  const values = s === undefined ? data.result.timestamps.map(() => null) : s.values.map((v) => (typeof v === 'number' ? v : null));
  return (
    <div className="topology-chart">
      <div className="muted">{title}</div>
      <TimeSeriesChart data={[data.result.timestamps.map((t) => t / 1000), values]} series={[{ label: title, color: '#3b6fd1', show: true }]} unit={unit} yFromZero height={120} />
    </div>
  );
}

/** `source`: the remote data source the graph came from (undefined: this engine); the charts read from it too. */
export function SidePanel({ graph, selected, onClose, source }: { graph: TopologyResponse; selected: string; onClose: () => void; source: string | undefined }) {
  const edge = graph.edges.find((e) => e.id === selected);
  const node = graph.nodes.find((n) => n.id === selected);
  const dialect = graph.dialect === null ? null : dialectByName(graph.dialect, graph.custom);
  const part = edge && dialect ? dialect.parts[edge.part] : undefined;
  const queries: FigureQueries | null = edge && part ? edgeQueries(part, edge.match, graph.windowMs) : null;
  const listed = queries === null ? [] : [queries.rps, queries.successRate, queries.p50, queries.p95, queries.p99, queries.mtls].filter((q): q is string => q !== null);
  return (
    <aside className="topology-panel" data-testid="topology-panel" aria-label="Selection">
      <header className="page-header">
        <h2>{edge ? `${edge.source} → ${edge.target}` : (node?.id ?? selected)}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </header>
      {edge && <Figures t={edge} testid="edge-figures" />}
      {node && (
        <>
          <h3>Inbound</h3>
          <Figures t={node.inbound} testid="node-inbound" />
          <h3>Outbound</h3>
          <Figures t={node.outbound} testid="node-outbound" />
          <p>
            Health: <strong data-testid="node-health">{node.health}</strong>
          </p>
        </>
      )}
      {!edge && !node && <p className="muted">Not in the graph at this time.</p>}
      {queries && (
        <>
          <p>
            <a data-testid="open-in-explore" href={appHash(exploreQueries(listed, { kind: 'absolute', startMs: graph.time - 3_600_000, endMs: graph.time }))}>
              Open in Explore
            </a>
          </p>
          <Chart title="Requests/s" query={queries.rps} time={graph.time} unit="reqps" source={source} />
          {queries.successRate && <Chart title="Success rate" query={queries.successRate} time={graph.time} unit="percentunit" source={source} />}
          {queries.p95 && <Chart title="p95 latency" query={queries.p95} time={graph.time} unit="ms" source={source} />}
          <details>
            <summary>Queries</summary>
            {listed.map((q) => (
              <pre key={q} className="topology-query">
                {q}
              </pre>
            ))}
          </details>
        </>
      )}
    </aside>
  );
}
