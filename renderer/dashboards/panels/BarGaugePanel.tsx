import { displayValue } from '../../../app/dashboards/units.js';
import { displayOptions } from '../field-config.js';
import { reducedValues } from '../panel-data.js';
import type { PanelProps } from './panel-props.js';
import { reducerOf } from './StatPanel.js';

/** Grafana's bar gauge (horizontal): one bar per series from min to max, coloured by threshold. */
export function BarGaugePanel({ panel, data }: PanelProps) {
  const o = displayOptions(panel, data.queries);
  const values = reducedValues(data, reducerOf(panel.options));
  const nums = values.map((v) => v.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const min = o.min ?? Math.min(0, ...nums);
  const max = o.max ?? Math.max(1, ...nums);
  return (
    <div className="bargauge-panel">
      {values.map((v, i) => {
        const d = displayValue(v.value, { ...o, min, max });
        const frac = v.value === null || !Number.isFinite(v.value) ? 0 : Math.max(0, Math.min(1, (v.value - min) / (max - min || 1)));
        return (
          <div key={i} className={values.length > 1 ? 'bargauge-row' : 'bargauge-row single'}>
            {/* One series needs no name: the panel title says it (as in Grafana). */}
            {values.length > 1 && (
              <span className="bargauge-name" title={v.name}>
                {v.name}
              </span>
            )}
            <span className="bargauge-track">
              <span className="bargauge-bar" style={{ width: `${(frac * 100).toFixed(1)}%`, background: d.color ?? '#73bf69' }} />
            </span>
            <span className="bargauge-value" style={{ color: d.color ?? undefined }}>
              {d.text}
            </span>
          </div>
        );
      })}
    </div>
  );
}
