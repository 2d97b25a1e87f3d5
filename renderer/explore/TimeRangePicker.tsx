import { useState } from 'react';
import type { Resolution, TimeRange } from '../../app/app-urls.js';
import { formatDuration } from '../../app/dialect/duration.js';

const relative: Array<[string, number]> = [
  ['5m', 300_000],
  ['15m', 900_000],
  ['1h', 3_600_000],
  ['3h', 10_800_000],
  ['6h', 21_600_000],
  ['12h', 43_200_000],
  ['1d', 86_400_000],
  ['7d', 604_800_000],
];

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function TimeRangePicker({ range, onChange }: { range: TimeRange; onChange(r: TimeRange): void }) {
  const [custom, setCustom] = useState(range.kind === 'absolute');
  const now = Date.now();
  const start = range.kind === 'absolute' ? range.startMs : now - range.durationMs;
  const end = range.kind === 'absolute' ? range.endMs : now;
  return (
    <div className="range-picker" role="group" aria-label="Time range">
      <select
        aria-label="Relative range"
        value={range.kind === 'relative' ? String(range.durationMs) : 'custom'}
        onChange={(e) => {
          if (e.target.value === 'custom') {
            setCustom(true);
            onChange({ kind: 'absolute', startMs: start, endMs: end });
          } else {
            setCustom(false);
            onChange({ kind: 'relative', durationMs: Number(e.target.value) });
          }
        }}
      >
        {/* A range from a link or a dashboard (`now-30m`) that is not in the list is shown as it is. */}
        {range.kind === 'relative' && !relative.some(([, ms]) => ms === range.durationMs) && <option value={range.durationMs}>Last {formatDuration(range.durationMs)}</option>}
        {relative.map(([label, ms]) => (
          <option key={label} value={ms}>
            Last {label}
          </option>
        ))}
        <option value="custom">Absolute…</option>
      </select>
      {custom && range.kind === 'absolute' && (
        <>
          <input
            type="datetime-local"
            aria-label="Start"
            value={toLocalInput(range.startMs)}
            onChange={(e) => {
              const ms = new Date(e.target.value).getTime();
              if (Number.isFinite(ms) && ms < range.endMs) onChange({ ...range, startMs: ms });
            }}
          />
          <input
            type="datetime-local"
            aria-label="End"
            value={toLocalInput(range.endMs)}
            onChange={(e) => {
              const ms = new Date(e.target.value).getTime();
              if (Number.isFinite(ms) && ms > range.startMs) onChange({ ...range, endMs: ms });
            }}
          />
        </>
      )}
    </div>
  );
}

const steps: Array<[string, number]> = [
  ['1s', 1000],
  ['5s', 5000],
  ['15s', 15_000],
  ['30s', 30_000],
  ['1m', 60_000],
  ['5m', 300_000],
  ['15m', 900_000],
  ['1h', 3_600_000],
];

export function ResolutionPicker({ resolution, onChange }: { resolution: Resolution; onChange(r: Resolution): void }) {
  const value = resolution.kind === 'auto' ? 'auto' : String(resolution.stepMs);
  const known = steps.some(([, ms]) => String(ms) === value);
  return (
    <label className="inline">
      Step
      <select
        aria-label="Resolution"
        value={value}
        onChange={(e) => onChange(e.target.value === 'auto' ? { kind: 'auto' } : { kind: 'fixed', stepMs: Number(e.target.value) })}
      >
        <option value="auto">auto</option>
        {steps.map(([label, ms]) => (
          <option key={label} value={ms}>
            {label}
          </option>
        ))}
        {!known && value !== 'auto' && <option value={value}>{Number(value) / 1000}s</option>}
      </select>
      <input
        className="step-input"
        aria-label="Custom step (seconds)"
        placeholder="custom s"
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          const s = Number((e.target as HTMLInputElement).value);
          if (Number.isFinite(s) && s > 0) onChange({ kind: 'fixed', stepMs: Math.round(s * 1000) });
        }}
      />
    </label>
  );
}
