import { displayValue } from '../../../app/dashboards/units.js';
import { displayOptions } from '../field-config.js';
import { reducedValues } from '../panel-data.js';
import type { PanelProps } from './panel-props.js';
import { Sparkline } from './Sparkline.js';

export function reducerOf(options: Record<string, unknown> | undefined): string {
  const calcs = (options?.['reduceOptions'] as { calcs?: unknown } | undefined)?.calcs;
  return Array.isArray(calcs) && typeof calcs[0] === 'string' ? calcs[0] : 'lastNotNull';
}

/** Grafana's stat panel: one big value per series, coloured by threshold, with a sparkline. */
export function StatPanel({ panel, data, width, height }: PanelProps) {
  const o = displayOptions(panel, data.queries);
  const values = reducedValues(data, reducerOf(panel.options));
  const background = panel.options?.['colorMode'] === 'background';
  const sparkline = (panel.options?.['graphMode'] ?? 'area') !== 'none';
  const each = Math.max(40, Math.floor(height / Math.max(1, values.length)) - 4);
  return (
    <div className="stat-panel">
      {values.map((v, i) => {
        const d = displayValue(v.value, o);
        const color = d.color ?? '#73bf69';
        return (
          <div key={i} className="stat-value" style={background ? { background: color, color: '#111', height: each } : { color, height: each }}>
            {values.length > 1 && <span className="stat-name">{v.name}</span>}
            <span className="stat-number" style={{ fontSize: Math.max(14, Math.min(each * 0.45, width / Math.max(4, d.text.length) * 1.4)) }}>
              {d.text}
            </span>
            {sparkline && v.values && <Sparkline values={v.values} color={background ? '#111' : color} width={Math.max(40, width - 16)} height={Math.min(40, each * 0.3)} />}
          </div>
        );
      })}
    </div>
  );
}
