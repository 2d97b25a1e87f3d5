import { displayValue } from '../../../app/dashboards/units.js';
import { displayOptions } from '../field-config.js';
import { reducedValues } from '../panel-data.js';
import type { PanelProps } from './panel-props.js';
import { reducerOf } from './StatPanel.js';

/** A 240° arc from min to max (SVG path). */
function arc(cx: number, cy: number, r: number, from: number, to: number): string {
  const a0 = Math.PI * (0.5 + 0.1667 + from * 1.6667);
  const a1 = Math.PI * (0.5 + 0.1667 + to * 1.6667);
  const p = (a: number) => `${(cx + r * Math.cos(a)).toFixed(1)} ${(cy + r * Math.sin(a)).toFixed(1)}`;
  return `M ${p(a0)} A ${r} ${r} 0 ${to - from > 0.6 ? 1 : 0} 1 ${p(a1)}`;
}

/** Grafana's gauge: the value on an arc between min (default 0) and max (default 100). */
export function GaugePanel({ panel, data, width, height }: PanelProps) {
  const o = displayOptions(panel, data.queries);
  const values = reducedValues(data, reducerOf(panel.options));
  const min = o.min ?? 0;
  const max = o.max ?? 100;
  const w = Math.max(60, Math.floor(width / Math.max(1, values.length)));
  const size = Math.min(w, height) - 8;
  const r = size / 2 - 8;
  return (
    <div className="gauge-panel">
      {values.map((v, i) => {
        const d = displayValue(v.value, o);
        const frac = v.value === null || !Number.isFinite(v.value) ? 0 : Math.max(0, Math.min(1, (v.value - min) / (max - min || 1)));
        return (
          <svg key={i} width={w} height={size} role="img" aria-label={`${v.name}: ${d.text}`}>
            <path d={arc(w / 2, size / 2 + 4, r, 0, 1)} stroke="#2a3440" strokeWidth={10} fill="none" />
            {frac > 0 && <path d={arc(w / 2, size / 2 + 4, r, 0, frac)} stroke={d.color ?? '#73bf69'} strokeWidth={10} fill="none" />}
            <text x={w / 2} y={size / 2 + 10} textAnchor="middle" fill={d.color ?? '#ccc'} fontSize={Math.max(12, r / 2.5)}>
              {d.text}
            </text>
            {values.length > 1 && (
              <text x={w / 2} y={size - 4} textAnchor="middle" fill="#8593a3" fontSize={11}>
                {v.name}
              </text>
            )}
          </svg>
        );
      })}
    </div>
  );
}
