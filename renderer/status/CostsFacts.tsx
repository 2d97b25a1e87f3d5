import type { Status } from '../../app/api/status.js';
import { formatValue } from '../../app/dashboards/units.js';
import { formatDuration } from '../format.js';

type Costs = NonNullable<Status['costs']>;

const bytes = (n: number) => formatValue(n, 'bytes', 1);
const measuring = <span className="muted">measuring…</span>;

/** "What Vigil holds and costs": series, ingestion, storage and its growth, retention reach, memory by part, event-loop lag. */
export function CostsFacts({ costs }: { costs: Costs }) {
  const r = costs.retention;
  return (
    <dl className="facts" aria-label="What Vigil holds and costs" data-testid="costs">
      <dt>Series</dt>
      <dd data-testid="cost-series">
        {costs.series.toLocaleString('en-US')} <span className="muted">({costs.headSeries.toLocaleString('en-US')} with open chunks)</span>
      </dd>
      <dt>Samples per second</dt>
      <dd data-testid="cost-samples-rate">{costs.samplesPerSecond === null ? measuring : formatValue(costs.samplesPerSecond, 'short', 1)}</dd>
      <dt>Storage</dt>
      <dd data-testid="cost-storage">
        {bytes(costs.storageBytes)}{' '}
        {costs.storageGrowthBytesPerHour === null ? (
          <span className="muted">(growth: measuring…)</span>
        ) : (
          <span className="muted">({costs.storageGrowthBytesPerHour >= 0 ? '+' : '−'}{bytes(Math.abs(costs.storageGrowthBytesPerHour))} an hour)</span>
        )}
      </dd>
      <dt>Data reaches back to</dt>
      <dd data-testid="cost-oldest">
        {r.oldestSampleMs === null ? (
          <span className="muted">no chunk sealed yet (recent samples are in open chunks)</span>
        ) : (
          <>
            {new Date(r.oldestSampleMs).toISOString()} <span className="muted">({formatDuration(Date.now() - r.oldestSampleMs)} ago)</span>
          </>
        )}
      </dd>
      <dt>Retention</dt>
      <dd data-testid="cost-retention">
        {r.timeMs === null && r.bytes === null && 'keeps everything (no retention limit set)'}
        {r.timeMs !== null && `${formatDuration(r.timeMs)} by time`}
        {r.timeMs !== null && r.bytes !== null && '; '}
        {r.bytes !== null && `${bytes(r.bytes)} by size`}
        {r.sizeLimitReachedInMs !== null && <span className="muted"> (size limit reached in about {formatDuration(r.sizeLimitReachedInMs)} at this growth)</span>}
      </dd>
      <dt>Memory</dt>
      <dd data-testid="cost-memory">
        <ul className="plain">
          {costs.memory.map((m) => (
            <li key={m.part}>
              {m.part}: {bytes(m.bytes)}
            </li>
          ))}
        </ul>
      </dd>
      <dt>CPU (last minute)</dt>
      <dd data-testid="cost-cpu">
        {costs.cpu === undefined || costs.cpu.coreShare === null || costs.cpu.wakeupsPerSecond === null
          ? 'measured after the first minute'
          : `${(costs.cpu.coreShare * 100).toFixed(2)} % of one core, ${costs.cpu.wakeupsPerSecond.toFixed(1)} wake-ups/s (all threads)`}
      </dd>
      <dt>Event-loop lag (last minute)</dt>
      <dd data-testid="cost-lag">
        p50 {formatValue(costs.eventLoopLag.p50, 's', 3)}, p99 {formatValue(costs.eventLoopLag.p99, 's', 3)}, max {formatValue(costs.eventLoopLag.max, 's', 3)}
      </dd>
    </dl>
  );
}
