import { formatDuration } from '../format.js';
import { barGeometry } from './rule-helpers.js';
import { LabelPills } from './LabelPills.js';

/** "2 firing (3m 10s), 1 pending": what the bars show, in words. */
function intervalSummary(r: IntervalRow): string {
  const parts: string[] = [];
  for (const state of ['firing', 'pending'] as const) {
    const ivs = r.intervals.filter((i) => i.state === state);
    if (ivs.length === 0) continue;
    const total = ivs.reduce((sum, i) => sum + (i.endMs - i.startMs), 0);
    parts.push(`${ivs.length} ${state} (${formatDuration(total)})`);
  }
  return parts.join(', ');
}

export interface IntervalRow {
  labels: Record<string, string>;
  intervals: Array<{ state: 'pending' | 'firing'; startMs: number; endMs: number }>;
}

const tickCount = 4;

const tickLabel = (ms: number, spanMs: number) => {
  const d = new Date(ms);
  // Ranges over a day need the date; shorter ones only the time of day.
  return spanMs > 86_400_000 ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', hour: '2-digit' }) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
};

/** Pending/firing intervals per alert on one shared time axis (CSS bars, no data work). */
export function IntervalBars({ rows, axis, testId }: { rows: readonly IntervalRow[]; axis: { startMs: number; endMs: number }; testId: string }) {
  const ticks = Array.from({ length: tickCount + 1 }, (_, i) => axis.startMs + ((axis.endMs - axis.startMs) * i) / tickCount);
  return (
    <div className="interval-bars" data-testid={testId}>
      {rows.length === 0 && <p className="muted small">The rule would not have been active in this range.</p>}
      {rows.map((r, i) => (
        <div key={i} className="interval-row">
          <div className="interval-labels">
            <LabelPills labels={r.labels} hide={['alertname']} />
            <div className="muted small">{intervalSummary(r)}</div>
          </div>
          <div className="interval-track">
            {r.intervals.map((iv, j) => {
              const g = barGeometry(iv.startMs, iv.endMs, axis);
              if (!g) return null;
              return (
                <span
                  key={j}
                  className={`interval ${iv.state}`}
                  data-testid="interval"
                  style={{ left: `${g.left}%`, width: `${g.width}%` }}
                  title={`${iv.state} ${new Date(iv.startMs).toLocaleString()} – ${new Date(iv.endMs).toLocaleString()}`}
                />
              );
            })}
          </div>
        </div>
      ))}
      <div className="interval-row axis">
        <div className="interval-labels" />
        <div className="interval-track axis-track">
          {ticks.map((t, i) => (
            <span key={i} className="tick" style={{ left: `${(i / tickCount) * 100}%` }}>
              {tickLabel(t, axis.endMs - axis.startMs)}
            </span>
          ))}
        </div>
      </div>
    </div>
  );
}
