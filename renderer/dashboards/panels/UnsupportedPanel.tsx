import type { PanelProps } from './panel-props.js';

/** A panel type Vigil does not draw: kept in the dashboard as it is, named here. */
export function UnsupportedPanel({ panel }: PanelProps) {
  return (
    <p className="unsupported-panel">
      Panel type “{panel.type}” is not supported by Vigil; it is kept unchanged in the dashboard (and in its export).
    </p>
  );
}
