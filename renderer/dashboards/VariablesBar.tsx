import { allValue, type ResolvedVariable, type VariableModel } from '../../app/dashboards/variables.js';

/**
 * The variable pickers above the grid: a select (multiple when the variable is multi-value, with
 * "All" when it includes all) or a text box, in the dashboard's order; hidden ones (`hide: 2`)
 * are left out, and a variable that failed shows why.
 */
export function VariablesBar({ variables, defs, onChange }: { variables: ReadonlyMap<string, ResolvedVariable>; defs: readonly VariableModel[]; onChange(name: string, selected: string[]): void }) {
  const shown = defs.filter((d) => d.hide !== 2 && d.type !== 'constant');
  if (shown.length === 0) return null;
  return (
    <div className="variables-bar" role="group" aria-label="Dashboard variables">
      {shown.map((d) => {
        const v = variables.get(d.name);
        const label = d.hide === 1 ? null : (d.label || d.name);
        return (
          <label key={d.name} className="inline variable" data-variable={d.name}>
            {label}
            {v?.error ? (
              <span className="error" role="alert">
                {v.error}
              </span>
            ) : d.type === 'textbox' ? (
              <input
                aria-label={`Variable ${d.name}`}
                defaultValue={v?.selected[0] ?? ''}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') onChange(d.name, [(e.target as HTMLInputElement).value]);
                }}
                onBlur={(e) => onChange(d.name, [e.target.value])}
              />
            ) : (
              <select
                aria-label={`Variable ${d.name}`}
                // Sized from the definition before the values arrive: the grid below does not move
                // (and panels already loading keep their width) when they do.
                multiple={v ? v.multi : d.multi === true}
                {...((v ? v.multi : d.multi === true) ? { size: 4 } : {})}
                value={(v ? v.multi : d.multi === true) ? (v?.selected ?? []) : (v?.selected[0] ?? '')}
                onChange={(e) => {
                  const picked = [...e.target.selectedOptions].map((o) => o.value);
                  // Picking a value next to All means that value alone, as in Grafana.
                  onChange(d.name, picked.length > 1 ? picked.filter((x) => x !== allValue) : picked);
                }}
              >
                {v?.includeAll && <option value={allValue}>All</option>}
                {(v?.options ?? []).map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.text}
                  </option>
                ))}
              </select>
            )}
          </label>
        );
      })}
    </div>
  );
}
