import { useMemo } from 'react';
import { tableModel } from '../table-columns.js';
import type { PanelProps } from './panel-props.js';

/**
 * Grafana's table: instant results (or each range series' last value) as rows with a column per
 * label and the value, or a range answer as a time column and a column per series; columns
 * organized, renamed, sized and coloured as the panel's transformations and overrides say.
 */
export function TablePanel({ panel, data }: PanelProps) {
  const model = useMemo(() => tableModel(panel, data), [panel, data]);
  return (
    <div className="table-panel">
      <table>
        <thead>
          <tr>
            {model.columns.map((c) => (
              <th key={c.name} data-column={c.name} style={{ ...(c.width ? { width: c.width } : {}), ...(c.align ? { textAlign: c.align } : {}) }}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {model.rows.map((row, i) => (
            <tr key={i}>
              {row.map((cell, k) => {
                const c = model.columns[k]!;
                const style = {
                  ...(c.align ? { textAlign: c.align } : {}),
                  ...(cell.color && c.coloring === 'text' ? { color: cell.color } : {}),
                  ...(cell.color && c.coloring === 'background' ? { background: cell.color, color: '#fff' } : {}),
                };
                return (
                  <td key={c.name} className={c.kind === 'value' ? 'num' : undefined} style={style}>
                    {cell.text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
