import { displayValue, formatValue } from '../../../app/dashboards/units.js';
import { displayOptions } from '../field-config.js';
import type { PanelProps } from './panel-props.js';

/**
 * Grafana's table: instant results (or each range series' last value) as rows with a column per
 * label and the value formatted in the panel's unit; a range-only answer as a time column and a
 * column per series.
 */
export function TablePanel({ panel, data }: PanelProps) {
  const o = displayOptions(panel, data.queries);
  if (data.instant.length > 0) {
    const labelNames = [...new Set(data.instant.flatMap((r) => Object.keys(r.labels)))].sort();
    return (
      <div className="table-panel">
        <table>
          <thead>
            <tr>
              {labelNames.map((l) => (
                <th key={l}>{l}</th>
              ))}
              <th>Value</th>
            </tr>
          </thead>
          <tbody>
            {data.instant.map((r, i) => {
              const d = displayValue(r.value, o);
              return (
                <tr key={i}>
                  {labelNames.map((l) => (
                    <td key={l}>{r.labels[l] ?? ''}</td>
                  ))}
                  <td className="num" style={d.color ? { color: d.color } : undefined}>
                    {d.text}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    );
  }
  // Newest first, at most 500 rows drawn.
  const rows = Array.from({ length: Math.min(500, data.timestamps.length) }, (_, k) => data.timestamps.length - 1 - k);
  return (
    <div className="table-panel">
      <table>
        <thead>
          <tr>
            <th>Time</th>
            {data.series.map((s, i) => (
              <th key={i}>{s.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((i) => (
            <tr key={i}>
              <td>{formatValue(data.timestamps[i]!, 'dateTimeAsIso')}</td>
              {data.series.map((s, k) => (
                <td key={k} className="num">
                  {displayValue(s.values[i] ?? null, o).text}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
